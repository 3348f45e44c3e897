/**
 * Packs a directory into a `.tar.gz` that is the same bytes every time the directory is the same: entries sorted
 * by path, fixed modes, owner, group and mtime in every header, a fixed gzip level (and zlib's own header carries no
 * time or name). The archive lives in the user's cache directory, so an interrupted upload of the same directory
 * resumes against identical bytes; a manifest of the tree (paths, sizes, mtimes) lets a second run reuse it unread.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { lstat, mkdir, readdir, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { DEFAULT_ARCHIVE_LIMITS } from '../../lib/uploads/types';
import { UsageError } from '../commands';
import type { Progress } from './progress';

/** Bumped whenever the bytes written for the same tree change (invalidates cached archives). */
const FORMAT = 'loris-ephys-pack-1';
/** 2000-01-01T00:00:00Z: every entry's mtime. */
const FIXED_MTIME = new Date(Date.UTC(2000, 0, 1));
/** Fast: recordings compress little, and packing must keep up with the upload. */
export const GZIP_LEVEL = 1;
const MAX_DEPTH = 64;

export interface TreeEntry {
  /** Path inside the archive, `/`-separated, relative to the packed directory. */
  name: string;
  absolute: string;
  type: 'file' | 'directory';
  size: number;
  mtimeMs: number;
}

export interface PackedArchive {
  path: string;
  /** True when a cached archive of the same tree was reused without repacking. */
  reused: boolean;
  files: number;
  /** Sum of the packed files' sizes. */
  bytes: number;
}

const byName = (a: TreeEntry, b: TreeEntry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Every directory and regular file under `root`, sorted by archive path; links and special files are refused. */
export async function listTree(root: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const walk = async (dir: string, prefix: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw new UsageError(`${dir}: directories nested deeper than ${MAX_DEPTH}`);
    for (const name of await readdir(dir)) {
      const absolute = join(dir, name);
      const archiveName = prefix ? posix.join(prefix, name) : name;
      const stats = await lstat(absolute);
      if (stats.isDirectory()) {
        entries.push({ name: archiveName, absolute, type: 'directory', size: 0, mtimeMs: stats.mtimeMs });
        await walk(absolute, archiveName, depth + 1);
      } else if (stats.isFile()) {
        entries.push({ name: archiveName, absolute, type: 'file', size: stats.size, mtimeMs: stats.mtimeMs });
      } else {
        throw new UsageError(`${absolute}: not a regular file or directory (links are not packed)`);
      }
      if (entries.length > DEFAULT_ARCHIVE_LIMITS.maxEntries)
        throw new UsageError(`${root}: more than ${DEFAULT_ARCHIVE_LIMITS.maxEntries} files and directories`);
    }
  };
  await walk(root, '', 0);
  return entries.sort(byName);
}

/** Streams `entries` as a deterministic tar.gz into `output`; `onBytes` hears the source bytes read so far. */
export async function writeArchive(
  entries: TreeEntry[],
  output: string,
  onBytes: (read: number) => void = () => undefined,
): Promise<void> {
  let read = 0;
  const pack = tar.pack();
  const written = pipeline(
    pack,
    createGzip({ level: GZIP_LEVEL }),
    createWriteStream(output, { mode: 0o600 }),
  );
  const common = { mtime: FIXED_MTIME, uid: 0, gid: 0, uname: '', gname: '' };
  try {
    for (const entry of entries) {
      if (entry.type === 'directory') {
        pack.entry({ ...common, name: `${entry.name}/`, type: 'directory', mode: 0o755 });
        continue;
      }
      let sink!: NodeJS.WritableStream;
      const done = new Promise<void>((resolve, reject) => {
        sink = pack.entry(
          { ...common, name: entry.name, type: 'file', mode: 0o644, size: entry.size },
          (error) =>
            error
              ? reject(new Error(`${entry.absolute}: ${error.message} (did it change while packing?)`))
              : resolve(),
        );
      });
      if (entry.size > 0) {
        const source = createReadStream(entry.absolute, { end: entry.size - 1 });
        source.on('data', (chunk) => onBytes((read += chunk.length)));
        await pipeline(source, sink);
      } else sink.end();
      await done;
    }
    pack.finalize();
    await written;
  } catch (error) {
    pack.destroy(error as Error);
    await written.catch(() => undefined);
    throw error;
  }
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function manifestOf(entries: TreeEntry[], archiveName: string): string {
  return sha256(
    JSON.stringify([
      FORMAT,
      GZIP_LEVEL,
      archiveName,
      entries.map((e) => [e.name, e.type, e.size, e.mtimeMs]),
    ]),
  );
}

/** Where the packed archive of `directory` lives: one folder per source directory under the cache. */
export function packFolder(directory: string, cacheRoot: string): string {
  return join(cacheRoot, 'packs', sha256(directory).slice(0, 24));
}

/**
 * Packs `directory` into `<cache>/packs/<hash of its path>/<archiveName>`, or reuses the archive there when the
 * tree is unchanged. The archive's mtime is set to the newest mtime in the tree, so that tus-js-client's
 * fingerprint (path, size, mtime) is the same for the same tree even when the archive had to be rebuilt.
 */
export async function packDirectory(
  directory: string,
  archiveName: string,
  cacheRoot: string,
  progress?: Progress,
): Promise<PackedArchive> {
  const entries = await listTree(directory);
  const files = entries.filter((e) => e.type === 'file');
  const bytes = files.reduce((sum, e) => sum + e.size, 0);
  if (files.length === 0) throw new UsageError(`${directory}: no files to upload`);
  const folder = packFolder(directory, cacheRoot);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const path = join(folder, archiveName);
  const manifestPath = `${path}.manifest`;
  const manifest = manifestOf(entries, archiveName);
  if (existsSync(path) && existsSync(manifestPath) && readFileSync(manifestPath, 'utf8') === manifest)
    return { path, reused: true, files: files.length, bytes };
  await rm(manifestPath, { force: true });
  const partial = `${path}.partial`;
  try {
    progress?.start(bytes, 0);
    await writeArchive(entries, partial, (read) => progress?.update(read));
    const newest = new Date(entries.reduce((max, e) => Math.max(max, e.mtimeMs), 0));
    await utimes(partial, newest, newest);
    await rename(partial, path);
  } finally {
    progress?.stop();
    await rm(partial, { force: true });
  }
  await writeFile(manifestPath, manifest, { mode: 0o600 });
  return { path, reused: false, files: files.length, bytes };
}

/** Removes a packed archive and its manifest (after a finished upload or a dry run). */
export async function removePacked(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.manifest`, { force: true });
}
