/**
 * A SourceFs confined to one folder (the data directory). Every path — a recording, its companions (.eeg,
 * .vmrk, .fdt, CTF members) and BIDS sidecars — is resolved with realpath and must stay inside the root; only
 * regular files are opened (a FIFO, socket or device is refused before any open, so nothing can block), and
 * directories only where a folder is listed. A file is opened by descriptor on its real path (O_NOFOLLOW,
 * O_NONBLOCK) and must be the very inode that was checked, so nothing can be swapped in between.
 * Refusals are 422 unreadable_recording naming only the file, never a full path.
 */
import {
  constants,
  fstat,
  fstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  statSync,
  type Stats,
} from 'node:fs';
import { open, readdir, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { isMainThread } from 'node:worker_threads';
import { ApiError, unreadableRecording } from '../core/errors';
import { descriptorFile, handleSource, type ByteSource, type OpenFile, type SourceFs } from './source';

export type RefusalReason =
  'outside_root' | 'not_a_regular_file' | 'not_a_directory' | 'changed_while_opening';

export interface FsRefusal {
  /** The requested path relative to the root ('..'-prefixed when it lies outside). */
  path: string;
  reason: RefusalReason;
}

export interface RootedFsOptions {
  /** Told of every refused path (e.g. to log it); the caller's error is thrown regardless. */
  onRefusal?: (refusal: FsRefusal) => void;
  /**
   * Resolve, stat, list, open and close synchronously (a descriptor, source.ts `descriptorFile`, instead of a
   * FileHandle). Default: in a worker thread. A map worker runs one task at a time, so a hop to libuv's pool and
   * back only delays it: about 45 µs per call against 1–2 µs in the thread, five calls per file (a CTF .ds opens or
   * looks for a dozen). The main thread keeps the asynchronous calls, so a slow file system never stalls its
   * requests.
   */
  sync?: boolean;
}

/** The file-system calls the checks and opens make, in the calling thread or on libuv's pool. */
interface CheckCalls {
  realpath(path: string): Promise<string>;
  stat(path: string): Promise<Stats>;
  open(path: string, flags: number): Promise<OpenFile | FileHandle>;
  fstat(file: OpenFile | FileHandle): Promise<Stats>;
  readlink(path: string): Promise<string>;
  readdir(path: string): Promise<string[]>;
}

// Each synchronous call runs inside an async function, so a failure is a rejection like the asynchronous call's.
const SYNC_CALLS: CheckCalls = {
  realpath: async (path) => realpathSync.native(path),
  stat: async (path) => statSync(path),
  open: async (path, flags) => descriptorFile(openSync(path, flags)),
  fstat: async (file) => fstatSync(file.fd),
  readlink: async (path) => readlinkSync(path),
  readdir: async (path) => readdirSync(path),
};

const fstatAsync = promisify(fstat);

const ASYNC_CALLS: CheckCalls = {
  realpath: (path) => realpath(path),
  stat: (path) => stat(path),
  open: (path, flags) => open(path, flags),
  fstat: (file) => fstatAsync(file.fd),
  readlink: (path) => readlink(path),
  readdir: (path) => readdir(path),
};

/** True when `child` is `root` itself or below it (both absolute, normalised). */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

const REFUSAL_MESSAGES: Record<RefusalReason, string> = {
  outside_root: 'is outside the data directory',
  not_a_regular_file: 'is not a regular file',
  not_a_directory: 'is not a folder',
  changed_while_opening: 'changed while it was opened',
};

/** A refused file: 422 unreadable_recording with the file's name only; `reason` is for logs and callers. */
export class RefusedFileError extends ApiError {
  readonly reason: RefusalReason;
  constructor(path: string, reason: RefusalReason) {
    const refused = unreadableRecording(`the file ${basename(path)} ${REFUSAL_MESSAGES[reason]}`);
    super(refused.status, refused.code, refused.message);
    this.reason = reason;
  }
}

export const isRefusedFile = (error: unknown): error is RefusedFileError => error instanceof RefusedFileError;

/** The errno code of a Node file-system error (checked structurally: jest's realms defeat instanceof Error). */
const errorCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;

const MISSING_CODES = new Set(['ENOENT', 'ENOTDIR']);
const isMissing = (error: unknown): boolean => MISSING_CODES.has(errorCode(error) ?? '');

/** O_NOFOLLOW: the real path's last component must not have become a symlink; O_NONBLOCK: a FIFO never blocks. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

interface Entry {
  real: string;
  info: Stats;
}

/** The kernel's own path of an open descriptor (Linux); undefined where /proc is not available. */
async function descriptorPath(handle: OpenFile, calls: CheckCalls): Promise<string | undefined> {
  return calls.readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
}

/**
 * A SourceFs that reads only regular files whose real path lies inside `root` (see the file's comment). Paths
 * may be absolute or relative to the root. The root's own real path is taken once, on first use.
 */
export function rootedSourceFs(root: string, options: RootedFsOptions = {}): SourceFs {
  const given = resolve(root);
  const calls = (options.sync ?? !isMainThread) ? SYNC_CALLS : ASYNC_CALLS;
  let realRoot: Promise<string> | undefined;
  const rootReal = (): Promise<string> => (realRoot ??= calls.realpath(given));

  const refuse = (path: string, reason: RefusalReason): RefusedFileError => {
    options.onRefusal?.({ path: relative(given, path) || '.', reason });
    return new RefusedFileError(path, reason);
  };

  /** The real path and stat of `path` inside the root; undefined when nothing is there. */
  const resolveEntry = async (path: string): Promise<Entry | undefined> => {
    const absolute = resolve(given, path);
    const top = await rootReal();
    if (!isInside(given, absolute) && !isInside(top, absolute)) throw refuse(absolute, 'outside_root');
    let real: string;
    try {
      real = await calls.realpath(absolute);
    } catch (error) {
      if (isMissing(error)) return undefined; // also a dangling symlink: nothing to read
      throw error;
    }
    if (!isInside(top, real)) throw refuse(absolute, 'outside_root');
    return { real, info: await calls.stat(real) };
  };

  /** Opens the checked real path and proves the descriptor is that same regular file, still inside. */
  const openVerified = async (path: string, entry: Entry): Promise<ByteSource> => {
    let handle: OpenFile | FileHandle;
    try {
      handle = await calls.open(entry.real, OPEN_FLAGS);
    } catch (error) {
      if (errorCode(error) === 'ELOOP') throw refuse(path, 'changed_while_opening');
      if (isMissing(error)) throw unreadableRecording(`${basename(path)} is missing`);
      throw error;
    }
    try {
      const now = await calls.fstat(handle);
      if (!now.isFile()) throw refuse(path, 'not_a_regular_file');
      if (now.dev !== entry.info.dev || now.ino !== entry.info.ino)
        throw refuse(path, 'changed_while_opening');
      const opened = await descriptorPath(handle, calls);
      if (opened !== undefined && !isInside(await rootReal(), opened)) throw refuse(path, 'outside_root');
      return handleSource(handle, basename(path), now.size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  };

  return {
    root: given,
    open: async (path) => {
      const entry = await resolveEntry(path);
      if (!entry) throw unreadableRecording(`${basename(path)} is missing`);
      if (!entry.info.isFile()) throw refuse(path, 'not_a_regular_file');
      return openVerified(path, entry);
    },
    readdir: async (path) => {
      const entry = await resolveEntry(path);
      if (!entry) throw unreadableRecording(`the folder ${basename(path)} is missing`);
      if (!entry.info.isDirectory()) throw refuse(path, 'not_a_directory');
      return (await calls.readdir(entry.real)).sort();
    },
    // An entry resolving outside is refused here already; a FIFO exists, and opening it is refused (never "missing").
    exists: async (path) => (await resolveEntry(path)) !== undefined,
    isDirectory: async (path) => (await resolveEntry(path))?.info.isDirectory() ?? false,
  };
}
