/**
 * The one layer that opens a recording for a handler: the reader for its format, then the best electrode
 * positions available (LORIS database, BIDS sidecars, the file itself, a standard montage, in that order),
 * bad channels from every source, and events from the file and LORIS (read when first asked for). MEG sensor
 * positions always come from the file. The result is cached while every file the open touched is unchanged (see createRecordingCache);
 * so is a failed open (unreadable or unsupported), briefly, so a poisoned file is parsed once, not per request.
 * The service always opens through a rooted SourceFs (the data directory); the command line may use localFs.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { isApiError, notFound } from '../core/errors';
import { createLru } from '../core/topomap/lru';
import { openRecording } from '../readers';
import {
  badChannels,
  findSidecars,
  matchMontage,
  parseChannelsTsv,
  readBidsPositions,
  toHeadFrame,
  type Fiducials,
  type LengthUnit,
  type NamedPoint,
} from '../readers/positions';
import { eventsOnDemand } from '../readers/events';
import { isRefusedFile } from '../readers/rooted-fs';
import { localFs, type SourceFs } from '../readers/source';
import { getConfig } from './runtime';
import type { ChannelInfo, DigPoint, Recording, RecordingEvent, RecordingInfo } from '../readers/types';

/** Positions LORIS stores for a file (electrodes.tsv imported into physiological_electrode/point_3d). */
export interface StoredElectrodes {
  points: NamedPoint[];
  unit: LengthUnit;
  system: string;
  fiducials?: Fiducials;
}

/** What the LORIS database knows about a recording beyond its path (absent in standalone mode). */
export interface LorisRecordingExtras {
  electrodes?: StoredElectrodes | null;
  badChannels?: string[];
  events?: RecordingEvent[];
}

export type PositionSource = 'database' | 'sidecar' | 'file' | `montage:${string}` | 'none';

