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
import { openSource, type RecordingSource } from './recording-source';
import { computeMap, renderMap, renderMapHalf, topomapEtag } from './topomap';
import { joinHalves, type DeflatedHalf } from '../core/render';
import type { RenderableMap } from '../core/topomap/types';
import { createHash } from 'node:crypto';
import type { MessagePort } from 'node:worker_threads';

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
   * The handler saw no other heavy request in the process: the pool may then make the picture in two halves on two
   * idle workers (lib/service/map-runner.ts). Never under load, where every core is busy already and the halves'
   * duplicated work (each opens, computes and lays out the whole map) would cost throughput.
   */
  spareCore?: boolean;
  /** Make only this half of the PNG (the pool's other idle worker makes the other; joinAnswer joins them). */
  half?: 'top' | 'bottom';
  /**
   * A map made in halves from one computation (map-runner.ts, a recording's first map): the top half's task opens
   * the recording, computes the map, hands what drawing needs to the bottom half's task through its end of this
   * channel and draws the top; the bottom half's task waits on the other end, then draws the bottom without opening
   * the recording at all.
   */
  handover?: MessagePort;
  /**
   * Where this half's deflated stream goes when it fits: memory the pool lends to this task and reads when it joins
   * the halves (lib/service/map-runner.ts), so no new buffer is made in this thread nor handed to the pool's.
   */
  halfOut?: SharedArrayBuffer;
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

/**
 * Where a map task's time went, ms: opening the recording (through this thread's cache), computing the map, and
 * drawing and encoding the picture (for a map made in halves, each stage as long as it took the half that took
 * longer over it).
 */
export interface MapTiming {
  openMs: number;
  computeMs: number;
  drawMs: number;
}

type Timed = { timing?: MapTiming };

export type MapTaskResult =
  | { kind: 'not-modified'; etag: string }
  | ({
      kind: 'binary';
      etag: string;
      contentType: string;
      body: Uint8Array;
      /** Made in two halves by two workers (joinAnswer). */
      halves?: true;
    } & MadeFrom &
      Timed)
  | ({ kind: 'text'; etag: string; contentType: string; body: string } & MadeFrom & Timed)
  | ({ kind: 'json'; etag: string; body: unknown } & MadeFrom & Timed)
  | ({ kind: 'png-half'; etag: string; part: DeflatedHalf; timing: MapTiming } & MadeFrom)
  /** A bottom half that got nothing to draw from its top half (which failed or ended): the top's result tells. */
  | { kind: 'missed' }
  | { kind: 'error'; error: TaskError };

/** A map's answer (not a 304, a half or an error). */
export type MapPicture = Extract<MapTaskResult, { kind: 'binary' | 'text' | 'json' }>;

/** What the pool hands back for a task: never a half (the runner joins those). */
export type MapAnswer = Exclude<MapTaskResult, { kind: 'png-half' | 'missed' }>;

/** What a top half hands to its bottom half (MapTask.handover): the map to draw, a 304, or that there is none. */
type Handover =
  | ({ kind: 'computed'; etag: string; renderable: RenderableMap } & MadeFrom)
  | { kind: 'not-modified'; etag: string }
  | { kind: 'failed' };

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
  if (task.handover && task.half === 'bottom') return drawHandedOver(task, task.handover, log);
  const give = handoverSender(task);
  const started = performance.now();
  try {
    const opened = await openSource(task.source, log);
    const openedAt = performance.now();
    const etag = topomapEtag(opened, task.query, sha1);
    if (task.ifNoneMatch === etag) {
      give({ kind: 'not-modified', etag });
      return { kind: 'not-modified', etag };
    }
    signal?.throwIfAborted(); // timed out already: skip the compute and render
    const map = await computeMap(opened, task.query, task.limits, signal);
    signal?.throwIfAborted();
    const computedAt = performance.now();
    const madeFrom: MadeFrom = opened.signatures ? { signatures: opened.signatures } : {};
    const timing = (): MapTiming => ({
      openMs: openedAt - started,
      computeMs: computedAt - openedAt,
      drawMs: performance.now() - computedAt,
    });
    if (task.half) {
      give({ kind: 'computed', etag, renderable: handedRenderable(map.renderable), ...madeFrom });
      const part = renderMapHalf(map.renderable, task.query, task.half, halfOut(task));
      return { kind: 'png-half', etag, part, ...madeFrom, timing: timing() };
    }
    const { contentType, body } = await renderMap(map, opened, task.query);
    if (body instanceof Uint8Array)
      return { kind: 'binary', etag, contentType, body, ...madeFrom, timing: timing() };
    if (typeof body === 'string')
      return { kind: 'text', etag, contentType, body, ...madeFrom, timing: timing() };
    return { kind: 'json', etag, body, ...madeFrom, timing: timing() };
  } catch (error) {
    if (!isApiError(error) && !signal?.aborted) logUnhandled(log, error);
    if (signal?.aborted && isApiError(signal.reason))
      return { kind: 'error', error: toTaskError(signal.reason) };
    return { kind: 'error', error: toTaskError(error) };
  } finally {
    give({ kind: 'failed' }); // a no-op once the map or a 304 was handed over
  }
}

