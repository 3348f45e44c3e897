/**
 * HTTP plumbing shared by every handler: a typed result becomes an API Gateway v2 response, and every thrown
 * error becomes `{"error":{"code","message","details?"}}` with the right status. Nothing escapes the wrapper:
 * serverless-offline answers 200 to a thrown error on httpApi routes, so the wrapper must never throw.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { ZodError, type ZodType } from 'zod';
import { processLimiter, type Release } from './concurrency';
import { ApiError, isApiError } from './errors';
import { createLogger, type Logger, type LogLevel } from './log';
import { routeNotFound } from './modules';
import {
  canStream,
  HAND_OVER_MIN_BYTES,
  handedOverBytes,
  streamedResponse,
  type StreamBody,
} from './stream-bridge';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResponse = APIGatewayProxyStructuredResultV2;

export interface JsonResult {
  kind: 'json';
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}
export interface BinaryResult {
  kind: 'binary';
  status?: number;
  contentType: string;
  body: Uint8Array;
  headers?: Record<string, string>;
}
export interface TextResult {
  kind: 'text';
  status?: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}
export interface EmptyResult {
  kind: 'empty';
  status: number;
  headers?: Record<string, string>;
}
/**
 * A body sent as a stream where the runtime allows it (lib/core/stream-bridge.ts), else buffered up to a limit
 * (413 response_too_large past it).
 */
export interface StreamResult {
  kind: 'stream';
  status?: number;
  contentType: string;
  /** The body's size when known in advance (Content-Length, and a 413 without reading when buffering). */
  length?: number;
  body: StreamBody;
  headers?: Record<string, string>;
}
export type HandlerResult = JsonResult | BinaryResult | TextResult | EmptyResult | StreamResult;

export interface RequestContext {
  requestId: string;
  route: string;
  log: Logger;
  /** Aborted when the request times out: long work may check it between stages and stop early. */
  signal?: AbortSignal;
}

export type RouteHandler = (event: HttpEvent, ctx: RequestContext) => Promise<HandlerResult>;

export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Cache-Control of every answer that depends on who asks: a browser keeps it only for its own user and asks
 * again each time (a 304 on a matching ETag), so a revoked user or the next user of the browser is not served
 * a stored copy.
 */
export const PRIVATE_REVALIDATE = { 'Cache-Control': 'private, no-cache' } as const;

/**
 * A Server-Timing header value (W3C Server Timing): each named stage with its duration in milliseconds, rounded
 * to 0.01 ms, in the order given. Names are fixed tokens chosen by the caller.
 */
export function serverTiming(stages: readonly (readonly [string, number])[]): string {
  return stages.map(([name, ms]) => `${name};dur=${Math.round(ms * 100) / 100}`).join(', ');
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): JsonResult => ({
  kind: 'json',
  status,
  body,
  headers,
});

export function toResponse(result: Exclude<HandlerResult, StreamResult>): HttpResponse {
  const headers = { ...result.headers };
  switch (result.kind) {
    case 'json':
      return {
        statusCode: result.status ?? 200,
        headers: { 'Content-Type': JSON_TYPE, ...headers },
        body: JSON.stringify(result.body),
      };
    case 'binary':
      return {
        statusCode: result.status ?? 200,
        headers: { 'Content-Type': result.contentType, ...headers },
        body: Buffer.from(result.body.buffer, result.body.byteOffset, result.body.byteLength).toString(
          'base64',
        ),
        isBase64Encoded: true,
      };
    case 'text':
      return {
        statusCode: result.status ?? 200,
        headers: { 'Content-Type': result.contentType, ...headers },
        body: result.body,
      };
    case 'empty':
      return { statusCode: result.status, headers, body: '' };
  }
}

