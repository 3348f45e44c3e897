/**
 * One topographic map as a self-contained task: plain data in (where the recording is, what LORIS knows about
 * it, the parsed query, the limits), plain data out (the picture and its ETag, a 304, or an error as data).
 * The same function runs in a map worker thread (functions/topomap/worker.ts, through the pool in
 * map-runner.ts) and, on AWS Lambda, in the request's own thread: one pipeline, two places to run it.
 * The recording is (re)opened by path through this thread's bounded recording cache, keyed like the main
 * thread's (path, condition, database extras) and checked against the files' signatures on every use.
 */
import { ApiError, isApiError } from '../core/errors';
import { createLogger, type LogLevel } from '../core/log';
import type { HandlerResult } from '../core/http';
import type { TopomapQuery } from '../core/topomap-params';
import type { Config } from '../core/config';
import { openSource, type RecordingSource } from './requested-recording';
import { computeMap, renderMap, topomapEtag } from './topomap';
import { createHash } from 'node:crypto';

export interface MapTask {
  requestId: string;
  route: string;
  logLevel: LogLevel;
  source: RecordingSource;
  query: TopomapQuery;
  limits: Config['limits'];
  /** The request's If-None-Match: a matching ETag answers 304 before any window is read. */
  ifNoneMatch?: string;
  /**
   * Another core is idle for this task (the handler saw no other heavy request and the pool another idle worker):
   * the PNG's two halves are then deflated at once (the same bytes). Under load it is not: splitting whenever the
   * pool had an idle worker cost 142–152 against 164–169 maps/s in `npm run load` (idle moments are short, and the
   * hand-offs and two busy cores cost about 1 ms of CPU per map).
   */
  spareCore?: boolean;
}

/** An ApiError as structured-clone-safe data (a class instance does not survive postMessage). */
export interface TaskError {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  headers?: Record<string, string>;
  logReason?: string;
}

/** What a map was made from: `[path, signature]` of the recording's files (OpenedRecording.signatures). */
type MadeFrom = { signatures?: [string, string][] };

export type MapTaskResult =
  | { kind: 'not-modified'; etag: string }
  | ({ kind: 'binary'; etag: string; contentType: string; body: Uint8Array } & MadeFrom)
  | ({ kind: 'text'; etag: string; contentType: string; body: string } & MadeFrom)
  | ({ kind: 'json'; etag: string; body: unknown } & MadeFrom)
  | { kind: 'error'; error: TaskError };

/** A map's answer (not a 304 or an error). */
export type MapPicture = Extract<MapTaskResult, { kind: 'binary' | 'text' | 'json' }>;

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

export function toTaskError(error: unknown): TaskError {
  const e = isApiError(error)
    ? error
    : new ApiError(500, 'internal_error', 'Internal error while computing the map.');
  const out: TaskError = { status: e.status, code: e.code, message: e.message, headers: e.headers };
  if (e.details !== undefined) out.details = e.details;
  if (e.logReason !== undefined) out.logReason = e.logReason;
  return out;
}

export function fromTaskError(error: TaskError): ApiError {
  const e = new ApiError(error.status, error.code, error.message, error.details, error.headers ?? {});
  if (error.logReason !== undefined) e.logReason = error.logReason;
  return e;
}

/**
 * Opens, computes and renders one map; never throws (errors come back as data, unexpected ones logged here
 * with the request id). `signal` stops long work between stages (ERP epochs) when the request times out.
 */
export async function runMapTask(task: MapTask, signal?: AbortSignal): Promise<MapTaskResult> {
  const log = createLogger(task.logLevel).child({ requestId: task.requestId, route: task.route });
  try {
    const opened = await openSource(task.source, log);
    const etag = topomapEtag(opened, task.query, sha1);
    if (task.ifNoneMatch === etag) return { kind: 'not-modified', etag };
    signal?.throwIfAborted(); // timed out already: skip the compute and render
    const map = await computeMap(opened, task.query, task.limits, signal);
    signal?.throwIfAborted();
    const { contentType, body } = await renderMap(map, opened, task.query, task.spareCore);
    const madeFrom: MadeFrom = opened.signatures ? { signatures: opened.signatures } : {};
    if (body instanceof Uint8Array) return { kind: 'binary', etag, contentType, body, ...madeFrom };
    if (typeof body === 'string') return { kind: 'text', etag, contentType, body, ...madeFrom };
    return { kind: 'json', etag, body, ...madeFrom };
  } catch (error) {
    if (!isApiError(error) && !signal?.aborted) {
      log.error('unhandled error in map task', {
        errorName: (error as Error)?.name,
        errorMessage: (error as Error)?.message,
      });
    }
    if (signal?.aborted && isApiError(signal.reason))
      return { kind: 'error', error: toTaskError(signal.reason) };
    return { kind: 'error', error: toTaskError(error) };
  }
}

/** A task's result as the handler's answer: a 304, the picture with its ETag, or the error thrown. */
export function mapAnswer(result: MapTaskResult, headers: Record<string, string>): HandlerResult {
  if (result.kind === 'error') throw fromTaskError(result.error);
  const withEtag = { ...headers, ETag: result.etag };
  switch (result.kind) {
    case 'not-modified':
      return { kind: 'empty', status: 304, headers: withEtag };
    case 'binary':
      return { kind: 'binary', contentType: result.contentType, body: result.body, headers: withEtag };
    case 'text':
      return { kind: 'text', contentType: result.contentType, body: result.body, headers: withEtag };
    case 'json':
      return { kind: 'json', body: result.body, headers: withEtag };
  }
}