export interface RecordingIdentity {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface OpenedRecording {
  recording: Recording;
  /** The reader's info with EEG positions and bads merged from every source. */
  info: RecordingInfo;
  /** The reader's events and LORIS's, by onset; read when first asked for (Recording.readEvents). */
  readEvents(): Promise<RecordingEvent[]>;
  /** Where EEG positions came from ('none' when the recording has no EEG or no positions were found). */
  positionSource: PositionSource;
  identity: RecordingIdentity;
  /** A short stable string for caches and ETags. */
  identityKey: string;
  /** The recording cache's key (identity plus database extras), when it came from openCached. */
  cacheKey?: string;
  /**
   * When it came from openCached: `[path, signature]` of every file and folder its open touched (inode, size,
   * mtime), as plain data, so an answer made from it can be reused while they are unchanged (signaturesUnchanged).
   */
  signatures?: [string, string][];
}

/** A channel with a finite, non-zero position (MNE treats all-zero loc as unknown). */
export const hasPosition = (c: ChannelInfo): boolean => {
  const [x, y, z] = c.loc;
  return [x, y, z].every((v) => v !== undefined && Number.isFinite(v)) && (x !== 0 || y !== 0 || z !== 0);
};

const isEeg = (c: ChannelInfo): boolean => c.type === 'eeg';

/** Identity of a recording: size and mtime of the file, or summed over a CTF folder's files (listed via `fs`). */
export async function recordingIdentity(path: string, fs: SourceFs = localFs): Promise<RecordingIdentity> {
  let s;
  try {
    s = await stat(path);
  } catch {
    throw notFound('recording_missing', 'The recording file is not present on disk.');
  }
  if (!s.isDirectory()) return { path, size: s.size, mtimeMs: s.mtimeMs };
  const names = (await fs.readdir(path)).slice(0, 1000);
  let size = 0;
  let mtimeMs = s.mtimeMs;
  // All at once (at most 1000): a sum and a maximum do not depend on the order, and one round of the thread pool
  // costs less than one round per file.
  const stats = await Promise.all(names.map((name) => stat(join(path, name)).catch(() => null)));
  for (const f of stats) {
    if (f?.isFile()) {
      size += f.size;
      mtimeMs = Math.max(mtimeMs, f.mtimeMs);
    }
  }
  return { path, size, mtimeMs };
}

function withPositions(info: RecordingInfo, positions: NamedPoint[], fiducials?: Fiducials): RecordingInfo {
  const byName = new Map(positions.map((p) => [p.name.toLowerCase(), p.r]));
  const channels = info.channels.map((c) => {
    if (!isEeg(c)) return c;
    const r = byName.get(c.name.toLowerCase());
    const loc = new Array<number>(12).fill(0);
    if (r && r.every(Number.isFinite)) [loc[0], loc[1], loc[2]] = r;
    else loc.fill(NaN, 0, 3);
    return { ...c, loc, coordFrame: 'head' as const };
  });
  // As MNE's set_montage: the digitisation becomes the fiducials and the electrodes of the new positions.
  const dig: DigPoint[] = [];
  if (fiducials) {
    dig.push({ kind: 'cardinal', ident: 1, r: fiducials.lpa, coordFrame: 'head' });
    dig.push({ kind: 'cardinal', ident: 2, r: fiducials.nasion, coordFrame: 'head' });
    dig.push({ kind: 'cardinal', ident: 3, r: fiducials.rpa, coordFrame: 'head' });
  }
  channels
    .filter((c) => isEeg(c) && hasPosition(c))
    .forEach((c, i) => {
      dig.push({
        kind: 'eeg',
        ident: i + 1,
        r: [c.loc[0] ?? 0, c.loc[1] ?? 0, c.loc[2] ?? 0],
        coordFrame: 'head',
      });
    });
  return { ...info, channels, dig };
}

const countMatched = (info: RecordingInfo, points: NamedPoint[]): number => {
  const names = new Set(points.filter((p) => p.r.every(Number.isFinite)).map((p) => p.name.toLowerCase()));
  return info.channels.filter((c) => isEeg(c) && names.has(c.name.toLowerCase())).length;
};

/** An unusable sidecar is skipped, but one refused by a rooted fs (outside the data directory) fails the open. */
const ignoreUnlessRefused = (error: unknown): null => {
  if (isRefusedFile(error)) throw error;
  return null;
};

/** Chooses EEG positions by precedence and returns the info with them applied. */
async function applyBestPositions(
  path: string,
  fs: SourceFs,
  info: RecordingInfo,
  extras: LorisRecordingExtras,
): Promise<{ info: RecordingInfo; source: PositionSource }> {
  const eeg = info.channels.filter(isEeg);
  if (eeg.length === 0) return { info, source: 'none' };
  const stored = extras.electrodes;
  if (stored && stored.points.length > 0) {
    const head = toHeadFrame(stored.points, stored.unit, stored.system, stored.fiducials);
    if (countMatched(info, head) > 0) return { info: withPositions(info, head), source: 'database' };
  }
  const bids = await readBidsPositions(path, fs).catch(ignoreUnlessRefused);
  if (bids && countMatched(info, bids.positions) > 0) {
    return { info: withPositions(info, bids.positions), source: 'sidecar' };
  }
  if (eeg.some(hasPosition)) return { info, source: 'file' };
  const montage = matchMontage(eeg.map((c) => c.name));
  if (montage.montage && montage.positions.length > 0) {
    return {
      info: withPositions(info, montage.positions, montage.fiducials ?? undefined),
      source: `montage:${montage.montage}`,
    };
  }
  return { info, source: 'none' };
}

async function sidecarBads(path: string, fs: SourceFs): Promise<string[]> {
  const sidecars = await findSidecars(path, fs).catch(() => ({}) as { channels?: string });
  if (!sidecars.channels) return [];
  const src = await fs.open(sidecars.channels);
  try {
    if (src.size > 16 * 1024 * 1024) return [];
    return badChannels(parseChannelsTsv(new TextDecoder().decode(await src.read(0, src.size))));
  } finally {
    await src.close();
  }
}

function mergeBads(info: RecordingInfo, ...lists: string[][]): string[] {
  const known = new Map(info.channels.map((c) => [c.name.toLowerCase(), c.name]));
  const out = new Set(info.bads);
  for (const name of lists.flat()) {
    const canonical = known.get(name.toLowerCase());
    if (canonical) out.add(canonical);
  }
  return [...out];
}

export interface OpenRecordingOptions {
  fs?: SourceFs;
  extras?: LorisRecordingExtras;
  condition?: number;
  /** The identity to use instead of stat-ing `path` (recordings served from a non-local `fs`, e.g. fuzzing). */
  identity?: RecordingIdentity;
  /** The readers' decoded-size budget (OpenOptions.maxDecodedBytes; the readers' default when absent). */
  maxDecodedBytes?: number;
}

/** Opens a recording and merges positions, bads and events from every source (not cached). */
export async function openForHandler(
  path: string,
  options: OpenRecordingOptions = {},
): Promise<OpenedRecording> {
  const fs = options.fs ?? localFs;
  const extras = options.extras ?? {};
  const identity = options.identity ?? (await recordingIdentity(path, fs));
  const recording = await openRecording(path, fs, {
    condition: options.condition,
    maxDecodedBytes: options.maxDecodedBytes,
  });
  try {
    const { info: positioned, source } = await applyBestPositions(path, fs, recording.info, extras);
    const bads = mergeBads(positioned, await sidecarBads(path, fs), extras.badChannels ?? []);
    const readEvents = eventsOnDemand(async () =>
      [...(await recording.readEvents()), ...(extras.events ?? [])].sort((a, b) => a.onset - b.onset),
    );
    const info = { ...positioned, bads };
    const identityKey = `${identity.path}|${identity.size}|${Math.round(identity.mtimeMs)}|${options.condition ?? 0}`;
    return { recording, info, readEvents, positionSource: source, identity, identityKey };
  } catch (error) {
    await recording.close();
    throw error;
  }
}

/** `inode:size:mtime` of a path, or 'absent': a file renamed over another changes at least its inode. */
const signatureOf = (s: { ino: number; size: number; mtimeMs: number } | null | undefined): string =>
  s ? `${s.ino}:${s.size}:${s.mtimeMs}` : 'absent';

/**
 * A path's signature. A map worker stats synchronously: it has nothing else to do meanwhile, and a stat on
 * libuv's pool costs it more CPU than the call itself (0.3 ms per map for a recording's 5–9 paths, measured
 * under load). The main thread keeps the asynchronous stat, so a slow file system never stalls its other requests.
 */
async function statSignature(path: string): Promise<string> {
  if (!isMainThread) {
    try {
      return signatureOf(statSync(path, { throwIfNoEntry: false }));
    } catch {
      return signatureOf(null); // as below: any failure reads as absent
    }
  }
  return signatureOf(await stat(path).catch(() => null));
}

/**
 * A SourceFs that notes, before each use, the signature of every path an open touches: the files it opens
 * (a .vhdr's .eeg and .vmrk, a .set's .fdt, sidecars) and the paths and folders it looks for. Stat-ing before
 * opening means a file replaced in between is seen as changed on the next request (never the reverse).
 */
function trackingFs(fs: SourceFs, touched: Map<string, Promise<string>>): SourceFs {
  const note = (path: string): Promise<string> => {
    let signature = touched.get(path);
    if (!signature) {
      signature = statSignature(path);
      touched.set(path, signature);
    }
    return signature;
  };
  return {
    root: fs.root,
    open: async (path) => (await note(path), fs.open(path)),
    readdir: async (path) => (await note(path), fs.readdir(path)),
    exists: async (path) => (await note(path), fs.exists(path)),
    isDirectory: async (path) => (await note(path), fs.isDirectory(path)),
  };
}

interface CachedRecording {
  opened: OpenedRecording;
  /** Signatures, at open time, of every path the open touched. */
  dependencies: Map<string, string>;
}

/** A failed open remembered until `expiresAt`, while every file it touched is unchanged. */
interface FailedOpen {
  error: unknown;
  dependencies: Map<string, string>;
  expiresAt: number;
}

async function unchanged(dependencies: Map<string, string>): Promise<boolean> {
  return signaturesUnchanged([...dependencies]);
}

/** True while every path still has the signature noted (OpenedRecording.signatures). */
export async function signaturesUnchanged(
  signatures: readonly (readonly [string, string])[],
): Promise<boolean> {
  const now = await Promise.all(signatures.map(([path]) => statSignature(path)));
  return signatures.every(([, signature], i) => signature === now[i]);
}

/** Failures that say something about the files themselves; I/O errors (EMFILE, EIO), timeouts and aborts are retried. */
const FILE_FAULT_CODES: ReadonlySet<string> = new Set(['unreadable_recording', 'unsupported_format']);
export const isFileFault = (error: unknown): boolean => isApiError(error) && FILE_FAULT_CODES.has(error.code);

/** An open that failed, with the signatures of what it had touched by then. */
class OpenFailure {
  constructor(
    readonly error: unknown,
    readonly dependencies: Map<string, string>,
  ) {}
}

async function signaturesOf(touched: Map<string, Promise<string>>): Promise<Map<string, string>> {
  const signatures = await Promise.all(touched.values());
  return new Map([...touched.keys()].map((p, i) => [p, signatures[i] ?? 'absent']));
}

export interface RecordingCache {
  open(path: string, options?: OpenRecordingOptions & { extrasKey?: string }): Promise<OpenedRecording>;
  readonly size: number;
  /** Failed opens currently remembered (expired ones may still count until they are looked up or evicted). */
  readonly failedSize: number;
}

export interface FailedOpenOptions {
  /** How long a failed open (unreadable_recording, unsupported_format) is answered from memory; 0 disables. */
  ttlMs?: number;
  maxEntries?: number;
}

/**
 * Opened recordings by path, condition and database extras, at most `maxEntries`. An entry is served only
 * while every file its open touched is unchanged (inode, size, mtime), so a replaced recording, data file or
 * sidecar is reopened, never served from stale state. Evicted or replaced recordings are closed after
 * `closeGraceMs`, so a request still reading one is not cut short. Concurrent misses share one open.
 * Failed opens of unreadable or unsupported files are remembered the same way for `failedOpens.ttlMs` (at most
 * `failedOpens.maxEntries`): a poisoned file costs one parse per TTL, and a fixed or replaced file is reopened
 * at once.
 */
export function createRecordingCache(
  maxEntries = 16,
  closeGraceMs = 30_000,
  failedOpens: FailedOpenOptions = {},
): RecordingCache {
  const { ttlMs: failedOpenTtlMs = 30_000, maxEntries: maxFailedEntries = 64 } = failedOpens;
  const closeLater = (entry: CachedRecording): void => {
    setTimeout(() => void entry.opened.recording.close().catch(() => undefined), closeGraceMs).unref();
  };
  const lru = createLru<CachedRecording>(maxEntries, closeLater);
  const failed = createLru<FailedOpen>(maxFailedEntries);
  const opening = new Map<string, Promise<CachedRecording>>();

  const openEntry = async (
    path: string,
    key: string,
    options: OpenRecordingOptions,
  ): Promise<CachedRecording> => {
    const touched = new Map<string, Promise<string>>([[path, statSignature(path)]]);
    let opened: OpenedRecording;
    try {
      opened = await openForHandler(path, { ...options, fs: trackingFs(options.fs ?? localFs, touched) });
    } catch (error) {
      throw new OpenFailure(error, await signaturesOf(touched));
    }
    const dependencies = await signaturesOf(touched);
    const digest = createHash('sha1')
      .update([...dependencies.values()].join(';'))
      .digest('hex')
      .slice(0, 12);
    return {
      opened: {
        ...opened,
        identityKey: `${opened.identityKey}|${digest}`,
        cacheKey: key,
        signatures: [...dependencies],
      },
      dependencies,
    };
  };

  const rememberFailure = (key: string, failure: OpenFailure): void => {
    if (failedOpenTtlMs > 0 && isFileFault(failure.error)) {
      failed.set(key, { ...failure, expiresAt: Date.now() + failedOpenTtlMs });
    }
  };

  /** The remembered error of a recent failed open whose files are unchanged, if any. */
  const recentFailure = async (key: string): Promise<FailedOpen | undefined> => {
    const entry = failed.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now() && (await unchanged(entry.dependencies))) return entry;
    return undefined;
  };

