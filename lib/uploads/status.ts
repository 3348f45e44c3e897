/**
 * What `GET /uploads/{upload_id}` and `GET /uploads` answer: an upload's state as UploadStatus. A registered
 * upload follows LORIS's rows as LORIS's pipeline moves them (currentRegistration), and the record keeps up.
 */
import type { Logger } from '../core/log';
import type { Db } from '../loris/db';
import { currentRegistration, registrationState } from './register';
import { updateRecord, type RecordStore, type UploadRecord } from './records';
import type { UploadsRuntime } from './runtime';
import type { UploadStatus } from './types';

/** At most this many uploads are listed (the newest). */
export const MAX_LISTED_UPLOADS = 100;

/** Bytes received so far: tus's offset while receiving, the whole length after. */
export async function receivedBytes(rt: UploadsRuntime, record: UploadRecord): Promise<number> {
  if (record.state !== 'receiving') return record.length;
  return rt.server.datastore.getUpload(record.id).then(
    (upload) => upload.offset,
    () => 0,
  );
}

export async function statusOf(rt: UploadsRuntime, record: UploadRecord): Promise<UploadStatus> {
  const registration = record.registration;
  return {
    id: record.id,
    kind: record.target.kind,
    filename: record.target.filename,
    state: record.state,
    bytes: await receivedBytes(rt, record),
    length: record.length,
    createdAt: record.createdAt,
    report: record.report,
    lorisUpload: registration?.lorisUpload ?? null,
    process: registration?.process ?? null,
    failure: record.failure,
  };
}

/** The record with its registration read again from LORIS while LORIS's pipeline may still move it. */
export async function refreshed(
  records: RecordStore,
  db: Db,
  record: UploadRecord,
  log?: Logger,
): Promise<UploadRecord> {
  const previous = record.registration;
  if (!previous || (record.state !== 'registered' && record.state !== 'processing')) return record;
  const registration = await currentRegistration(db, previous);
  const state = registrationState(registration);
  if (state === record.state && JSON.stringify(registration) === JSON.stringify(previous)) return record;
  log?.info('upload state followed LORIS', { uploadId: record.id, from: record.state, to: state });
  return (await updateRecord(records, record.id, () => ({ registration, state }))) ?? record;
}

/** The caller's own uploads, newest first, at most MAX_LISTED_UPLOADS. */
export async function ownRecords(records: RecordStore, owner: string): Promise<UploadRecord[]> {
  const own: UploadRecord[] = [];
  for (const id of await records.ids()) {
    const record = await records.read(id);
    if (record?.owner === owner) own.push(record);
  }
  own.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return own.slice(0, MAX_LISTED_UPLOADS);
}
