/**
 * The uploads module's process state: the staging directory, the tus server over it (@tus/server with
 * @tus/file-store), the caller's identity, the owner check and the sweep of expired uploads.
 */
import { statfs } from 'node:fs/promises';
import { FileStore } from '@tus/file-store';
import { Server, EVENTS } from '@tus/server';
import type { DataStore } from '@tus/utils';
import type { Config, UploadSettings } from '../core/config';
import { ApiError, withLogReason } from '../core/errors';
import type { HttpEvent } from '../core/http';
import type { Logger } from '../core/log';
import type { Db } from '../loris/db';
import type { LorisUser } from '../loris/users';
import { identifyCaller, lorisRuntimeFor } from '../service/access';
import { isProcessing, startProcessing, type PipelineDeps } from './pipeline';
import {
  ensureStaging,
  fileRecords,
  stagingPaths,
  updateRecord,
  type RecordStore,
  type UploadRecord,
} from './records';
import type { ResolvedTarget, UploadTarget } from './types';
import { tusError } from './web';

export const TUS_PATH = '/tus/upload';
/** Records of finished uploads (refused, failed, done) are kept this long, then swept. */
const KEEP_FINISHED_MS = 30 * 24 * 3_600_000;

/** What a creation request carries to the tus hooks (keyed by its web Request). */
export interface CreationContext {
  id: string;
  owner: string;
  target: UploadTarget;
  resolved: ResolvedTarget;
  length: number;
}

export interface UploadsRuntime {
  paths: ReturnType<typeof stagingPaths>;
  records: RecordStore;
  /** AWS stage: the bytes and records are in this bucket; the check and registration need premises. */
  bucket: string | undefined;
  settings: UploadSettings;
  server: Server;
  creations: WeakMap<Request, CreationContext>;
  pipeline: PipelineDeps;
}

export const uploadsNeedLoris = (): ApiError =>
  new ApiError(
    503,
    'uploads_need_loris',
    'Uploads need LORIS mode (LORIS_EPHYS_MODE=loris): they are registered in LORIS for a LORIS account.',
  );

export const uploadNotFound = (): ApiError => tusError(404, 'upload_not_found', 'No such upload.');

let runtime: { key: string; value: Promise<UploadsRuntime> } | undefined;

/** The runtime for `config` (one per process; a failed start is retried on the next request). */
export function uploadsRuntime(config: Config, log: Logger): Promise<UploadsRuntime> {
  if (config.mode !== 'loris') throw uploadsNeedLoris();
  const key = JSON.stringify(config.uploads);
  if (runtime?.key !== key) {
    const value = openRuntime(config, log);
    runtime = { key, value };
    value.catch(() => {
      if (runtime?.value === value) runtime = undefined;
    });
  }
  return runtime.value;
}

async function openRuntime(config: Config, log: Logger): Promise<UploadsRuntime> {
  const settings = config.uploads;
  const paths = stagingPaths(settings.dir);
  const bucket = settings.s3Bucket;
  try {
    if (!bucket) await ensureStaging(paths);
  } catch (error) {
    log.error('upload directory unusable', { errorMessage: (error as Error)?.message });
    throw new ApiError(503, 'upload_dir_unavailable', 'The upload staging directory cannot be used.');
  }
  const store = bucket ? await s3Store(bucket, settings.expiryMs) : fileStore(paths.tus, settings.expiryMs);
  const records = bucket ? (await import('./s3-records')).s3Records(bucket) : fileRecords(paths);
  const creations = new WeakMap<Request, CreationContext>();
  const pipeline: PipelineDeps = {
    paths,
    records,
    settings,
    db: async () => (await lorisRuntimeFor(config)).db,
    log,
  };
  const contextOf = (req: unknown): CreationContext => {
    const context = creations.get(req as Request);
    if (!context) throw { status_code: 500, body: 'Upload creation without its context.\n' };
    return context;
  };
  const server = new Server({
    path: TUS_PATH,
    datastore: store,
    relativeLocation: true,
    maxSize: settings.maxBytes,
    disableTerminationForFinishedUploads: true,
    // CORS is the HTTP front's business (origin guard): @tus/server must not answer `*`.
    allowedOrigins: () => false,
    namingFunction: (req) => contextOf(req).id,
    onUploadCreate: async (req, upload) => {
      const context = contextOf(req);
      const now = new Date().toISOString();
      await records.write({
        version: 1,
        id: upload.id,
        owner: context.owner,
        target: context.target,
        resolved: context.resolved,
        length: context.length,
        createdAt: now,
        updatedAt: now,
        state: 'receiving',
        report: null,
        registration: null,
        failure: null,
      });
      return {};
    },
    onUploadFinish: async (_req, upload) => {
      await updateRecord(records, upload.id, () => ({ state: 'checking' }));
      return {};
    },
  });
  // After the answer is built (the final PATCH is not held up by the check). Not on AWS: the archive is in the
  // bucket, and checking and registering it need LORIS's disk (README "Uploads").
  if (!bucket) server.on(EVENTS.POST_FINISH, (_req, _res, upload) => startProcessing(pipeline, upload.id));
  return { paths, records, bucket, settings, server, creations, pipeline };
}

