/**
 * Runs fuzz cases in a worker thread (bundled from worker.ts with esbuild, so it works under tsx and jest),
 * one case at a time, with a hard time limit (the worker is terminated and replaced on a hang), a V8 heap
 * cap (resourceLimits; exceeding it is reported as a crash), and RSS sampled while the case runs.
 */
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { projectRoot } from '../../test/helpers/testdata';
import type { CaseSpec } from './run-case';
import type { CaseReport } from './worker';

export interface PoolOptions {
  /** A case still running after this is a hang: the worker is terminated (ms). */
  hangMs: number;
  /** V8 old-generation cap of the worker (MB). */
  heapMb: number;
}

export type PoolResult =
  | { kind: 'report'; report: CaseReport; rssRiseBytes: number }
  | { kind: 'hang' | 'died'; spec: CaseSpec; message: string; ms: number };

let bundled: Promise<string> | null = null;
/** Time allowed for a fresh worker to load the bundle and a format's corpus. */
const WARM_UP_MS = 120_000;

/** Bundles the worker once per process (dependencies stay external, resolved from the project). */
export function bundleWorker(): Promise<string> {
  bundled ??= (async () => {
    const dir = join(projectRoot, 'bench', 'out');
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, `fuzz-worker-${process.pid}.cjs`);
    await build({
      entryPoints: [join(projectRoot, 'bench', 'fuzz', 'worker.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
    });
    return outfile;
  })();
  return bundled;
}

export interface FuzzPool {
  /** Runs one case; `hangMs` overrides the pool's hang limit. */
  run(spec: CaseSpec, hangMs?: number): Promise<PoolResult>;
  close(): Promise<void>;
}

export async function createPool(options: PoolOptions): Promise<FuzzPool> {
  const file = await bundleWorker();
  const spawn = (): Worker =>
    new Worker(file, { resourceLimits: { maxOldGenerationSizeMb: options.heapMb } });
  let worker = spawn();

  // Formats whose corpus the current worker has loaded: a fresh worker loads it in an uncounted warm-up
  // case first, so a replaced worker's start-up never counts against the next case's time limit.
  let warmed = new Set<string>();

  const runOnce = (spec: CaseSpec, hangMs: number): Promise<PoolResult> =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const rss0 = process.memoryUsage.rss();
      let peak = rss0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage.rss());
      }, 10);
      const current = worker;
      const finish = (result: PoolResult, replace: boolean): void => {
        clearInterval(sampler);
        clearTimeout(timer);
        current.removeAllListeners('message');
        current.removeAllListeners('error');
        current.removeAllListeners('exit');
        if (replace) {
          void current.terminate();
          worker = spawn();
          warmed = new Set();
        }
        resolve(result);
      };
      const timer = setTimeout(() => {
        finish(
          { kind: 'hang', spec, message: `no answer after ${hangMs} ms`, ms: performance.now() - t0 },
          true,
        );
      }, hangMs);
      current.once('message', (report: CaseReport) => {
        peak = Math.max(peak, process.memoryUsage.rss());
        finish({ kind: 'report', report, rssRiseBytes: peak - rss0 }, false);
      });
      const died = (message: string): void =>
        finish({ kind: 'died', spec, message, ms: performance.now() - t0 }, true);
      current.once('error', (e) => died(`${e.name}: ${e.message}`));
      current.once('exit', (code) => died(`worker exited with code ${code}`));
      current.postMessage(spec);
    });

  const run = async (spec: CaseSpec, hangMs = options.hangMs): Promise<PoolResult> => {
    if (!warmed.has(spec.format) && spec.index >= 0) {
      await runOnce({ ...spec, index: -1 }, Math.max(hangMs, WARM_UP_MS));
      warmed.add(spec.format);
    }
    return runOnce(spec, hangMs);
  };

  return {
    run,
    close: async () => {
      await worker.terminate();
    },
  };
}
