/**
 * The answer cache (lib/service/answer-cache.ts) over a real recording and the real map pipeline (the in-thread
 * runner a Lambda uses; a counting wrapper only records how often the pipeline really ran): a repeated map is
 * served without running it, a changed file or other LORIS extras or another query is recomputed, a matching
 * If-None-Match gets a 304, JSON grids are not kept, and the cache stays within its bounds.
 */
import { copyFileSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../lib/core/config';
import { topomapQuerySchema } from '../../lib/core/topomap-params';
import { answerKey, createAnswerCache, runThroughCache } from '../../lib/service/answer-cache';
import { inThreadRunner, type MapRunner } from '../../lib/service/map-runner';
import type { MapTask, MapTaskResult } from '../../lib/service/map-task';
import { testDataPath } from '../helpers/testdata';

const BV = ['vhdr', 'vmrk', 'eeg'];

function countingRunner(): MapRunner & { calls: number } {
  const inner = inThreadRunner();
  const runner = {
    kind: inner.kind,
    threads: inner.threads,
    calls: 0,
    run: (task: MapTask, signal?: AbortSignal) => {
      runner.calls++;
      return inner.run(task, signal);
    },
    close: inner.close,
  };
  return runner;
}

describe('answer cache', () => {
  let dir: string;
  let vhdr: string;
  const task = (query: Record<string, string>, extras: Partial<MapTask['source']> = {}): MapTask => ({
    requestId: 'r',
    route: 'test',
    logLevel: 'error',
    source: {
      path: vhdr,
      dataRoot: dir,
      physioFileId: 1,
      extras: {},
      extrasKey: 'none',
      maxDecodedBytes: 64 << 20,
      ...extras,
    },
    query: topomapQuerySchema.parse({ tmin: '0.1', tmax: '0.2', size: '128', ...query }),
    limits: parseConfig({}).limits,
  });
  const png = (r: MapTaskResult): Uint8Array => {
    if (r.kind !== 'binary') throw new Error(`expected a picture, got ${r.kind}`);
    return r.body;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loris-ephys-answer-cache-'));
    for (const ext of BV) copyFileSync(testDataPath('brainvision', `test.${ext}`), join(dir, `test.${ext}`));
    vhdr = join(dir, 'test.vhdr');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('serves a repeated map without running the pipeline, byte for byte, and a 304 for its ETag', async () => {
    const runner = countingRunner();
    const cache = createAnswerCache({ maxBytes: 8 << 20 });
    const first = await runThroughCache(runner, cache, task({}));
    const again = await runThroughCache(runner, cache, task({}));
    expect(runner.calls).toBe(1);
    expect(Buffer.from(png(again)).equals(Buffer.from(png(first)))).toBe(true);
    expect(again.kind === 'binary' && first.kind === 'binary' && again.etag === first.etag).toBe(true);
    const etag = first.kind === 'binary' ? first.etag : '';
    const revalidated = await runThroughCache(runner, cache, { ...task({}), ifNoneMatch: etag });
    expect(revalidated).toEqual({ kind: 'not-modified', etag });
    expect(runner.calls).toBe(1);
    // Another window, size or format is another answer.
    await runThroughCache(runner, cache, task({ tmin: '0.2', tmax: '0.3' }));
    await runThroughCache(runner, cache, task({ format: 'svg' }));
    expect(runner.calls).toBe(3);
    expect(cache.size).toBe(3);
  });

  it('recomputes when a file of the recording changes (data file, header) or LORIS extras change', async () => {
    const runner = countingRunner();
    const cache = createAnswerCache({ maxBytes: 8 << 20 });
    const first = await runThroughCache(runner, cache, task({}));
    // The binary data file rewritten with other samples: same size, new mtime.
    copyFileSync(testDataPath('brainvision', 'test.eeg'), join(dir, 'test.eeg'));
    utimesSync(join(dir, 'test.eeg'), new Date(), new Date(Date.now() + 5000));
    const afterData = await runThroughCache(runner, cache, task({}));
    expect(runner.calls).toBe(2);
    expect(afterData.kind === 'binary' && first.kind === 'binary' && afterData.etag !== first.etag).toBe(
      true,
    );
    utimesSync(vhdr, new Date(), new Date(Date.now() + 10000));
    await runThroughCache(runner, cache, task({}));
    expect(runner.calls).toBe(3);
    await runThroughCache(runner, cache, task({}, { extrasKey: 'other-electrodes' }));
    expect(runner.calls).toBe(4);
    // A deleted data file is not served from memory: the pipeline runs and refuses.
    rmSync(join(dir, 'test.eeg'));
    const gone = await runThroughCache(runner, cache, task({}));
    expect(gone.kind).toBe('error');
    expect(runner.calls).toBe(5);
  });

  it('does not keep JSON grids or errors, and runs straight through without a cache', async () => {
    const runner = countingRunner();
    const cache = createAnswerCache({ maxBytes: 8 << 20 });
    await runThroughCache(runner, cache, task({ format: 'json' }));
    await runThroughCache(runner, cache, task({ format: 'json' }));
    await runThroughCache(runner, cache, task({ tmin: '1e6', tmax: '1e6' }));
    await runThroughCache(runner, cache, task({ tmin: '1e6', tmax: '1e6' }));
    expect(runner.calls).toBe(4);
    expect(cache.size).toBe(0);
    await runThroughCache(runner, undefined, task({}));
    await runThroughCache(runner, undefined, task({}));
    expect(runner.calls).toBe(6);
  });

  it('keeps a picture without the timing of the task that made it', async () => {
    const runner = countingRunner();
    const cache = createAnswerCache({ maxBytes: 8 << 20 });
    const first = await runThroughCache(runner, cache, task({}));
    expect(first).toHaveProperty('timing.drawMs');
    const again = await runThroughCache(runner, cache, task({}));
    expect(runner.calls).toBe(1);
    expect(again).not.toHaveProperty('timing');
  });

  it('stays within its byte and entry bounds, dropping the least recently used first', async () => {
    const runner = countingRunner();
    const windows = [0, 0.05, 0.1, 0.15, 0.2].map((t) => ({ tmin: String(t), tmax: String(t + 0.05) }));
    const sizes: number[] = [];
    for (const w of windows) sizes.push(png(await runner.run(task(w))).byteLength);
    const largest = Math.max(...sizes);
    const total = sizes.reduce((a, b) => a + b, 0);
    // Room for every picture (each under a quarter of it), but not for all five.
    const budget = Math.max(4 * largest, total - 1);
    const bounded = createAnswerCache({ maxBytes: Math.min(budget, total - 1) });
    for (const w of windows) await runThroughCache(runner, bounded, task(w));
    expect(bounded.bytes).toBeLessThanOrEqual(bounded.maxBytes);
    expect(bounded.size).toBeLessThan(windows.length);
    // Entry bound and order: after five windows, the two newest are kept and the oldest is gone.
    const few = createAnswerCache({ maxBytes: 64 << 20, maxEntries: 2 });
    for (const w of windows) await runThroughCache(runner, few, task(w));
    expect(few.size).toBe(2);
    const calls = runner.calls;
    await runThroughCache(runner, few, task(windows[4] as Record<string, string>));
    expect(runner.calls).toBe(calls);
    await runThroughCache(runner, few, task(windows[0] as Record<string, string>));
    expect(runner.calls).toBe(calls + 1);
    // A picture over a quarter of the budget is never kept.
    const tiny = createAnswerCache({ maxBytes: largest * 2 });
    await runThroughCache(runner, tiny, task({}));
    expect(tiny.size).toBe(0);
  });

  it('keys by recording path, condition, LORIS extras and the normalised query', () => {
    const base = answerKey(task({}));
    expect(answerKey(task({}))).toBe(base);
    expect(answerKey(task({ size: '256' }))).not.toBe(base);
    expect(answerKey(task({}, { condition: 1 }))).not.toBe(base);
    expect(answerKey(task({}, { extrasKey: 'x' }))).not.toBe(base);
    expect(answerKey(task({}, { path: join(dir, 'other.vhdr') }))).not.toBe(base);
  });

  it('reads LORIS_EPHYS_ANSWER_CACHE_MB (0–1024, default 16)', () => {
    expect(parseConfig({}).answerCacheMb).toBe(16);
    expect(parseConfig({ LORIS_EPHYS_ANSWER_CACHE_MB: '0' }).answerCacheMb).toBe(0);
    expect(() => parseConfig({ LORIS_EPHYS_ANSWER_CACHE_MB: '1025' })).toThrow();
  });
});
