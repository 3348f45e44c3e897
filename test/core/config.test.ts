import { availableParallelism } from 'node:os';
import {
  HEAVY_REQUESTS_PER_WORKER,
  heavyRequestCap,
  isLoopbackHost,
  parseConfig,
} from '../../lib/core/config';
import { ApiError } from '../../lib/core/errors';

describe('parseConfig', () => {
  it('applies defaults', () => {
    const c = parseConfig({});
    expect(c.mode).toBe('loris');
    expect(c.db).toMatchObject({ host: '127.0.0.1', port: 3306 });
    expect(c.host).toBe('127.0.0.1');
    expect(c.limits.maxWindowSeconds).toBe(60);
    expect(c.limits.maxWindowSamples).toBe(8_000_000); // 64 MB of Float64 samples
    expect(c.limits.maxDecodedBytes).toBe(128 * 1024 * 1024);
  });
  it('reads the parsing budgets from LORIS_EPHYS_MAX_DECODED_MB and LORIS_EPHYS_MAX_WINDOW_SAMPLES', () => {
    const c = parseConfig({ LORIS_EPHYS_MAX_DECODED_MB: '64', LORIS_EPHYS_MAX_WINDOW_SAMPLES: '2000000' });
    expect(c.limits.maxDecodedBytes).toBe(64 * 1024 * 1024);
    expect(c.limits.maxWindowSamples).toBe(2_000_000);
    expect(() => parseConfig({ LORIS_EPHYS_MAX_DECODED_MB: '0' })).toThrow(/LORIS_EPHYS_MAX_DECODED_MB/);
  });
  it('caps heavy requests per map worker unless LORIS_EPHYS_MAX_CONCURRENT says otherwise', () => {
    expect(HEAVY_REQUESTS_PER_WORKER).toBe(4);
    expect(parseConfig({ LORIS_EPHYS_WORKERS: '2' }).limits.maxConcurrent).toBe(8);
    expect(parseConfig({ LORIS_EPHYS_WORKERS: '16' }).limits.maxConcurrent).toBe(64);
    // In-thread (no pool, or Lambda's one request per instance) counts as one worker.
    expect(parseConfig({ LORIS_EPHYS_WORKERS: '0' }).limits.maxConcurrent).toBe(4);
    expect(parseConfig({ AWS_LAMBDA_FUNCTION_NAME: 'topomap' }).limits.maxConcurrent).toBe(4);
    expect(parseConfig({}).limits.maxConcurrent).toBe(4 * availableParallelism());
    expect(
      parseConfig({ LORIS_EPHYS_WORKERS: '2', LORIS_EPHYS_MAX_CONCURRENT: '3' }).limits.maxConcurrent,
    ).toBe(3);
    expect(parseConfig({ LORIS_EPHYS_MAX_CONCURRENT: '' }).limits.maxConcurrent).toBe(
      heavyRequestCap(undefined, availableParallelism()),
    );
    expect(() => parseConfig({ LORIS_EPHYS_MAX_CONCURRENT: '0' })).toThrow(/LORIS_EPHYS_MAX_CONCURRENT/);
    expect(() => parseConfig({ LORIS_EPHYS_MAX_CONCURRENT: '257' })).toThrow(/LORIS_EPHYS_MAX_CONCURRENT/);
  });
  it('names every malformed variable and never echoes values', () => {
    let error: unknown;
    try {
      parseConfig({ LORIS_DB_PORT: 'abc', LORIS_EPHYS_MODE: 'cluster', LORIS_DB_PASSWORD: 'hunter2' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    const message = (error as ApiError).message;
    expect(message).toContain('LORIS_DB_PORT');
    expect(message).toContain('LORIS_EPHYS_MODE');
    expect(message).not.toContain('hunter2');
  });
  it('requires a data folder in standalone mode', () => {
    expect(() => parseConfig({ LORIS_EPHYS_MODE: 'standalone' })).toThrow(/LORIS_EPHYS_DATA/);
    expect(parseConfig({ LORIS_EPHYS_MODE: 'standalone', LORIS_EPHYS_DATA: '/tmp' }).standaloneData).toBe(
      '/tmp',
    );
  });
  it('reads the failed-open TTL (default 30 s, 0 disables, negative refused)', () => {
    expect(parseConfig({}).limits.failedOpenTtlMs).toBe(30000);
    expect(parseConfig({ LORIS_EPHYS_FAILED_OPEN_TTL_MS: '0' }).limits.failedOpenTtlMs).toBe(0);
    expect(() => parseConfig({ LORIS_EPHYS_FAILED_OPEN_TTL_MS: '-1' })).toThrow(
      /LORIS_EPHYS_FAILED_OPEN_TTL_MS/,
    );
  });
  it('reads LORIS_EPHYS_SERVER_TIMING (off by default, true or false only)', () => {
    expect(parseConfig({}).serverTiming).toBe(false);
    expect(parseConfig({ LORIS_EPHYS_SERVER_TIMING: 'true' }).serverTiming).toBe(true);
    expect(parseConfig({ LORIS_EPHYS_SERVER_TIMING: 'false' }).serverTiming).toBe(false);
    expect(() => parseConfig({ LORIS_EPHYS_SERVER_TIMING: 'yes' })).toThrow(/LORIS_EPHYS_SERVER_TIMING/);
  });
  it('treats empty strings as unset', () => {
    expect(parseConfig({ LORIS_DB_SOCKET: '' }).db.socketPath).toBeUndefined();
  });
  it('recognises loopback hosts', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '10.0.0.1', '192.168.1.2', 'example.org'].some(isLoopbackHost)).toBe(false);
  });
});
