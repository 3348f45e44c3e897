/**
 * A bounded, time-limited memo of asynchronous lookups (database rows, resolved paths): an entry is reused for
 * at most `ttlMs` after its lookup started, so what it says is never older than that; concurrent misses share
 * one lookup; a failed lookup is forgotten at once; beyond `maxEntries` the least recently used entry goes.
 * ttlMs 0 turns it off (every call looks up).
 */
export interface Memo<T> {
  get(key: string, ttlMs: number, load: () => Promise<T>): Promise<T>;
  readonly size: number;
  clear(): void;
}

export function createMemo<T>(maxEntries: number): Memo<T> {
  if (!(maxEntries >= 1)) throw new RangeError('memo size must be at least 1');
  const entries = new Map<string, { expiresAt: number; value: Promise<T> }>();
  return {
    get(key, ttlMs, load) {
      if (ttlMs <= 0) return load();
      const now = Date.now();
      const hit = entries.get(key);
      entries.delete(key);
      if (hit && hit.expiresAt > now) {
        entries.set(key, hit); // most recently used last
        return hit.value;
      }
      const entry = { expiresAt: now + ttlMs, value: load() };
      entries.set(key, entry);
      entry.value.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
      return entry.value;
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}
