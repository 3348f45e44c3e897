/**
 * Where map tasks run: a pool of worker threads (piscina) sized from the CPU count, so that under load every
 * core renders maps while the main thread only accepts requests, authorises them and writes answers; or, on
 * AWS Lambda (one request per instance, no second core to use), in the request's own thread. Both run the same
 * runMapTask (map-task.ts); the choice is LORIS_EPHYS_WORKERS (0 = in-thread; unset = one worker per CPU, and
 * in-thread when AWS_LAMBDA_FUNCTION_NAME is set outside serverless-offline).
 *
 * The pool sits behind the heavy-route limiter (lib/core/http.ts runLimited): at most LORIS_EPHYS_MAX_CONCURRENT
 * requests submit tasks (one each, or two for a map made in halves, which happens only when no other task is in
 * the pool), so piscina's own queue never grows beyond the cap and one. A request that times out aborts its
 * task: a queued task leaves the queue, a running one ends with its worker (piscina terminates it and starts a
 * fresh one), so the slot it held is really free when it is given back.
 *
 * Halves: when the handler saw no other heavy request (task.spareCore) and the pool is empty, a tall PNG map is made
 * by two workers at once, each drawing and deflating half of its rows (runMapTask with `half`); joinAnswer makes the
 * same bytes one worker makes. For a recording mapped before, each worker computes the map from its own open
 * recording: a warm 512 px map then takes about 3 ms less (BrainVision, raw FIF, evoked FIF) for about 1.4× the CPU.
 * A first map is computed once: one worker opens the recording and computes, then hands the map to the other
 * (MapTask.handover) and both draw (two workers opening a new recording at once were slower than one). First maps
 * then took 1–2.6 ms less than made whole (bench:topomap, 25 copies, two interleaved pairs, 2026-12-07: CTF
 * 24.9 / 23.5 against 26.7 / 26.0 ms, raw FIF 14.5 / 13.6 against 15.9 / 17.4). Warm maps made the same way used
 * less CPU (CTF 23.7 against 26.1 ms per map) but were no faster, so they keep computing in both workers.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Piscina as PiscinaClass } from 'piscina';
import { mapWorkerCount } from '../core/config';
import { halfStreamBound, topRows } from '../core/render';
import type { MapAnswer, MapTask, MapTaskResult } from './map-task';
import { joinAnswer, runMapTask, wholeAnswer } from './map-task';

export interface MapRunner {
  /** 'pool' with `threads` workers, or 'in-thread'. */
  readonly kind: 'pool' | 'in-thread';
  readonly threads: number;
  run(task: MapTask, signal?: AbortSignal): Promise<MapAnswer>;
  close(): Promise<void>;
}

/** Runs tasks in the calling thread (Lambda, tests, and wherever the worker bundle is absent). */
export function inThreadRunner(): MapRunner {
  return {
    kind: 'in-thread',
    threads: 0,
    run: async (task, signal) => wholeAnswer(await runMapTask(task, signal)),
    close: async () => undefined,
  };
}

/**
 * Heap of one map worker: JavaScript objects only (sample windows and pixels are off-heap ArrayBuffers). An
 * old-generation cap alone makes V8 shrink the young generation with it (many more scavenges per map); the young
 * generation gets the main thread's usual size.
 */
export const MAP_WORKER_RESOURCE_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 48 };

/**
 * Initial old generation of the isolates started from now on (V8's --initial-old-space-size, a process-wide flag
 * read when an isolate is created; the main thread's heap is configured already and keeps its own). Without it, V8
 * lowers a new heap's old-generation limit to a few MB above what survived its first scavenges, and a map worker
 * (≈ 19 MB live, a 48 MB young generation) then started a full mark-compact every 5–15 warm maps (29–35 per 200 CTF
 * maps, 12–17 per 400 EEG maps, `--trace-gc`), each also discarding optimised code that the helper threads compiled
 * again: 3–4 ms of CPU per CTF map on V8's helper threads. Per 200 warm CTF maps (2026-12-06): 64 MB 1–3
 * mark-compacts, 48 MB 3, 40 MB 8 (the same worker CPU per map, 12.9 ms), 32 MB 22 (16.1 ms); most of those
 * came from the CTF reader's new read buffer per map (external memory), kept since (lib/readers/ctf/read-buffer.ts). Under
 * `npm run load` 40 MB then peaked at 390–402 MB of RSS (six runs) and 32 MB at 377–381 (two runs, interleaved), for
 * 185 against 175 maps/s and warm maps through LORIS about 0.5 ms slower: 32 keeps the service under its 400 MB
 * bound with a margin. The live heap stayed at 19–26 MB then, and at about 12 MB (CTF) since the worker's bundle
 * left the database layer out (lib/service/recording-source.ts): V8 starts marking once the old generation is within
 * about a young generation of this limit, and 32 MB kept its limit all along (`--trace-gc`). Other workers started
 * later (the HDF5 reader's) get the same initial limit, within their own caps.
 */
export const WORKER_INITIAL_OLD_MB = 32;

/** Sets the initial old generation of isolates started from now on (before a pool starts its workers). */
export function configureWorkerHeaps(set: (flags: string) => void = setFlagsFromString): void {
  set(`--initial-old-space-size=${WORKER_INITIAL_OLD_MB}`);
}

/**
 * A piscina pool of `threads` workers running `workerFile` (dist/topomap/worker.js). piscina is loaded here,
 * on first use, so the Lambda bundle never needs it (nor packages it).
 */
