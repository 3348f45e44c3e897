/**
 * The MEEGqc files of a recording the caller may see (the caller authorised it with authorizeRecording): the
 * list, one file opened for serving, and the checked set an archive is built from. Every file is opened through
 * rootedSourceFs over the data directory's real path: a path that escapes it (`..`, absolute, a symlink out) is
 * refused (403 path_outside_data_dir) and never read, and only regular files are opened, by descriptor.
 */
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { ApiError } from '../core/errors';
import type { Logger } from '../core/log';
import { meegqcFiles, type MeegqcFileRow, type MeegqcFilter } from '../loris/meegqc';
import { isRefusedFile, rootedSourceFs } from '../readers/rooted-fs';
import type { ByteSource } from '../readers/source';
import { lorisRuntimeFor, type AuthorizedRecording } from '../service/access';
import { getConfig } from '../service/runtime';

export interface MeegqcListedFile {
  id: number;
  name: string;
  category: string;
  blake2b_hash: string | null;
}

export const meegqcFileNotFound = (): ApiError =>
  new ApiError(404, 'meegqc_file_not_found', 'MEEGqc file not found or not accessible.');
export const meegqcFilesNotFound = (): ApiError =>
  new ApiError(404, 'meegqc_files_not_found', 'No MEEGqc files found for this recording.');
export const meegqcFileMissing = (name: string): ApiError =>
  new ApiError(404, 'meegqc_file_missing', `The MEEGqc file ${name} is not on disk.`);
export const meegqcPathOutside = (): ApiError =>
  new ApiError(
    403,
    'path_outside_data_dir',
    'The MEEGqc file is stored outside the data directory and cannot be served.',
  );
export const meegqcFileUnreadable = (name: string, why: string): ApiError =>
  new ApiError(422, 'unreadable_file', `The MEEGqc file ${name} cannot be served: ${why}.`);

/** The rows of a recording; standalone mode has no database, hence no MEEGqc files. */
async function rowsFor(recording: AuthorizedRecording, filter?: MeegqcFilter): Promise<MeegqcFileRow[]> {
  const config = getConfig();
  if (config.mode !== 'loris' || !recording.file) return [];
  const { db } = await lorisRuntimeFor(config);
  return meegqcFiles(db, recording.id, filter);
}

/** The last component of a stored path (LORIS names a file by it). */
export const fileName = (row: MeegqcFileRow): string => posix.basename(row.filePath);

export async function listMeegqcFiles(recording: AuthorizedRecording): Promise<MeegqcListedFile[]> {
  return (await rowsFor(recording)).map((row) => ({
    id: row.id,
    name: fileName(row),
    category: row.category,
    blake2b_hash: row.blake2bHash,
  }));
}

/**
 * The file's path relative to the data directory, checked lexically: no NUL, no absolute part, nothing that
 * climbs above the data directory once normalised. (The real path is checked again when the file is opened.)
 */
export function relativeDataPath(row: MeegqcFileRow): string | undefined {
  const parts = [row.datasetPath, row.filePath];
  if (parts.some((p) => p.includes('\0') || p.includes('\\') || posix.isAbsolute(p))) return undefined;
  if (row.filePath === '') return undefined;
  const joined = posix.normalize(posix.join(...parts));
  if (joined === '.' || joined === '..' || joined.startsWith('../') || posix.isAbsolute(joined))
    return undefined;
  const name = posix.basename(joined);
  return name === '' || name === '.' || name === '..' ? undefined : joined;
}

export interface CheckedFile {
  row: MeegqcFileRow;
  name: string;
  /** Relative to the data directory. */
  path: string;
  size: number;
  mtime: Date;
  /** Inode identity and time, for the ETag. */
  identity: string;
}

export interface OpenedFile extends CheckedFile {
  source: ByteSource;
}

/** Opens a row's file inside `root` (verified descriptor), or throws the answer for why it cannot be. */
async function openRow(root: string, row: MeegqcFileRow, log?: Logger): Promise<OpenedFile> {
  const name = fileName(row);
  const path = relativeDataPath(row);
  const refusedOutside = () => {
    log?.warn('refused a MEEGqc file path outside the data directory', {
      meegqcFileId: row.id,
      path: row.filePath,
    });
    return meegqcPathOutside();
  };
  if (path === undefined) throw refusedOutside();
  const fs = rootedSourceFs(root);
  let source: ByteSource;
  try {
    if (!(await fs.exists(path))) throw meegqcFileMissing(name);
    source = await fs.open(path);
  } catch (error) {
    if (!isRefusedFile(error)) throw error;
    if (error.reason === 'outside_root') throw refusedOutside();
    throw meegqcFileUnreadable(
      name,
      error.reason === 'not_a_regular_file' ? 'not a regular file' : 'it changed',
    );
  }
  try {
    // The descriptor was verified; its path's time and inode only feed the ETag and the zip entry's date.
    const info = await stat(posix.join(root, path));
    const identity = `${info.dev}:${info.ino}:${source.size}:${info.mtimeMs}`;
    return { row, name, path, size: source.size, mtime: info.mtime, identity, source };
  } catch (error) {
    await source.close();
    throw error;
  }
}

/** One file of the recording, opened; 404 meegqc_file_not_found when it is not linked to the recording. */
export async function openMeegqcFile(
  recording: AuthorizedRecording,
  meegqcFileId: number,
  log?: Logger,
): Promise<OpenedFile> {
  const [row] = await rowsFor(recording, { kind: 'one', id: meegqcFileId });
  if (!row) throw meegqcFileNotFound();
  return openRow(recording.dataRoot, row, log);
}

/**
 * The files of an archive (one category or all), each checked now (inside the data directory, a regular file,
 * its size) and closed again: the archive opens each anew, verified, when it gets to it. 404 when none match.
 */
export async function checkedArchiveFiles(
  recording: AuthorizedRecording,
  category: string | undefined,
  log?: Logger,
): Promise<CheckedFile[]> {
  const filter: MeegqcFilter = category === undefined ? { kind: 'all' } : { kind: 'category', category };
  const rows = await rowsFor(recording, filter);
  if (rows.length === 0) throw meegqcFilesNotFound();
  const checked: CheckedFile[] = [];
  for (const row of rows) {
    const { source, ...file } = await openRow(recording.dataRoot, row, log);
    await source.close();
    checked.push(file);
  }
  return checked;
}

/** Opens a checked file again for the archive: the same rules, and it must still have the size it had. */
export async function reopen(root: string, file: CheckedFile): Promise<ByteSource> {
  const opened = await openRow(root, file.row);
  if (opened.size !== file.size) {
    await opened.source.close();
    throw meegqcFileUnreadable(file.name, 'it changed size while the archive was built');
  }
  return opened.source;
}