/** zod issues as `[{path, message}]`, the failing fields a client can act on. */
export function zodDetails(error: ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

export function errorResponse(error: unknown, requestId: string): HttpResponse {
  const apiError = toApiError(error, requestId);
  const body: { error: { code: string; message: string; details?: unknown; requestId?: string } } = {
    error: { code: apiError.code, message: apiError.message },
  };
  if (apiError.details !== undefined) body.error.details = apiError.details;
  if (apiError.status >= 500) body.error.requestId = requestId;
  return {
    statusCode: apiError.status,
    headers: { 'Content-Type': JSON_TYPE, 'Cache-Control': 'no-store', ...apiError.headers },
    body: JSON.stringify(body),
  };
}

export function toApiError(error: unknown, requestId: string): ApiError {
  if (isApiError(error)) return error;
  if (error instanceof ZodError) {
    return new ApiError(400, 'invalid_request', 'The request parameters are invalid.', zodDetails(error));
  }
  return new ApiError(500, 'internal_error', `Internal error (request ${requestId}).`);
}

/** Parses with a zod schema; a failure becomes 400 invalid_request listing the failing fields. */
export function parseWith<T>(schema: ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ApiError(
      400,
      'invalid_request',
      'The request parameters are invalid.',
      zodDetails(result.error),
    );
  }
  return result.data;
}

/** Caps for heavy routes, read per request (the configuration is parsed lazily, once per process). */
export interface RequestLimits {
  /** At most this many requests of the limited routes run at once in this process. */
  maxConcurrent: number;
  /** Beyond the running ones, at most this many wait in line (FIFO); more get 429 (default 0: no line). */
  maxQueued?: number;
  /** A request not finished this many milliseconds after it arrived (waiting included) is answered 504. */
  requestTimeoutMs: number;
}

export interface HandlerOptions {
  logLevel?: LogLevel;
  logger?: Logger;
  /** Turns on admission control and the request timeout (topomap, sensors). */
  limits?: () => RequestLimits;
  /** Routes with the same limiter name share one process-wide count (default 'heavy'). */
  limiterName?: string;
  /** False when the route's module is switched off: the route then answers 404 not_found (checked first). */
  enabled?: () => boolean;
}

/** A buffered result's body as bytes with its Content-Type (undefined for an empty answer). */
function bodyBytes(
  result: Exclude<HandlerResult, StreamResult>,
): { contentType: string; bytes: Buffer } | undefined {
  switch (result.kind) {
    case 'json':
      return { contentType: JSON_TYPE, bytes: Buffer.from(JSON.stringify(result.body)) };
    case 'binary':
      return {
        contentType: result.contentType,
        bytes: Buffer.from(result.body.buffer, result.body.byteOffset, result.body.byteLength),
      };
    case 'text':
      return { contentType: result.contentType, bytes: Buffer.from(result.body) };
    case 'empty':
      return undefined;
  }
}

/**
 * A buffered answer of HAND_OVER_MIN_BYTES or more handed to the on-premises bridge as bytes (see
 * stream-bridge.ts for why); undefined where there is no bridge or the body is small.
 */
function handedOver(result: Exclude<HandlerResult, StreamResult>): HttpResponse | undefined {
  if (!canStream()) return undefined;
  const body = bodyBytes(result);
  if (!body || body.bytes.length < HAND_OVER_MIN_BYTES) return undefined;
  const headers = { 'Content-Type': body.contentType, ...result.headers };
  return handedOverBytes(result.status ?? 200, headers, body.bytes);
}

async function finalResponse(result: HandlerResult): Promise<HttpResponse> {
  if (result.kind !== 'stream') return handedOver(result) ?? toResponse(result);
  const headers = { 'Content-Type': result.contentType, ...result.headers };
  return streamedResponse(result.status ?? 200, headers, result.body, result.length);
}

/** Seconds a client is told to wait after a 429. */
export const RETRY_AFTER_SECONDS = 1;

/** The limiter that heavy routes share unless they name their own. */
export const HEAVY_LIMITER = 'heavy';

