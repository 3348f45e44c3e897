/** A small least-recently-used cache keyed by strings the caller builds (e.g. recording id + options). */

export interface Lru<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  /** Returns the cached value or computes, stores and returns it. */
  getOrCreate(key: string, create: () => V): V;
  readonly size: number;
  /** Bytes held, by `bytesOf` (0 without it). */
  readonly bytes: number;
  clear(): void;
}

export interface LruBytes<V> {
  /** Beyond this many bytes (as `bytesOf` counts them) the least recently used entries go; the newest stays. */
  maxBytes: number;
  bytesOf: (value: V) => number;
}

/**
 * `onEvict` is called with entries pushed out by newer ones (e.g. to release resources). With `limit`, the cache
 * is also bounded by bytes.
 */
export function createLru<V>(
  maxEntries: number,
  onEvict?: (value: V, key: string) => void,
  limit?: LruBytes<V>,
): Lru<V> {
  if (!(maxEntries >= 1)) throw new RangeError('LRU size must be at least 1');
  const entries = new Map<string, { value: V; bytes: number }>();
  let bytes = 0;
  const remove = (key: string): void => {
    const old = entries.get(key);
    if (!old) return;
    entries.delete(key);
    bytes -= old.bytes;
  };
  const over = (): boolean =>
    entries.size > maxEntries || (!!limit && bytes > limit.maxBytes && entries.size > 1);
  const touch = (key: string, value: V): void => {
    remove(key);
    const size = limit ? limit.bytesOf(value) : 0;
    entries.set(key, { value, bytes: size });
    bytes += size;
    while (over()) {
      const oldest = entries.keys().next();
      if (oldest.done) break;
      const evicted = entries.get(oldest.value)!.value;
      remove(oldest.value);
      onEvict?.(evicted, oldest.value);
    }
  };
  const lru: Lru<V> = {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      touch(key, entry.value);
      return entry.value;
    },
    set: touch,
    getOrCreate(key, create) {
      if (entries.has(key)) return lru.get(key) as V;
      const value = create();
      touch(key, value);
      return value;
    },
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
    clear() {
      entries.clear();
      bytes = 0;
    },
  };
  return lru;
}
