/**
 * The staging directory of the uploads module and the record kept per upload.
 *
 * Layout of LORIS_EPHYS_UPLOAD_DIR (every folder 0700, created on first use):
 *   tus/<id>, tus/<id>.json      the partial upload and its tus info (@tus/file-store)
 *   state/<id>.json              the record below (owner, target, state, report, registration), written atomically
 *                                (on AWS the record is the object `records/<id>.json` of the bucket: s3-records.ts)
 *   checks/<id>/<filename>       the complete archive while it is checked (moved out by registration)
 *   checks/<id>/scratch/         the check's private scratch directory, removed after the check
 * Upload ids are 32 lower-case hex characters (random), so an id never names anything outside these folders.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { processShared } from './process-shared';
import type { Registration } from './register';
import type { ResolvedTarget, UploadReport, UploadState, UploadTarget } from './types';

export const UPLOAD_ID = /^[0-9a-f]{32}$/;
export const isUploadId = (value: unknown): value is string =>
  typeof value === 'string' && UPLOAD_ID.test(value);
export const newUploadId = (): string => randomBytes(16).toString('hex');

/** At most this many records are read when listing (the oldest beyond it are not looked at). */
export const MAX_RECORDS_SCANNED = 10_000;
/** A record file is never larger than this (a report is bounded by the check; this is the backstop). */
export const MAX_RECORD_BYTES = 32 * 1024 * 1024;

export interface UploadRecord {
  version: 1;
  id: string;
  /** users.UserID of the uploader: the only account that may see or continue the upload. */
  owner: string;
  target: UploadTarget;
  resolved: ResolvedTarget;
  length: number;
  createdAt: string;
  updatedAt: string;
  state: UploadState;
  report: UploadReport | null;
  registration: Registration | null;
  /** Why the upload failed (a plain sentence, never internals). */
  failure: string | null;
}

export interface StagingPaths {
  root: string;
  tus: string;
  state: string;
  checks: string;
}

export const stagingPaths = (root: string): StagingPaths => ({
  root,
  tus: join(root, 'tus'),
  state: join(root, 'state'),
  checks: join(root, 'checks'),
});

/** Creates the staging folders 0700 (and tightens them if they existed with wider modes). */
export async function ensureStaging(paths: StagingPaths): Promise<void> {
  for (const dir of [paths.root, paths.tus, paths.state, paths.checks]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
  }
}

export const checkDir = (paths: StagingPaths, id: string): string => join(paths.checks, id);

/** Where the records live: files in the staging directory (premises) or objects in the bucket (AWS). */
export interface RecordStore {
  read(id: string): Promise<UploadRecord | undefined>;
  /** Writes the whole record atomically. */
  write(record: UploadRecord): Promise<void>;
  remove(id: string): Promise<void>;
  /** The ids that have a record (at most MAX_RECORDS_SCANNED of them). */
  ids(): Promise<string[]>;
}

/** Parses a stored record; undefined unless it is a record of `id`. */
export function parseRecord(text: string, id: string): UploadRecord | undefined {
  const record = JSON.parse(text) as UploadRecord;
  return record.version === 1 && record.id === id ? record : undefined;
}

/** Records as `state/<id>.json` files, written through a temporary file, fsync and rename. */
export function fileRecords(paths: StagingPaths): RecordStore {
  const recordPath = (id: string): string => join(paths.state, `${id}.json`);
  return {
    async read(id) {
      if (!isUploadId(id)) return undefined;
      try {
        const info = await stat(recordPath(id));
        if (!info.isFile() || info.size > MAX_RECORD_BYTES) return undefined;
        return parseRecord(await readFile(recordPath(id), 'utf8'), id);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async write(record) {
      const target = recordPath(record.id);
      const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(record));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
    },
    async remove(id) {
      await rm(recordPath(id), { force: true });
    },
    async ids() {
      const ids: string[] = [];
      for (const name of await readdir(paths.state)) {
        if (ids.length >= MAX_RECORDS_SCANNED) break;
        const id = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
        if (isUploadId(id)) ids.push(id);
      }
      return ids;
    },
  };
}

// Read-change-write of one record runs one at a time per id in this process (the background check and a
// status request may both update it), across the function bundles (shared through globalThis).
const updating = processShared('updating', () => new Map<string, Promise<unknown>>());

/** Updates a record (read, change, write); undefined when it vanished meanwhile. */
export function updateRecord(
  records: RecordStore,
  id: string,
  change: (record: UploadRecord) => Partial<UploadRecord>,
): Promise<UploadRecord | undefined> {
  const previous = updating.get(id) ?? Promise.resolve();
  const next = previous.then(async () => {
    const record = await records.read(id);
    if (!record) return undefined;
    const changed: UploadRecord = { ...record, ...change(record), updatedAt: new Date().toISOString() };
    await records.write(changed);
    return changed;
  });
  const settled = next.catch(() => undefined);
  updating.set(id, settled);
  void settled.then(() => {
    if (updating.get(id) === settled) updating.delete(id);
  });
  return next;
}
