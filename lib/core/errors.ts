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

/** The recording exists but its bytes cannot be parsed (truncated, corrupt, inconsistent). */
export const unreadableRecording = (reason: string): ApiError =>
  new ApiError(422, 'unreadable_recording', `The recording cannot be read: ${reason}`);

/** The recording is in a format (or a variant of one) this service does not read. */
export const unsupportedFormat = (reason: string): ApiError =>
  new ApiError(415, 'unsupported_format', `Unsupported recording format: ${reason}`);

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;
