/** A small least-recently-used cache keyed by strings the caller builds (e.g. recording id + options). */

export interface Lru<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  /** Returns the cached value or computes, stores and returns it. */
  getOrCreate(key: string, create: () => V): V;
  readonly size: number;
  clear(): void;
}

/** `onEvict` is called with entries pushed out by newer ones (e.g. to release resources). */
export function createLru<V>(maxEntries: number, onEvict?: (value: V, key: string) => void): Lru<V> {
  if (!(maxEntries >= 1)) throw new RangeError('LRU size must be at least 1');
  const entries = new Map<string, V>();
  const touch = (key: string, value: V): void => {
    entries.delete(key);
    entries.set(key, value);
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done) break;
      const evicted = entries.get(oldest.value) as V;
      entries.delete(oldest.value);
      onEvict?.(evicted, oldest.value);
    }
  };
  const lru: Lru<V> = {
    get(key) {
      if (!entries.has(key)) return undefined;
      const value = entries.get(key) as V;
      touch(key, value);
      return value;
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
    clear() {
      entries.clear();
    },
  };
  return lru;
}
