/**
 * Finished map pictures (PNG, SVG) kept in the request thread, so a map asked for again — another user of the same
 * recording, a viewer going back to a window, a reload — is answered without reaching a map worker. Authorisation
 * always runs first (the handler), so the cache only saves the computation; the picture itself does not depend
 * on who asks.
 *
 * An entry is keyed by the recording source (real path, condition, LORIS's extras and their key) and the
 * normalised query, and is served only while every file its recording was opened from is unchanged (the same
 * inode/size/mtime signatures the recording cache checks), so a replaced recording or sidecar is recomputed.
 * Bounded: at most `maxEntries` pictures and `maxBytes` of them, least recently used first out. JSON answers
 * (grids) are not kept.
 */
import { normaliseQuery } from '../core/topomap-params';
import type { MapRunner } from './map-runner';
import type { MapAnswer, MapPicture, MapTask } from './map-task';
import { signaturesUnchanged } from './open-recording';

type CachedPicture = Extract<MapPicture, { kind: 'binary' | 'text' }> & { signatures: [string, string][] };

export interface AnswerCache {
  readonly maxBytes: number;
  readonly maxEntries: number;
  /** Bytes of pictures held. */
  readonly bytes: number;
  readonly size: number;
  /** The picture under `key` while its files are unchanged (an entry whose files changed is dropped). */
  get(key: string): Promise<CachedPicture | undefined>;
  /** Keeps a picture made from files with known signatures; pictures over a quarter of the budget are not kept. */
  set(key: string, picture: MapAnswer): void;
}

const pictureBytes = (p: CachedPicture): number =>
  p.kind === 'binary' ? p.body.byteLength : Buffer.byteLength(p.body);

function cacheable(result: MapAnswer): result is CachedPicture {
  return (result.kind === 'binary' || result.kind === 'text') && result.signatures !== undefined;
}

export function createAnswerCache(limits: { maxBytes: number; maxEntries?: number }): AnswerCache {
  const entries = new Map<string, CachedPicture>();
  const maxEntries = limits.maxEntries ?? 512;
  let bytes = 0;
  const drop = (key: string): void => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= pictureBytes(entry);
  };
  return {
    maxBytes: limits.maxBytes,
    maxEntries,
    get bytes() {
      return bytes;
    },
    get size() {
      return entries.size;
    },
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (!(await signaturesUnchanged(entry.signatures))) {
        if (entries.get(key) === entry) drop(key);
        return undefined;
      }
      if (entries.get(key) === entry) {
        entries.delete(key); // most recently used last
        entries.set(key, entry);
      }
      return entry;
    },
    set(key, answer) {
      if (!cacheable(answer)) return;
      // Kept without the timing of the task that made it: a later answer from here took none of that time.
      const { timing: _made, ...picture } = answer;
      const size = pictureBytes(picture);
      if (size > limits.maxBytes / 4) return;
      drop(key);
      entries.set(key, picture);
      bytes += size;
      for (const oldest of entries.keys()) {
        if (bytes <= limits.maxBytes && entries.size <= maxEntries) break;
        drop(oldest);
      }
    },
  };
}

/** The key of a map task's answer: the recording as opened (path, condition, LORIS extras) and the query. */
export function answerKey(task: Pick<MapTask, 'source' | 'query'>): string {
  const { source, query } = task;
  return [source.path, source.condition ?? 0, source.extrasKey, normaliseQuery(query)].join('\n');
}

/**
 * Runs a map task through the cache: a kept picture (or a 304 when the client already has it), else the runner's
 * answer, kept when it is a picture. Without a cache (`cache` undefined) this is `runner.run`.
 */
export async function runThroughCache(
  runner: MapRunner,
  cache: AnswerCache | undefined,
  task: MapTask,
  signal?: AbortSignal,
): Promise<MapAnswer> {
  if (!cache || task.query.format === 'json') return runner.run(task, signal);
  const key = answerKey(task);
  const kept = await cache.get(key);
  if (kept) return task.ifNoneMatch === kept.etag ? { kind: 'not-modified', etag: kept.etag } : kept;
  const result = await runner.run(task, signal);
  cache.set(key, result);
  return result;
}

let shared: AnswerCache | null | undefined;

/** This process's answer cache, `megabytes` large (created on first use); undefined when 0 (switched off). */
export function processAnswerCache(megabytes: number): AnswerCache | undefined {
  if (shared === undefined)
    shared = megabytes > 0 ? createAnswerCache({ maxBytes: megabytes * 1024 * 1024 }) : null;
  return shared ?? undefined;
}