  const openShared = async (path: string, key: string, options: OpenRecordingOptions) => {
    const created = openEntry(path, key, options);
    opening.set(key, created);
    try {
      const entry = await created;
      const replaced = lru.get(key);
      lru.set(key, entry);
      if (replaced && replaced !== entry) closeLater(replaced);
      return entry.opened;
    } catch (error) {
      if (!(error instanceof OpenFailure)) throw error;
      rememberFailure(key, error);
      throw error.error;
    } finally {
      opening.delete(key);
    }
  };

  const open: RecordingCache['open'] = async (path, options = {}) => {
    // A deleted file changes the path's own signature, so it is reopened and answers 404 recording_missing.
    const key = `${path}|${options.condition ?? 0}|${options.extrasKey ?? ''}`;
    const hit = lru.get(key);
    if (hit && (await unchanged(hit.dependencies))) return hit.opened;
    const failure = await recentFailure(key);
    if (failure) throw failure.error;
    const pending = opening.get(key);
    if (pending) {
      try {
        return (await pending).opened;
      } catch (error) {
        throw error instanceof OpenFailure ? error.error : error;
      }
    }
    return openShared(path, key, options);
  };

  return {
    open,
    get size() {
      return lru.size;
    },
    get failedSize() {
      return failed.size;
    },
  };
}

let defaultCache: RecordingCache | undefined;

/** The process's recording cache (see createRecordingCache), its failed-open TTL from the configuration. */
function processCache(): RecordingCache {
  defaultCache ??= createRecordingCache(16, 30_000, { ttlMs: getConfig().limits.failedOpenTtlMs });
  return defaultCache;
}

/**
 * Opens through the process's cache; `fs` is required: the service passes a rooted file system (the data
 * directory), so no file outside it is ever read. `extrasKey` distinguishes database extras.
 */
export const openCached = (
  path: string,
  options: OpenRecordingOptions & { extrasKey?: string; fs: SourceFs },
): Promise<OpenedRecording> => processCache().open(path, options);

export const recordingCacheSize = (): number => defaultCache?.size ?? 0;
