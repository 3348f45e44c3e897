/**
 * What happens after the last byte of an upload, in the background (the final PATCH is answered at once):
 * the archive moves out of tus's folder under its own name, is checked (checkArchive) with a private scratch
 * directory, and is then refused (report errors, LORIS_EPHYS_UPLOAD_STRICT not false: the archive is deleted,
 * the report kept) or registered in LORIS (registerUpload moves it where LORIS looks). States: checking →
 * refused | registered | processing | done | failed.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { UploadSettings } from '../core/config';
import type { Logger } from '../core/log';
import type { Db } from '../loris/db';
import { checkArchive } from './check';
import { registerUpload, registrationState, type Registration } from './register';
import { processShared } from './process-shared';
import { checkDir, updateRecord, type RecordStore, type StagingPaths } from './records';

export interface PipelineDeps {
  paths: StagingPaths;
  records: RecordStore;
  settings: UploadSettings;
  db: () => Promise<Db>;
  log: Logger;
}

/**
 * The checks running in this process. Every function is its own bundle with its own module state, and the
 * tus-upload, uploads-status and uploads-list bundles all start or resume checks: they share this map through
 * `globalThis` (handlers run in serverless-offline's process, README "Uploads").
 */
const running = processShared('running', () => new Map<string, Promise<void>>());

/** True while this process checks or registers `id`. */
export const isProcessing = (id: string): boolean => running.has(id);

/** Starts the check of a complete upload in the background (once per id at a time). */
export function startProcessing(deps: PipelineDeps, id: string): void {
  if (running.has(id)) return;
  const job = processUpload(deps, id)
    .catch(async (error: unknown) => {
      deps.log.error('upload processing failed', { uploadId: id, errorMessage: (error as Error)?.message });
      await fail(deps, id, 'The upload could not be processed.').catch(() => undefined);
    })
    .finally(() => running.delete(id));
  running.set(id, job);
}

/** Waits for every background job of this process (tests and shutdown). */
export const processingSettled = async (): Promise<void> => {
  await Promise.all(running.values());
};

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The complete archive under its own name, moved out of tus's folder (idempotent, for a restarted job). */
async function archiveOf(paths: StagingPaths, id: string, filename: string): Promise<string> {
  const folder = join(checkDir(paths, id), 'archive');
  const archive = join(folder, filename);
  if (await exists(archive)) return archive;
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await rename(join(paths.tus, id), archive);
  await rm(join(paths.tus, `${id}.json`), { force: true });
  return archive;
}

async function fail(deps: PipelineDeps, id: string, failure: string): Promise<void> {
  await updateRecord(deps.records, id, () => ({ state: 'failed', failure }));
}

async function processUpload(deps: PipelineDeps, id: string): Promise<void> {
  const { paths, records, settings, log } = deps;
  const record = await records.read(id);
  if (!record || record.state !== 'checking') return;
  const folder = checkDir(paths, id);
  try {
    const archive = await archiveOf(paths, id, record.target.filename);
    const scratchDir = join(folder, 'scratch');
    await rm(scratchDir, { recursive: true, force: true });
    await mkdir(scratchDir, { mode: 0o700 });
    let report;
    try {
      report = await checkArchive(archive, record.target, { scratchDir });
    } catch (error) {
      log.error('archive check failed', { uploadId: id, errorMessage: (error as Error)?.message });
      return await fail(deps, id, 'The archive could not be checked.');
    } finally {
      await rm(scratchDir, { recursive: true, force: true });
    }
    if (!report.ok && settings.strict) {
      log.info('upload refused by its check', { uploadId: id, errors: report.errors.length });
      await updateRecord(records, id, () => ({ state: 'refused', report }));
      return;
    }
    await updateRecord(records, id, () => ({ report }));
    let registration: Registration;
    try {
      registration = await registerUpload(await deps.db(), {
        archivePath: archive,
        resolved: record.resolved,
        username: record.owner,
        report,
      });
    } catch (error) {
      log.error('upload registration failed', { uploadId: id, errorMessage: (error as Error)?.message });
      return await fail(deps, id, 'The archive could not be registered in LORIS.');
    }
    log.info('upload registered', { uploadId: id, table: registration.lorisUpload.table });
    await updateRecord(records, id, () => ({ state: registrationState(registration), registration }));
  } finally {
    // Registration moved the archive out; whatever is left (a refused archive, a failed one) goes.
    await rm(folder, { recursive: true, force: true });
  }
}