/** The memory lent to a half's stream, as bytes. */
const halfOut = (task: MapTask): Uint8Array | undefined => task.halfOut && new Uint8Array(task.halfOut);

/** Posts the first handover message of a top half's task (later ones are dropped), then closes its port. */
function handoverSender(task: MapTask): (message: Handover) => void {
  let port = task.half === 'top' ? task.handover : undefined;
  return (message) => {
    if (!port) return;
    port.postMessage(message);
    port.close();
    port = undefined;
  };
}

/** What drawing needs of a map, without the triangulation the interpolation used (the largest part of it). */
function handedRenderable(renderable: RenderableMap): RenderableMap {
  const { triangulation: _unused, ...geometry } = renderable.map.geometry;
  return { ...renderable, map: { ...renderable.map, geometry } };
}

/** The first message on `port`, or `failed` when the port closes (or the other side's thread ends) first. */
function receiveHandover(port: MessagePort): Promise<Handover> {
  return new Promise((resolve) => {
    port.once('message', (message: Handover) => resolve(message));
    port.once('close', () => resolve({ kind: 'failed' }));
  });
}

/** A bottom half drawn from the map its top half computed (MapTask.handover). */
async function drawHandedOver(
  task: MapTask,
  port: MessagePort,
  log: ReturnType<typeof createLogger>,
): Promise<MapTaskResult> {
  const handed = await receiveHandover(port);
  port.close();
  if (handed.kind === 'failed') return { kind: 'missed' };
  if (handed.kind === 'not-modified') return handed;
  try {
    const { etag, renderable, signatures } = handed;
    const started = performance.now();
    const part = renderMapHalf(renderable, task.query, 'bottom', halfOut(task));
    // Opened and computed by the top half's task: its own stages count for those.
    const timing: MapTiming = { openMs: 0, computeMs: 0, drawMs: performance.now() - started };
    return { kind: 'png-half', etag, part, ...(signatures ? { signatures } : {}), timing };
  } catch (error) {
    logUnhandled(log, error);
    return { kind: 'error', error: toTaskError(error) };
  }
}

/** Logs an unexpected error of a map task (name and message only) under the request's id. */
function logUnhandled(log: ReturnType<typeof createLogger>, error: unknown): void {
  log.error('unhandled error in map task', {
    errorName: (error as Error)?.name,
    errorMessage: (error as Error)?.message,
  });
}

/** A whole task's result as its answer: a half stands for no answer (only tasks with `half` make one). */
export function wholeAnswer(result: MapTaskResult): MapAnswer {
  if (result.kind !== 'png-half' && result.kind !== 'missed') return result;
  return { kind: 'error', error: toTaskError(new Error('a half picture came back for a whole map')) };
}

/**
 * The answer of a task made in two halves (top and bottom, each a MapTaskResult of the same task), or undefined
 * when they do not make one picture (the recording changed between them, or a bottom half got nothing to draw
 * from: the caller makes it whole). An error or a 304 of either half is the answer, the top's first.
 */
export function joinAnswer(top: MapTaskResult, bottom: MapTaskResult, size: number): MapAnswer | undefined {
  if (top.kind === 'error') return top;
  if (bottom.kind === 'error') return bottom;
  if (top.kind === 'not-modified' && bottom.kind === 'not-modified') return top;
  if (top.kind !== 'png-half' || bottom.kind !== 'png-half' || top.etag !== bottom.etag) return undefined;
  const body = joinHalves(top.part, bottom.part, size, size);
  const madeFrom: MadeFrom = top.signatures ? { signatures: top.signatures } : {};
  const timing = slower(top.timing, bottom.timing);
  return {
    kind: 'binary',
    etag: top.etag,
    contentType: 'image/png',
    body,
    halves: true,
    ...madeFrom,
    timing,
  };
}

/** Each stage as long as the longer of two halves took over it. */
function slower(a: MapTiming, b: MapTiming): MapTiming {
  return {
    openMs: Math.max(a.openMs, b.openMs),
    computeMs: Math.max(a.computeMs, b.computeMs),
    drawMs: Math.max(a.drawMs, b.drawMs),
  };
}

/** A task's result as the handler's answer: a 304, the picture with its ETag, or the error thrown. */
export function mapAnswer(result: MapAnswer, headers: Record<string, string>): HandlerResult {
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
