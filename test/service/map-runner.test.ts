/**
 * Where map tasks run (lib/service/map-runner.ts), how their errors travel as data and how two halves of a picture
 * join (map-task.ts).
 */
import { mapWorkerCount, parseConfig } from '../../lib/core/config';
import { ApiError } from '../../lib/core/errors';
import { join } from 'node:path';
import { topomapQuerySchema } from '../../lib/core/topomap-params';
import { halfStreamBound } from '../../lib/core/render';
import { halfSlots, inThreadRunner, poolRunner } from '../../lib/service/map-runner';
import {
  fromTaskError,
  joinAnswer,
  mapAnswer,
  toTaskError,
  type MapAnswer,
  type MapTask,
  type MapTaskResult,
} from '../../lib/service/map-task';
import { describeWithData, testDataPath } from '../helpers/testdata';

describe('map worker count', () => {
  it('takes the setting, else none on Lambda, else one per CPU (serverless-offline counts as local)', () => {
    expect(mapWorkerCount(3, { AWS_LAMBDA_FUNCTION_NAME: 'topomap' }, 2)).toBe(3);
    expect(mapWorkerCount(0, {}, 8)).toBe(0);
    expect(mapWorkerCount(undefined, { AWS_LAMBDA_FUNCTION_NAME: 'topomap' }, 2)).toBe(0);
    expect(mapWorkerCount(undefined, { AWS_LAMBDA_FUNCTION_NAME: 'topomap', IS_OFFLINE: 'true' }, 2)).toBe(2);
    expect(mapWorkerCount(undefined, {}, 4)).toBe(4);
  });

  it('reads LORIS_EPHYS_WORKERS (0–64, unset = automatic) and LORIS_EPHYS_AUTH_CACHE_MS (0–30000, default 5000)', () => {
    expect(parseConfig({}).workers).toBeUndefined();
    expect(parseConfig({ LORIS_EPHYS_WORKERS: '' }).workers).toBeUndefined();
    expect(parseConfig({ LORIS_EPHYS_WORKERS: '0' }).workers).toBe(0);
    expect(() => parseConfig({ LORIS_EPHYS_WORKERS: '65' })).toThrow(ApiError);
    expect(parseConfig({}).authCacheMs).toBe(5000);
    expect(parseConfig({ LORIS_EPHYS_AUTH_CACHE_MS: '0' }).authCacheMs).toBe(0);
    expect(() => parseConfig({ LORIS_EPHYS_AUTH_CACHE_MS: '30001' })).toThrow(ApiError);
  });
});

describe('map task results', () => {
  it('carries an ApiError across as data (status, code, message, details, headers, log reason)', () => {
    const error = new ApiError(429, 'too_many_requests', 'busy', { cap: 1 }, { 'Retry-After': '1' });
    error.logReason = 'why';
    const back = fromTaskError(structuredClone(toTaskError(error)));
    expect(back).toBeInstanceOf(ApiError);
    expect(back).toMatchObject({ status: 429, code: 'too_many_requests', message: 'busy', logReason: 'why' });
    expect(back.details).toEqual({ cap: 1 });
    expect(back.headers).toEqual({ 'Retry-After': '1' });
    expect(toTaskError(new Error('secret detail'))).toMatchObject({ status: 500, code: 'internal_error' });
    expect(JSON.stringify(toTaskError(new Error('secret detail')))).not.toContain('secret');
  });

  it('answers 304 with the ETag, and throws the error of a failed task', () => {
    expect(mapAnswer({ kind: 'not-modified', etag: '"e"' }, { 'Cache-Control': 'x' })).toEqual({
      kind: 'empty',
      status: 304,
      headers: { 'Cache-Control': 'x', ETag: '"e"' },
    });
    const failed = {
      kind: 'error' as const,
      error: { status: 404, code: 'recording_missing', message: 'gone' },
    };
    expect(() => mapAnswer(failed, {})).toThrow(ApiError);
  });

  it('runs in the calling thread when asked for no workers, returning a missing file as 404 data', async () => {
    const result = await inThreadRunner().run({
      requestId: 'r',
      route: 'test',
      logLevel: 'error',
      source: {
        path: '/nonexistent/x.edf',
        dataRoot: '/nonexistent',
        physioFileId: 1,
        extras: {},
        extrasKey: 'k',
        maxDecodedBytes: 1 << 20,
      },
      query: {} as never,
      limits: parseConfig({}).limits,
    });
    expect(result.kind).toBe('error');
    if (result.kind === 'error') expect(result.error.status).toBeGreaterThanOrEqual(400);
  });
});

