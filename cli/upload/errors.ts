/** How `upload` ends: each failure class has its exit code (README, *Command line*). */
import { UsageError } from '../commands';

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
/** LORIS or the service said no: login refused, metadata refused at creation, errors in the report, failed. */
export const EXIT_REFUSED = 3;
/** Could not get an answer: unreachable, timeouts or server errors after the retries. */
export const EXIT_NETWORK = 4;

export class RefusedError extends Error {}
export class NetworkError extends Error {}

export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return EXIT_USAGE;
  if (error instanceof RefusedError) return EXIT_REFUSED;
  if (error instanceof NetworkError) return EXIT_NETWORK;
  return 1;
}

/** The message of a JSON error body: ours `{"error":{"code","message"}}`, LORIS's `{"error":"..."}`. */
export function errorMessageOf(body: string): string | null {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || !('error' in parsed)) return null;
    const error = (parsed as { error: unknown }).error;
    if (typeof error === 'string') return error;
    if (typeof error === 'object' && error !== null) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      if (typeof message === 'string') return typeof code === 'string' ? `${code}: ${message}` : message;
    }
    return null;
  } catch {
    return null;
  }
}

/** Up to 300 printable characters of an error body, for messages that quote what the server said. */
export function quoteBody(body: string): string {
  // eslint-disable-next-line no-control-regex
  const text = body.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
