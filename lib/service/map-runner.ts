/**
 * Where map tasks run: a pool of worker threads (piscina) sized from the CPU count, so that under load every
 * core renders maps while the main thread only accepts requests, authorises them and writes answers; or, on
 * AWS Lambda (one request per instance, no second core to use), in the request's own thread. Both run the same
 * runMapTask (map-task.ts); the choice is LORIS_EPHYS_WORKERS (0 = in-thread; unset = one worker per CPU, and
 * in-thread when AWS_LAMBDA_FUNCTION_NAME is set outside serverless-offline).
 *
 * The pool sits behind the heavy-route limiter (lib/core/http.ts runLimited): at most LORIS_EPHYS_MAX_CONCURRENT
 * tasks are ever submitted, so piscina's own queue never grows beyond that. A request that times out aborts its
 * task: a queued task leaves the queue, a running one ends with its worker (piscina terminates it and starts a
 * fresh one), so the slot it held is really free when it is given back.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Piscina as PiscinaClass } from 'piscina';
import type { MapTask, MapTaskResult } from './map-task';
import { runMapTask } from './map-task';

export interface MapRunner {
  /** 'pool' with `threads` workers, or 'in-thread'. */
  readonly kind: 'pool' | 'in-thread';
  readonly threads: number;
  run(task: MapTask, signal?: AbortSignal): Promise<MapTaskResult>;
  close(): Promise<void>;
}

/** Worker threads to start: the setting, else none on Lambda, else one per CPU the process may use. */
export function mapWorkerCount(
  setting: number | undefined,
  env: Record<string, string | undefined> = process.env,
  cpus: number = availableParallelism(),
): number {
  if (setting !== undefined) return setting;
  if (env.AWS_LAMBDA_FUNCTION_NAME && !env.IS_OFFLINE) return 0;
  return Math.max(1, cpus);
}

/** Runs tasks in the calling thread (Lambda, tests, and wherever the worker bundle is absent). */
export function inThreadRunner(): MapRunner {
  return {
    kind: 'in-thread',
    threads: 0,
    run: (task, signal) => runMapTask(task, signal),
    close: async () => undefined,
  };
}

/** Heap of one map worker: JavaScript objects only (sample windows and pixels are off-heap ArrayBuffers). */
const WORKER_HEAP_MB = 256;
const WORKER_YOUNG_MB = 48;

/**
 * A piscina pool of `threads` workers running `workerFile` (dist/topomap/worker.js). piscina is loaded here,
 * on first use, so the Lambda bundle never needs it (nor packages it).
 */
export function poolRunner(workerFile: string, threads: number): MapRunner {
  // CommonJS require (piscina's main export is the class) behaves the same under Node, Jest and the bundle.
  const Piscina = createRequire(__filename)('piscina') as typeof PiscinaClass;
  const pool = new Piscina<MapTask, MapTaskResult>({
    filename: workerFile,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    // Idle workers wait without blocking their event loop, so timers (closing evicted recordings) still run.
    atomics: 'async',
    idleTimeout: Infinity, // keep workers (and their caches) for the life of the service
    // An old-generation cap alone makes V8 shrink the young generation with it (many more scavenges per map);
    // give it the main thread's usual size.
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
  });
  return {
    kind: 'pool',
    threads,
    run: (task, signal) => pool.run(task, signal ? { signal } : {}),
    close: () => pool.destroy(),
  };
}

/** The pool, or the in-thread runner where piscina is not installed (the Lambda package does not carry it). */
function poolOrInThread(workerFile: string, threads: number): MapRunner {
  try {
    return poolRunner(workerFile, threads);
  } catch {
    return inThreadRunner();
  }
}

let shared: MapRunner | undefined;

/**
 * This process's runner, created on first use. `dir` is where the worker bundle sits (the topomap bundle's own
 * folder); without a worker.js there (TypeScript sources under Jest), maps run in-thread.
 */
export function mapRunner(setting: number | undefined, dir: string = __dirname): MapRunner {
  if (!shared) {
    const threads = mapWorkerCount(setting);
    const workerFile = join(dir, 'worker.js');
    shared =
      threads === 0 || !existsSync(workerFile) ? inThreadRunner() : poolOrInThread(workerFile, threads);
  }
  return shared;
}