describe('memory lent to the halves of a map', () => {
  it('is lent to one map at a time, grown for a larger picture, and lent again once given back', () => {
    const slots = halfSlots();
    const first = slots.lend(512);
    expect(first).toHaveLength(2);
    const [top, bottom] = first ?? [];
    expect(top).toBeInstanceOf(SharedArrayBuffer);
    expect(top).not.toBe(bottom);
    expect(top?.byteLength).toBeGreaterThanOrEqual(halfStreamBound(512, 512));
    expect(slots.lend(512)).toBeUndefined(); // lent: a second map makes its halves in buffers of its own
    slots.release();
    expect(slots.lend(300)?.[0]).toBe(top); // large enough already
    slots.release();
    const grown = slots.lend(1024);
    expect(grown?.[0]).not.toBe(top);
    expect(grown?.[0]?.byteLength).toBeGreaterThanOrEqual(halfStreamBound(1024, 1024));
  });
});

describeWithData('a map in two halves on two idle workers', () => {
  const workerFile = join(__dirname, '..', '..', 'dist', 'topomap', 'worker.js');
  const task = (query: string, spareCore: boolean): MapTask => ({
    requestId: 'r',
    route: 'test',
    logLevel: 'error',
    source: {
      path: testDataPath('brainvision', 'test.vhdr'),
      dataRoot: testDataPath(),
      physioFileId: 1,
      extras: {},
      extrasKey: 'k',
      maxDecodedBytes: 1 << 28,
    },
    query: topomapQuerySchema.parse(Object.fromEntries(new URLSearchParams(query))),
    limits: parseConfig({}).limits,
    spareCore,
  });
  const body = (answer: MapAnswer): Uint8Array => {
    if (answer.kind !== 'binary') throw new Error(`expected a picture, got ${answer.kind}`);
    return answer.body;
  };

  it('gives the whole map’s bytes for a PNG of 256 rows or more, a first map computed once', async () => {
    const runner = poolRunner(workerFile, 2);
    try {
      const map = 'tmin=0.1&tmax=0.2&size=512&contours=6&sensors=true';
      // A new recording on an idle pool: one worker opens it and computes, both draw a half (map-handover.test.ts):
      // the bytes a busy pool makes whole.
      const first = await runner.run(task(map, true));
      expect(first).toMatchObject({ kind: 'binary', halves: true });
      expect(Buffer.from(body(first)).equals(Buffer.from(body(await runner.run(task(map, false)))))).toBe(
        true,
      );
      // A first map that fails: the top half's error is the answer, and the bottom half's worker is free again.
      const gone = task(map, true);
      gone.source = { ...gone.source, path: testDataPath('brainvision', 'no-such-file.vhdr') };
      expect((await runner.run(gone)).kind).toBe('error');
      const next = 'tmin=0.2&tmax=0.3&size=512&contours=6&sensors=true';
      const whole = body(await runner.run(task(next, false)));
      const split = await runner.run(task(next, true));
      expect(split).toMatchObject({ kind: 'binary', halves: true });
      expect(Buffer.from(body(split)).equals(Buffer.from(whole))).toBe(true);
      // The same bytes as this thread makes them (both halves on libuv's pool).
      const here = await inThreadRunner().run(task(next, false));
      expect(Buffer.from(body(here)).equals(Buffer.from(whole))).toBe(true);
      // Too small to split, or not a PNG: whole.
      expect(await runner.run(task('tmin=0.1&tmax=0.2&size=200', true))).not.toHaveProperty('halves');
      expect((await runner.run(task(`${next}&format=svg`, true))).kind).toBe('text');
      // Two requests at once: the second finds a task in the pool and is made whole.
      const [a, b] = await Promise.all([runner.run(task(map, true)), runner.run(task(next, true))]);
      expect([a, b].filter((r) => 'halves' in r)).toHaveLength(1);
    } finally {
      await runner.close();
    }
  });

  it('answers an error or a 304 of either half, and nothing for halves of different pictures', () => {
    const half = (which: 'top' | 'bottom', etag: string): MapTaskResult => ({
      kind: 'png-half',
      etag,
      part: { half: which, stream: new Uint8Array(8), adler: 1, inputBytes: 4 },
      timing: { openMs: 0, computeMs: 0, drawMs: 1 },
    });
    const failed: MapTaskResult = { kind: 'error', error: { status: 404, code: 'gone', message: 'gone' } };
    expect(joinAnswer(half('top', 'e'), failed, 512)).toBe(failed);
    expect(joinAnswer(failed, half('bottom', 'e'), 512)).toBe(failed);
    const same: MapTaskResult = { kind: 'not-modified', etag: 'e' };
    expect(joinAnswer(same, same, 512)).toBe(same);
    expect(joinAnswer(half('top', 'e'), half('bottom', 'f'), 512)).toBeUndefined();
    expect(joinAnswer(same, half('bottom', 'e'), 512)).toBeUndefined();
  });
});
