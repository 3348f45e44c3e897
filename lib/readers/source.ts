/**
 * Random-access byte sources. Readers see recordings only through these, so a file today can be an object
 * store tomorrow, and tests can count the bytes a window read really touched.
 */
import { closeSync, read as readCallback, readSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { unreadableRecording } from '../core/errors';

export interface ByteSource {
  /** A name for messages (file name, never a full path). */
  readonly name: string;
  readonly size: number;
  /**
   * Reads exactly `length` bytes at `offset`; reading past the end is an unreadable_recording error. With `into`
   * (at least `length` bytes) a file source reads into it and returns a view of it, for callers that reuse one
   * buffer across reads; other sources may return their own bytes instead.
   */
  read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array>;
  /** Total bytes handed out by `read` since the source was opened. */
  readonly bytesRead: number;
  close(): Promise<void>;
}

/** Opens the files that make up a recording (a .vhdr's .eeg, a .set's .fdt, the files of a CTF .ds folder). */
export interface SourceFs {
  /** When set, no path outside this folder is read and searches (BIDS sidecar inheritance) stop at it. */
  readonly root?: string;
  open(path: string): Promise<ByteSource>;
  readdir(path: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
  isDirectory(path: string): Promise<boolean>;
}

/** Refuses a read that is not a valid range of a `size`-byte source. */
export function checkRange(name: string, size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw unreadableRecording(`${name}: invalid read at offset ${offset} of ${length} bytes`);
  }
  if (offset + length > size) {
    throw unreadableRecording(
      `${name}: read of ${length} bytes at offset ${offset} passes the end (${size} bytes)`,
    );
  }
}

export function memorySource(bytes: Uint8Array, name = 'memory'): ByteSource {
  let bytesRead = 0;
  return {
    name,
    size: bytes.length,
    get bytesRead() {
      return bytesRead;
    },
    async read(offset, length) {
      checkRange(name, bytes.length, offset, length);
      bytesRead += length;
      return bytes.subarray(offset, offset + length);
    },
    async close() {},
  };
}

export async function fileSource(path: string): Promise<ByteSource> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return handleSource(handle, basename(path), size);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * pread(2): through fs.read's callback on the main thread (for the many small reads of an open, several times cheaper
 * than FileHandle.read), synchronously in a worker thread. A map worker runs one task at a time, so waiting for the
 * thread pool only left its core idle and cost a hop each way: under `npm run load` the machine's idle time went
 * from 6.2 to 4.6 % and the service's share from 1.78 to 1.81 cores (2026-12-06).
 */
const preadInto = (
  fd: number,
  buf: Uint8Array,
  at: number,
  length: number,
  position: number,
): Promise<number> =>
  !isMainThread
    ? new Promise((resolve) => resolve(readSync(fd, buf, at, length, position)))
    : new Promise((resolve, reject) => {
        readCallback(fd, buf, at, length, position, (error, n) => (error ? reject(error) : resolve(n)));
      });

/** What handleSource needs of an open file: a FileHandle, or a descriptorFile. */
export interface OpenFile {
  readonly fd: number;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

/**
 * An OpenFile over a descriptor this thread opened with openSync, read and closed synchronously: for a map worker,
 * where a FileHandle's open and close each cost a hop to libuv's pool and back (a CTF .ds made nine of them per
 * open) and the worker has nothing else to do meanwhile. Reads after close are refused as a closed FileHandle's are.
 */
export function descriptorFile(fd: number): OpenFile {
  let open = true;
  const closed = (): Error => Object.assign(new Error('file closed'), { code: 'EBADF' });
  return {
    fd,
    read: async (buffer, offset, length, position) => {
      if (!open) throw closed();
      return { bytesRead: readSync(fd, buffer, offset, length, position) };
    },
    close: async () => {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}

/**
 * A ByteSource over an already open file (`handle`) of `size` bytes; closing the source closes the file. Reads go to
 * the descriptor directly, so the source counts them itself: `close` waits for those in flight (as FileHandle does
 * for its own), and a read after `close` began goes through the handle, which refuses it.
 */
export function handleSource(handle: OpenFile | FileHandle, name: string, size: number): ByteSource {
  let bytesRead = 0;
  let inFlight = 0;
  let closing = false;
  let drained: (() => void) | undefined;
  let draining: Promise<void> | undefined;
  const readAt = (buf: Uint8Array, at: number, length: number, position: number): Promise<number> =>
    closing
      ? handle.read(buf, at, length, position).then((r) => r.bytesRead)
      : preadInto(handle.fd, buf, at, length, position);
  return {
    name,
    size,
    get bytesRead() {
      return bytesRead;
    },
    async read(offset, length, into) {
      checkRange(name, size, offset, length);
      // not zero-filled first: the loop below writes every byte or throws (and the buffer is dropped)
      const buf =
        into !== undefined && into.length >= length
          ? into.subarray(0, length)
          : new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
      let done = 0;
      inFlight++;
      try {
        while (done < length) {
          const n = await readAt(buf, done, length - done, offset + done);
          if (n === 0) throw unreadableRecording(`${name}: file shrank while reading`);
          done += n;
        }
      } finally {
        inFlight--;
        if (inFlight === 0) drained?.();
      }
      bytesRead += length;
      return buf;
    },
    async close() {
      closing = true;
      // One promise for every close call, so a second close cannot orphan the first one's wait.
      if (inFlight > 0) await (draining ??= new Promise<void>((resolve) => (drained = resolve)));
      await handle.close();
    },
  };
}

/** The local file system. */
export const localFs: SourceFs = {
  open: fileSource,
  readdir: async (path) => (await readdir(path)).sort(),
  exists: async (path) => {
    try {
      await stat(path);
      return true;
    } catch {
      return false;
    }
  },
  isDirectory: async (path) => {
    try {
      return (await stat(path)).isDirectory();
    } catch {
      return false;
    }
  },
};

/** An in-memory file system (fuzzing, tests of multi-file formats). Keys are full paths. */
export function memoryFs(files: Map<string, Uint8Array>): SourceFs {
  return {
    open: async (path) => {
      const bytes = files.get(path);
      if (!bytes) throw unreadableRecording(`${basename(path)} is missing`);
      return memorySource(bytes, basename(path));
    },
    readdir: async (path) =>
      [...files.keys()]
        .filter((k) => dirname(k) === path)
        .map((k) => basename(k))
        .sort(),
    exists: async (path) => files.has(path) || [...files.keys()].some((k) => k.startsWith(join(path, '/'))),
    isDirectory: async (path) => [...files.keys()].some((k) => k.startsWith(join(path, '/'))),
  };
}

/** Wraps a SourceFs to add up the bytes every source it opened handed out (benchmarks, O(window) tests). */
export function countingFs(inner: SourceFs): {
  fs: SourceFs;
  bytesRead: () => number;
  /** Files opened so far (each open of the same file counts). */
  opens: () => number;
} {
  const opened: ByteSource[] = [];
  const fs: SourceFs = {
    ...inner,
    open: async (path) => {
      const src = await inner.open(path);
      opened.push(src);
      return src;
    },
  };
  return {
    fs,
    bytesRead: () => opened.reduce((sum, s) => sum + s.bytesRead, 0),
    opens: () => opened.length,
  };
}
