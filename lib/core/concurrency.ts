/**
 * Admission control for heavy routes: a counting limiter with a bounded FIFO of waiting requests. A request
 * runs when one of `cap` slots is free, waits (holding nothing but a promise) while at most `maxQueued`
 * others wait, and is refused beyond that (the caller answers 429). A per-process registry lets every handler
 * bundle loaded in one process share the same limiter.
 */

/** Frees one slot; calling it more than once has no further effect. */
export type Release = () => void;

export interface ConcurrencyLimiter {
  readonly cap: number;
  readonly maxQueued: number;
  readonly active: number;
  readonly queued: number;
  /** A release function when a slot is free now, otherwise null. */
  tryAcquire(): Release | null;
  /**
   * A slot now or after waiting in line; null when the line is full. Aborting `signal` while waiting leaves
   * the line and rejects with the signal's reason.
   */
  acquire(signal?: AbortSignal): Promise<Release> | null;
}

interface Waiter {
  grant: (release: Release) => void;
}

export function createConcurrencyLimiter(cap: number, maxQueued = 0): ConcurrencyLimiter {
  if (!Number.isInteger(cap) || cap < 1) throw new RangeError('concurrency cap must be a positive integer');
  if (!Number.isInteger(maxQueued) || maxQueued < 0)
    throw new RangeError('queue length must be a whole number');
  let active = 0;
  const line: Waiter[] = [];

  // A freed slot goes straight to the first waiter, so `active` never drops while someone waits.
  const slot = (): Release => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = line.shift();
      if (next) next.grant(slot());
      else active--;
    };
  };
  const tryAcquire = (): Release | null => {
    if (active >= cap) return null;
    active++;
    return slot();
  };

  const wait = (signal?: AbortSignal): Promise<Release> =>
    new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', leave);
          resolve(release);
        },
      };
      function leave(): void {
        const at = line.indexOf(waiter);
        if (at >= 0) line.splice(at, 1);
        reject(signal?.reason);
      }
      line.push(waiter);
      signal?.addEventListener('abort', leave, { once: true });
    });

  return {
    cap,
    maxQueued,
    get active() {
      return active;
    },
    get queued() {
      return line.length;
    },
    tryAcquire,
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      const now = tryAcquire();
      if (now) return Promise.resolve(now);
      if (line.length >= maxQueued) return null;
      return wait(signal);
    },
  };
}

// Each function is its own esbuild bundle, so module state is per bundle; the registry lives on globalThis so
// that the topomap and sensors handlers running in one process (serverless-offline useInProcess) share a cap.
const REGISTRY_KEY = Symbol.for('loris-ephys-api.concurrency-limiters');

function registry(): Map<string, ConcurrencyLimiter> {
  const holder = globalThis as { [REGISTRY_KEY]?: Map<string, ConcurrencyLimiter> };
  holder[REGISTRY_KEY] ??= new Map();
  return holder[REGISTRY_KEY];
}

/**
 * Whether the process-wide limiter called `name` holds one request and none wait: a handler running under it is
 * then the only one of its kind in the process (other cores are likely idle).
 */
export function runsAlone(name: string): boolean {
  const limiter = registry().get(name);
  return limiter !== undefined && limiter.active === 1 && limiter.queued === 0;
}

/** The process-wide limiter called `name`, created on first use (changed settings replace an idle one). */
export function processLimiter(name: string, cap: number, maxQueued = 0): ConcurrencyLimiter {
  const limiters = registry();
  const existing = limiters.get(name);
  const idle = existing && existing.active === 0 && existing.queued === 0;
  if (existing && ((existing.cap === cap && existing.maxQueued === maxQueued) || !idle)) return existing;
  const created = createConcurrencyLimiter(cap, maxQueued);
  limiters.set(name, created);
  return created;
}
