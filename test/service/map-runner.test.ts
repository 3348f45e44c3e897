/** Where map tasks run (lib/service/map-runner.ts) and how their errors travel as data (map-task.ts). */
import { parseConfig } from '../../lib/core/config';
import { ApiError } from '../../lib/core/errors';
import { inThreadRunner, mapWorkerCount } from '../../lib/service/map-runner';
import { fromTaskError, mapAnswer, toTaskError } from '../../lib/service/map-task';

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