export function poolRunner(workerFile: string, threads: number): MapRunner {
  // CommonJS require (piscina's main export is the class) behaves the same under Node, Jest and the bundle.
  const Piscina = createRequire(__filename)('piscina') as typeof PiscinaClass;
  configureWorkerHeaps();
  const pool = new Piscina<MapTask, MapTaskResult>({
    filename: workerFile,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    // Idle workers wait without blocking their event loop, so timers (closing evicted recordings) still run.
    atomics: 'async',
    idleTimeout: Infinity, // keep workers (and their caches) for the life of the service
    resourceLimits: MAP_WORKER_RESOURCE_LIMITS,
  });
  let running = 0;
  const mapped = recentKeys(MAX_RECENT_RECORDINGS);
  const runOne = async (
    task: MapTask,
    signal?: AbortSignal,
    transfer?: MessagePort,
  ): Promise<MapTaskResult> => {
    running++;
    try {
      return await pool.run(task, {
        ...(signal ? { signal } : {}),
        ...(transfer ? { transferList: [transfer] } : {}),
      });
    } finally {
      running--;
    }
  };
  // A recording mapped before: each worker computes the map (from its own open recording) and draws its half.
  const bothCompute = (top: MapTask, bottom: MapTask, signal?: AbortSignal): Halves => [
    runOne({ ...top, half: 'top' }, signal),
    runOne({ ...bottom, half: 'bottom' }, signal),
  ];
  // A first map: one worker opens the recording and computes, the other waits for that map and draws its half (two
  // workers opening a new recording at once cost more than they saved). The top's task is queued first, so with
  // one worker free it runs first and the bottom's never waits for a task behind it.
  const oneComputes = (top: MapTask, bottom: MapTask, signal?: AbortSignal): Halves => {
    const { port1, port2 } = new MessageChannel();
    return [
      runOne({ ...top, half: 'top', handover: port1 }, signal, port1),
      runOne({ ...bottom, half: 'bottom', handover: port2 }, signal, port2),
    ];
  };
  const slots = halfSlots();
  return {
    kind: 'pool',
    threads,
    run: async (task, signal) => {
      // The only heavy request (the handler's word) and no task in the pool: two idle workers make half each.
      const key = recordingKey(task);
      const seen = mapped.has(key);
      mapped.add(key);
      const idle = task.spareCore === true && running === 0 && threads >= 2;
      if (idle && splitsInHalves(task)) {
        const lent = slots.lend(task.query.size);
        const [top, bottom] = lent
          ? [
              { ...task, halfOut: lent[0] },
              { ...task, halfOut: lent[1] },
            ]
          : [task, task];
        const halves = (seen ? bothCompute : oneComputes)(top, bottom, signal);
        try {
          const [topHalf, bottomHalf] = await Promise.all(halves);
          // Joined into a buffer of its own, out of the lent memory.
          const joined = joinAnswer(topHalf, bottomHalf, task.query.size);
          if (joined) return joined;
        } finally {
          // Lent again only once both tasks have ended: a half that failed must not leave the other writing there.
          if (lent) void Promise.allSettled(halves).then(slots.release);
        }
        return wholeAnswer(await runOne(task, signal));
      }
      // Otherwise one worker makes it whole.
      return wholeAnswer(await runOne(task, signal));
    },
    close: () => pool.destroy(),
  };
}

/**
 * Two shared buffers for the deflated streams of a map's halves, lent to one map at a time (MapTask.halfOut): a
 * worker writes its half there instead of into a new buffer moved to this thread. V8 counts external memory (array
 * buffers) grown since its last full collection against the old generation's limit, and the front scavenges rarely,
 * so the moved halves (2 × 135 kB per warm CTF map) and the joined PNG used up the front's 35 MB of slack about
 * twice a second, each time a full collection of its 47 MB heap. Per 600 warm CTF maps (2026-12-07, `--trace-gc`,
 * three runs each) the front made 5–6 full collections instead of 10–11, with 136–240 instead of 251–310 ms of
 * marking and pauses; warm maps' p50 stayed within the runs' noise. Grown to the largest picture split so far (at
 * most the image size limit's). A map that finds them lent makes its halves in buffers of their own.
 */
export function halfSlots(): {
  lend(size: number): readonly [SharedArrayBuffer, SharedArrayBuffer] | undefined;
  release(): void;
} {
  let slots: [SharedArrayBuffer, SharedArrayBuffer] | undefined;
  let lent = false;
  return {
    lend(size) {
      if (lent) return undefined;
      const bytes = halfStreamBound(size, size);
      if (!slots || slots[0].byteLength < bytes)
        slots = [new SharedArrayBuffer(bytes), new SharedArrayBuffer(bytes)];
      lent = true;
      return slots;
    },
    release: () => {
      lent = false;
    },
  };
}

/** The tasks of a map's two halves, top first. */
type Halves = [Promise<MapTaskResult>, Promise<MapTaskResult>];

/** Recordings whose maps the pool has made, most recent last, for the split rule in poolRunner. */
const MAX_RECENT_RECORDINGS = 64;

function recentKeys(limit: number): { has(key: string): boolean; add(key: string): void } {
  const keys = new Set<string>();
  return {
    has: (key) => keys.has(key),
    add(key) {
      keys.delete(key);
      keys.add(key);
      if (keys.size > limit) keys.delete(keys.values().next().value as string);
    },
  };
}

/** A recording as a map worker opens it: file, condition, LORIS's extras. */
const recordingKey = (task: MapTask): string =>
  `${task.source.path}\0${task.source.condition ?? ''}\0${task.source.extrasKey}`;

/** Whether a task's picture is a PNG tall enough to be made in two halves. */
const splitsInHalves = (task: MapTask): boolean =>
  task.query.format === 'png' && topRows(task.query.size) < task.query.size;

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
