/**
 * Resolving a LORIS FilePath (relative to the data directory) to a real path that is certainly inside it.
 * Anything that escapes — `..`, an absolute path, a symlink pointing out — is refused before it is opened.
 * Only regular files, and directories named `*.ds` (CTF datasets), count as present: a FIFO, socket or device
 * is never offered to a reader (opening a FIFO would block). The files a reader then opens (the recording and
 * its companions and sidecars) go through `rootedSourceFs` of the same root, which checks each one again.
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ApiError } from '../core/errors';
import { isInside } from '../readers/rooted-fs';

export type ResolvedPath =
  | { presentOnDisk: true; absolutePath: string; kind: 'file' | 'ctf-directory' }
  | { presentOnDisk: false; absolutePath: string; kind: 'missing' | 'not-a-recording' };

export const pathOutsideDataDir = (): ApiError =>
  new ApiError(
    403,
    'path_outside_data_dir',
    'The recording is stored outside the data directory and cannot be served.',
  );

export const dataDirUnavailable = (): ApiError =>
  new ApiError(503, 'data_dir_unavailable', 'The data directory is not configured or not reachable.');

/** The data directory's real path; 503 when it is unset or not a directory. */
export async function realDataDir(dataDir: string | undefined): Promise<string> {
  if (!dataDir || !isAbsolute(dataDir)) throw dataDirUnavailable();
  try {
    const real = await realpath(dataDir);
    if (!(await stat(real)).isDirectory()) throw dataDirUnavailable();
    return real;
  } catch {
    throw dataDirUnavailable();
  }
}

const isCtfDirectory = (path: string): boolean => /\.ds$/i.test(path);

/** Lexical check: a relative path without NUL that stays inside the root once joined. */
function lexicalTarget(root: string, filePath: string): string | undefined {
  if (filePath === '' || filePath.includes('\0') || isAbsolute(filePath) || filePath.startsWith('\\'))
    return undefined;
  const joined = resolve(root, filePath);
  return isInside(root, joined) && joined !== root ? joined : undefined;
}

/**
 * Resolves `filePath` under the real data directory `root`. Throws 403 path_outside_data_dir for anything that
 * escapes; reports missing files (and non-recording file types) as not present instead of failing.
 */
export async function resolveDataPath(root: string, filePath: string): Promise<ResolvedPath> {
  const joined = lexicalTarget(root, filePath);
  if (!joined) throw pathOutsideDataDir();
  let real: string;
  try {
    real = await realpath(joined);
  } catch {
    // A dangling symlink must not pass for "missing": it could be planted to point out later.
    const link = await lstat(joined).catch(() => undefined);
    if (link?.isSymbolicLink()) throw pathOutsideDataDir();
    return { presentOnDisk: false, absolutePath: joined, kind: 'missing' };
  }
  if (!isInside(root, real)) throw pathOutsideDataDir();
  const info = await stat(real);
  if (info.isFile()) return { presentOnDisk: true, absolutePath: real, kind: 'file' };
  if (info.isDirectory() && isCtfDirectory(real))
    return { presentOnDisk: true, absolutePath: real, kind: 'ctf-directory' };
  return { presentOnDisk: false, absolutePath: real, kind: 'not-a-recording' };
}
