/**
 * Admission control for heavy routes: a counting limiter that refuses (never queues) a request over its cap,
 * and the per-process registry that lets every handler bundle loaded in one process share the same count.
 */

/** Frees one slot; calling it more than once has no further effect. */
export type Release = () => void;

export interface ConcurrencyLimiter {
  readonly cap: number;
  readonly active: number;
  /** A release function when a slot is free, otherwise null (the caller answers 429). */
  tryAcquire(): Release | null;
}

export function createConcurrencyLimiter(cap: number): ConcurrencyLimiter {
  if (!Number.isInteger(cap) || cap < 1) throw new RangeError('concurrency cap must be a positive integer');
  let active = 0;
  return {
    cap,
    get active() {
      return active;
    },
    tryAcquire() {
      if (active >= cap) return null;
      active++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        active--;
      };
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

/** The process-wide limiter called `name`, created with `cap` on first use (a later cap replaces an idle one). */
export function processLimiter(name: string, cap: number): ConcurrencyLimiter {
  const limiters = registry();
  const existing = limiters.get(name);
  if (existing && (existing.cap === cap || existing.active > 0)) return existing;
  const created = createConcurrencyLimiter(cap);
  limiters.set(name, created);
  return created;
}
