/**
 * Errors as data: every failure the service reports has a stable code, an HTTP status and a plain message.
 * Handlers never build error bodies themselves; they throw an ApiError (or let one propagate) and the HTTP
 * wrapper turns it into `{"error":{"code","message","details?"}}`.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly headers: Record<string, string>;
  /** The real reason, for the log line only, when the answer hides it (e.g. a 404 for a forbidden recording). */
  logReason?: string;

  constructor(
    status: number,
    code: string,
    message: string,
    details?: unknown,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

/** The same error, carrying a reason that is logged but never sent. */
export function withLogReason(error: ApiError, reason: string): ApiError {
  error.logReason = reason;
  return error;
}

export const badRequest = (message: string, details?: unknown): ApiError =>
  new ApiError(400, 'invalid_request', message, details);

export const notFound = (code: string, message: string): ApiError => new ApiError(404, code, message);

/** At most this many characters of an offending value (file or request content) appear in an error message. */
export const MAX_QUOTED_CHARS = 200;
/** Backstop for reader messages: a reason never exceeds this, whatever was put into it. */
export const MAX_REASON_CHARS = 1000;

/** The first `max` UTF-16 units of `text`, without splitting a surrogate pair. */
function head(text: string, max: number): string {
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * An offending value for an error message: `"value"`, or for a long value its first 200 characters,
 * an ellipsis and the original length (`"abc…" (70000 characters)`), so that error bodies stay small.
 */
export function quoteValue(value: string, max = MAX_QUOTED_CHARS): string {
  if (value.length <= max) return `"${value}"`;
  return `"${shortened(value, max)}" (${value.length} characters)`;
}

/** A value for error details: at most `max` characters of it, then an ellipsis when it was longer. */
export const shortened = (value: string, max = MAX_QUOTED_CHARS): string =>
  value.length <= max ? value : `${head(value, max)}…`;

const capReason = (reason: string): string =>
  reason.length <= MAX_REASON_CHARS ? reason : `${head(reason, MAX_REASON_CHARS)}…`;

/** The recording exists but its bytes cannot be parsed (truncated, corrupt, inconsistent). */
export const unreadableRecording = (reason: string): ApiError =>
  new ApiError(422, 'unreadable_recording', `The recording cannot be read: ${capReason(reason)}`);

/** The recording is in a format (or a variant of one) this service does not read. */
export const unsupportedFormat = (reason: string): ApiError =>
  new ApiError(415, 'unsupported_format', `Unsupported recording format: ${capReason(reason)}`);

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;