/** The length is needed at creation (size cap, disk space): no creation-defer-length; checksum is ours (web.ts). */
const EXTENSIONS = ['creation', 'creation-with-upload', 'termination', 'expiration'];

function fileStore(directory: string, expiryMs: number): DataStore {
  const store = new FileStore({ directory, expirationPeriodInMilliseconds: expiryMs });
  store.extensions = EXTENSIONS;
  return store;
}

/** @tus/s3-store (AWS stage): loaded only there, with the AWS SDK the Lambda runtime provides. */
async function s3Store(bucket: string, expiryMs: number): Promise<DataStore> {
  const { S3Store } = await import('@tus/s3-store');
  const store = new S3Store({
    partSize: 8 * 1024 * 1024,
    expirationPeriodInMilliseconds: expiryMs,
    s3ClientConfig: { bucket, region: process.env.AWS_REGION },
  });
  store.extensions = EXTENSIONS;
  return store;
}

/** The LORIS account behind the request's token (401 otherwise) and LORIS's database. */
export async function callerOf(
  event: HttpEvent,
  config: Config,
  log: Logger,
): Promise<{ db: Db; user: LorisUser }> {
  const { db, settings } = await lorisRuntimeFor(config);
  const user = await identifyCaller(event, db, await settings(), log, undefined, config.authCacheMs);
  return { db, user };
}

/** The caller's own upload; anybody else's, or none, is the same 404 upload_not_found (reason logged). */
export async function ownRecord(records: RecordStore, id: unknown, user: LorisUser): Promise<UploadRecord> {
  const record = typeof id === 'string' ? await records.read(id) : undefined;
  if (!record) throw withLogReason(uploadNotFound(), 'no_such_upload');
  if (record.owner !== user.username) throw withLogReason(uploadNotFound(), 'not_the_uploader');
  return record;
}

async function receivedOffset(rt: UploadsRuntime, id: string): Promise<number> {
  return rt.server.datastore.getUpload(id).then(
    (upload) => upload.offset,
    () => 0,
  );
}

/**
 * 507 insufficient_storage unless the staging file system keeps LORIS_EPHYS_UPLOAD_RESERVE_BYTES free once
 * this upload and every upload still receiving are complete.
 */
export async function assertDiskSpace(rt: UploadsRuntime, length: number): Promise<void> {
  if (rt.bucket) return; // S3 has no disk to fill
  let pending = 0;
  for (const id of await rt.records.ids()) {
    const record = await rt.records.read(id);
    if (record?.state === 'receiving') pending += Math.max(0, record.length - (await receivedOffset(rt, id)));
  }
  const fs = await statfs(rt.paths.root);
  const free = fs.bavail * fs.bsize;
  if (free < length + pending + rt.settings.reserveBytes) {
    throw tusError(
      507,
      'insufficient_storage',
      'Not enough free disk space on the server for this upload; try again later or ask the site administrator.',
    );
  }
}

let lastSweep = 0;

/**
 * Removes partial uploads past their expiry (tus files and records), records of finished uploads older than
 * 30 days, and restarts checks interrupted by a restart. Runs at most every min(60 s, expiry/4).
 */
export async function sweepIfDue(rt: UploadsRuntime, log: Logger, now = Date.now()): Promise<void> {
  if (now - lastSweep < Math.min(60_000, rt.settings.expiryMs / 4)) return;
  lastSweep = now;
  const expired = await rt.server.cleanUpExpiredUploads();
  let removed = 0;
  for (const id of await rt.records.ids()) {
    const record = await rt.records.read(id);
    if (!record) continue;
    const age = now - Date.parse(record.createdAt);
    const idle = now - Date.parse(record.updatedAt);
    if (record.state === 'receiving' && age > rt.settings.expiryMs) {
      await rt.server.datastore.remove(id).catch(() => undefined); // already gone with tus's own sweep
      await rt.records.remove(id);
      removed += 1;
    } else if (['refused', 'failed', 'done'].includes(record.state) && idle > KEEP_FINISHED_MS) {
      await rt.records.remove(id);
    } else if (record.state === 'checking' && !rt.bucket && !isProcessing(id)) {
      startProcessing(rt.pipeline, id);
    }
  }
  if (expired + removed > 0) log.info('expired uploads removed', { tusFiles: expired, records: removed });
}