export const tooManyRequests = (cap: number, maxQueued: number): ApiError =>
  new ApiError(
    429,
    'too_many_requests',
    `Too many concurrent requests: at most ${cap} heavy requests run at once and ${maxQueued} wait; retry shortly.`,
    { maxConcurrent: cap, maxQueued },
    { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  );

export const requestTimeout = (ms: number): ApiError =>
  new ApiError(504, 'timeout', `The request did not finish within ${ms} ms.`, { requestTimeoutMs: ms });

/**
 * Runs `work` under the limits: it waits for a slot (429 when the line is full), and answers 504 when the
 * request outlives the timeout, waiting or running; that aborts `controller` so the work can stop early. The
 * slot stays taken until the work really ends: a timed-out request whose work goes on still counts. Work that
 * never ends (a hung read) gives its slot back after `abandonedGraceMs`, so it cannot wedge the service.
 */
async function runLimited<T>(
  limits: RequestLimits,
  limiterName: string,
  controller: AbortController,
  work: () => Promise<T>,
): Promise<T> {
  const limiter = processLimiter(limiterName, limits.maxConcurrent, limits.maxQueued ?? 0);
  const admitted = limiter.acquire(controller.signal);
  if (!admitted) throw tooManyRequests(limiter.cap, limiter.maxQueued);
  admitted.catch(() => undefined); // rejected only when the timeout aborts the wait
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = requestTimeout(limits.requestTimeoutMs);
      reject(error);
      controller.abort(error);
    }, limits.requestTimeoutMs);
  });
  timedOut.catch(() => undefined);
  let release: Release | undefined;
  let running: Promise<T> | undefined;
  try {
    release = await Promise.race([admitted, timedOut]);
    running = work();
    running.catch(() => undefined); // a late failure of abandoned work must not become an unhandled rejection
    return await Promise.race([running, timedOut]);
  } finally {
    clearTimeout(timer);
    const held = release;
    if (held && running) {
      const grace = setTimeout(held, abandonedGraceMs(limits));
      grace.unref();
      const done = () => {
        clearTimeout(grace);
        held();
      };
      void running.then(done, done);
    } else if (held) held();
    else
      void admitted.then(
        (late) => late(),
        () => undefined,
      ); // a slot granted after we gave up goes back
  }
}

/** How long abandoned work may keep its slot: 4 × the request timeout, at least 30 s. */
export const abandonedGraceMs = (limits: RequestLimits): number =>
  Math.max(30_000, 4 * limits.requestTimeoutMs);

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The caller's X-Request-ID when it is well-formed (so a front can trace its own id), else ours. */
export function requestIdFor(event: HttpEvent | undefined, context?: Partial<Context>): string {
  const incoming = event ? header(event, 'x-request-id') : undefined;
  if (incoming !== undefined && REQUEST_ID.test(incoming)) return incoming;
  return context?.awsRequestId || event?.requestContext?.requestId || randomUUID();
}

/** Wraps a route handler: request id, one structured log line per request, errors as data. Never throws. */
export function httpHandler(route: string, fn: RouteHandler, options: HandlerOptions = {}) {
  const baseLog = options.logger ?? createLogger(options.logLevel ?? logLevelFromEnv());
  return async (event: HttpEvent, context?: Partial<Context>): Promise<HttpResponse> => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFor(event, context);
    const log = baseLog.child({ requestId, route });
    const controller = new AbortController();
    const ctx: RequestContext = { requestId, route, log, signal: controller.signal };
    let response: HttpResponse;
    let errorCode: string | undefined;
    let reason: string | undefined;
    try {
      if (options.enabled && !options.enabled()) throw routeNotFound();
      const limits = options.limits?.();
      const result = limits
        ? await runLimited(limits, options.limiterName ?? HEAVY_LIMITER, controller, () => fn(event, ctx))
        : await fn(event, ctx);
      response = await finalResponse(result);
    } catch (error) {
      response = errorResponse(error, requestId);
      const apiError = toApiError(error, requestId);
      errorCode = apiError.code;
      reason = apiError.logReason;
      if (!isApiError(error) && !(error instanceof ZodError)) {
        log.error('unhandled error', {
          errorName: (error as Error)?.name,
          errorMessage: (error as Error)?.message,
        });
      }
    }
    response.headers = { ...response.headers, 'X-Request-ID': requestId };
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    log.info('request', {
      method: event?.requestContext?.http?.method,
      path: event?.rawPath,
      status: response.statusCode,
      durationMs: Math.round(durationMs * 100) / 100,
      ...(errorCode ? { errorCode } : {}),
      ...(reason ? { reason } : {}),
    });
    return response;
  };
}

function logLevelFromEnv(): LogLevel {
  const level = process.env.LORIS_EPHYS_LOG_LEVEL;
  return level === 'debug' || level === 'warn' || level === 'error' ? level : 'info';
}

/** Case-insensitive header lookup (API Gateway lower-cases them, tests may not). */
export function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}
