/**
 * Registers a checked upload where LORIS's pipelines and pages look, as LORIS's own uploaders do:
 * - EEG BIDS (modules/electrophysiology_uploader/php/upload.class.inc): the archive moves to
 *   `EEGUploadIncomingPath/<name>`; an earlier file of that name first moves to `archives/<name with
 *   _bids_<unix time>>` and its rows become `UploadLocation='archives/…'`, `Status='Archived'`; then an
 *   electrophysiology_uploader row (UploadedBy, UploadDate, UploadLocation = the bare name, SessionID, Checksum =
 *   SHA-1 hex of the archive, MetaData = the check's report as JSON; Status keeps its default 'Not Started'), and
 *   the `monitor_eeg_uploads` users are e-mailed LORIS's new_electrophysiology_upload message through sendmail
 *   when one is configured (LORIS_EPHYS_UPLOAD_SENDMAIL).
 * - DICOM (modules/imaging_uploader/php/imaging_uploader.class.inc): the archive moves to
 *   `<MRIUploadIncomingPath>/<username>/<safe name>` (File_Upload: a trailing slash added to the setting, the
 *   user's directory, nameToSafe, overwrite mode); an mri_upload row as importFile writes it (UploadLocation = that
 *   path), the upload's earlier notifications inactivated, and with ImagingUploaderAutoLaunch '1'/'true' the
 *   pipeline launched (launch.ts) and Inserting=1, or on failure an 'mri upload handler emergency' notification
 *   and Inserting=0.
 * Files are written only inside the incoming directories (their real paths), never through a symbolic link; a
 * move across file systems is a copy, fsync and unlink.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, open, realpath, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ApiError, isApiError, quoteValue } from '../core/errors';
import type { Db } from '../loris/db';
import {
  archiveEegUploads,
  deactivateUploadNotifications,
  eegMonitorEmails,
  eegUploadStatus,
  insertEegUpload,
  insertMriUpload,
  latestUploadProcess,
  mriUploadState,
  readUploadSettings,
  sessionSiteName,
  setMriUploadInserting,
  spoolLaunchFailure,
  type MriUploadState,
  type UploadSettings,
} from '../loris/uploads';
import { childEnv, launchMriUpload, lorisDateTime, processState, type LaunchInput } from './launch';
import { isPlainFileName } from './rules';
import type { LorisUploadRef, ProcessRef, ResolvedTarget, UploadReport, UploadState } from './types';

export interface RegisterInput {
  /** The complete archive in the upload staging directory; moved (not copied when possible) by registration. */
  archivePath: string;
  resolved: ResolvedTarget;
  /** users.UserID of the uploader. */
  username: string;
  report: UploadReport;
}

export interface Registration {
  lorisUpload: LorisUploadRef;
  process: ProcessRef | null;
}

export interface RegisterOptions {
  /** sendmail-compatible program (`-t -i`, message on stdin) for the EEG notification; unset: no e-mail. */
  sendmail?: string;
  /** From: of that e-mail. */
  mailFrom?: string;
  /** Where the pipeline's task files go (LORIS: the system temporary directory). */
  taskDir?: string;
  /** Wait before the pipeline's "cannot execute" check (LORIS: 1 s). */
  launchCheckMs?: number;
  /** The clock (archive suffix, UploadDate). */
  now?: () => Date;
  /** Told what could not be done without failing the registration (an e-mail not sent). */
  warn?: (message: string, fields: Record<string, unknown>) => void;
}

/** Registration failures (the upload stays in staging): code → HTTP status. */
export const REGISTRATION_ERRORS = {
  upload_incoming_unavailable: 503,
  upload_target_unsafe: 500,
  upload_registration_failed: 500,
} as const;

/**
 * A file-system failure (EACCES, ENOSPC, ...) as an ApiError naming its code only: Node's message names the
 * server's paths, and the answer goes to the uploader. The message stays in `logReason` for the log line.
 */
function registrationFailure(error: unknown): unknown {
  if (isApiError(error)) return error;
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'internal error';
  const failure = new ApiError(
    500,
    'upload_registration_failed',
    `The upload could not be registered (${quoteValue(code, 40)}).`,
  );
  failure.logReason = error instanceof Error ? error.message : String(error);
  return failure;
}

const incomingUnavailable = (setting: string) =>
  new ApiError(
    503,
    'upload_incoming_unavailable',
    `LORIS's ${setting} is not set or is not a usable directory.`,
  );
/** Said to the uploader: `what` names the file or folder inside the incoming directory, never the server path. */
const unsafe = (what: string) =>
  new ApiError(500, 'upload_target_unsafe', `Refused to write ${what}: it is not a plain file or directory.`);
const named = (name: string) => quoteValue(name);

/** MariaDB's TEXT holds 65,535 bytes. */
const MAX_METADATA_BYTES = 65_535;
const MAX_MAIL_RECIPIENTS = 1000;
const SENDMAIL_TIMEOUT_MS = 30_000;

const defaultOptions = (): RegisterOptions => ({
  sendmail: process.env.LORIS_EPHYS_UPLOAD_SENDMAIL || undefined,
  mailFrom: process.env.LORIS_EPHYS_UPLOAD_MAIL_FROM || undefined,
});

// ---- files: only inside the incoming directory ----

async function lstatOrUndefined(path: string) {
  return lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

/** The setting's real directory (503 when unset or not a directory). */
async function incomingDir(value: string | undefined, setting: string): Promise<string> {
  if (!value) throw incomingUnavailable(setting);
  const real = await realpath(value).catch(() => undefined);
  const info = real === undefined ? undefined : await lstatOrUndefined(real);
  if (real === undefined || !info?.isDirectory()) throw incomingUnavailable(setting);
  return real;
}

/** `parent/name` as a real directory (created 0775 if missing), never a link. */
async function subdirectory(parent: string, name: string): Promise<string> {
  if (!isPlainFileName(name)) throw unsafe(`into directory ${named(name)}`);
  const path = join(parent, name);
  const info = await lstatOrUndefined(path);
  if (!info)
    await mkdir(path, { mode: 0o775 }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  else if (!info.isDirectory()) throw unsafe(`into directory ${named(name)}`);
  if ((await realpath(path)) !== path) throw unsafe(`into directory ${named(name)}`);
  return path;
}

/** A destination `dir/name` that is absent or a regular file (never a link or directory); true when present. */
async function checkDestination(dir: string, name: string): Promise<{ path: string; exists: boolean }> {
  if (!isPlainFileName(name)) throw unsafe(named(name));
  const path = join(dir, name);
  if (dirname(path) !== dir) throw unsafe(named(name));
  const info = await lstatOrUndefined(path);
  if (info && !info.isFile()) throw unsafe(named(name));
  return { path, exists: info !== undefined };
}

/** rename(), or across file systems a copy into a fresh file beside the destination, fsync, rename, unlink. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
  }
  const partial = join(dirname(to), `.${randomBytes(8).toString('hex')}.partial`);
  const handle = await open(partial, 'wx', 0o644);
  try {
    await handle.chmod(READABLE_MODE); // whatever the umask, set through the descriptor
    await pipeline(createReadStream(from), createWriteStream('', { fd: handle.fd, autoClose: false }));
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(partial).catch(() => undefined);
    throw error;
  }
  await handle.close();
  await rename(partial, to);
  await unlink(from);
}

const READABLE_MODE = 0o644;

/**
 * The pipeline (another account, as a rule) reads what lands in the incoming directory. The mode is set on the
 * staged file, through a descriptor opened without following links, before it is moved in: a chmod by path
 * after the move would follow a symbolic link swapped in at the destination by whoever else writes there.
 */
async function makeReadable(path: string): Promise<void> {
  const handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0)).catch(
    (error: NodeJS.ErrnoException) => {
      throw error.code === 'ELOOP' ? unsafe('the staged archive') : error;
    },
  );
  try {
    if (!(await handle.stat()).isFile()) throw unsafe('the staged archive');
    await handle.chmod(READABLE_MODE);
  } finally {
    await handle.close();
  }
}

/** SHA-1 hex of the file (40 characters: electrophysiology_uploader.Checksum's width). */
export async function sha1File(path: string): Promise<string> {
  const hash = createHash('sha1');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** The report for MetaData, shortened (details first) until it fits TEXT. */
export function reportMetaData(report: UploadReport): string {
  const attempts: unknown[] = [
    report,
    { ...report, lines: [], truncated: 'lines' },
    { ...report, lines: [], recordings: [], series: [], truncated: 'lines, recordings, series' },
    {
      kind: report.kind,
      ok: report.ok,
      entries: report.entries,
      bytes: report.bytes,
      warnings: report.warnings.slice(0, 20).map((w) => w.slice(0, 500)),
      errors: report.errors.slice(0, 20).map((e) => e.slice(0, 500)),
      truncated: 'all but the first 20 warnings and errors',
    },
  ];
  for (const attempt of attempts) {
    const json = JSON.stringify(attempt);
    if (Buffer.byteLength(json) <= MAX_METADATA_BYTES) return json;
  }
  return JSON.stringify({ kind: report.kind, ok: report.ok, truncated: 'all' });
}

// ---- EEG ----

/** LORIS's str_replace('_bids', '_bids_<time>', name): every occurrence. */
export const archivedEegName = (name: string, unixTime: number): string =>
  name.split('_bids').join(`_bids_${unixTime}`);

async function archivePrevious(db: Db, incoming: string, name: string, now: Date): Promise<void> {
  const archives = await subdirectory(incoming, 'archives');
  const archivedName = archivedEegName(name, Math.floor(now.getTime() / 1000));
  const target = await checkDestination(archives, archivedName);
  await rename(join(incoming, name), target.path);
  await archiveEegUploads(db, name, `archives/${archivedName}`);
}

const isPlainAddress = (email: string): boolean =>
  email.length > 2 && email.length <= 254 && email.includes('@') && !/[\s<>,;]/.test(email);

function sendmail(program: string, message: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['-t', '-i'], { stdio: ['pipe', 'ignore', 'ignore'], env: childEnv() });
    const timer = setTimeout(() => child.kill('SIGKILL'), SENDMAIL_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`sendmail exited with ${String(code)}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(message);
  });
}

interface EegNotice {
  site: string;
  pscid: string;
  candid: string;
  visit: string;
  uploadedBy: string;
  uploadDate: string;
  uploadLocation: string;
}

/** LORIS's smarty/templates/email/new_electrophysiology_upload.tpl. */
export function eegNoticeMail(to: string, from: string | undefined, n: EegNotice): string {
  const headers = [
    `To: ${to}`,
    ...(from ? [`From: ${from}`] : []),
    'Subject: New Electrophysiology Recording Session Uploaded',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  const body = [
    `A new electrophysiology recording session has been uploaded to LORIS for site ${n.site}:`,
    '',
    `  - PSCID: ${n.pscid}`,
    `  - CandID: ${n.candid}`,
    `  - Visit Label: ${n.visit}`,
    `  - Uploaded By: ${n.uploadedBy}`,
    `  - Upload Date: ${n.uploadDate}`,
    `  - Upload Location: ${n.uploadLocation}`,
  ];
  return `${headers.join('\n')}\n\n${body.join('\n')}\n`;
}

/** E-mails the monitor_eeg_uploads users; returns the addresses mailed. Failures are warned, never thrown. */
async function notifyEegMonitors(db: Db, notice: EegNotice, options: RegisterOptions): Promise<string[]> {
  if (!options.sendmail) return [];
  const program = options.sendmail;
  const sent: string[] = [];
  const from = options.mailFrom && isPlainAddress(options.mailFrom) ? options.mailFrom : undefined;
  for (const email of (await eegMonitorEmails(db)).slice(0, MAX_MAIL_RECIPIENTS)) {
    if (!isPlainAddress(email)) {
      options.warn?.('skipped an unusable e-mail address of a monitor_eeg_uploads user', {});
      continue;
    }
    try {
      await sendmail(program, eegNoticeMail(email, from, notice));
      sent.push(email);
    } catch (error) {
      options.warn?.('EEG upload notification not sent', { reason: (error as Error).message });
    }
  }
  return sent;
}

async function registerEeg(
  db: Db,
  input: RegisterInput,
  settings: UploadSettings,
  options: RegisterOptions,
): Promise<Registration & { notified: string[] }> {
  const { target, sessionId } = input.resolved;
  if (sessionId === null) throw new ApiError(500, 'upload_target_unsafe', 'An EEG upload needs a session.');
  const incoming = await incomingDir(settings.eegUploadIncomingPath, 'EEGUploadIncomingPath');
  const now = (options.now ?? (() => new Date()))();
  const destination = await checkDestination(incoming, target.filename);
  await makeReadable(input.archivePath);
  const checksum = await sha1File(input.archivePath);
  if (destination.exists) await archivePrevious(db, incoming, target.filename, now);
  await moveFile(input.archivePath, destination.path);
  const uploadDate = lorisDateTime(now);
  const id = await insertEegUpload(db, {
    uploadedBy: input.username,
    uploadDate,
    uploadLocation: target.filename,
    sessionId,
    checksum,
    metaData: reportMetaData(input.report),
  });
  const notified = await notifyEegMonitors(
    db,
    {
      site: (await sessionSiteName(db, sessionId)) ?? '',
      pscid: target.pscid,
      candid: target.candid,
      visit: target.visit,
      uploadedBy: input.username,
      uploadDate,
      uploadLocation: target.filename,
    },
    options,
  );
  return {
    lorisUpload: { table: 'electrophysiology_uploader', id, status: 'Not Started' },
    process: null,
    notified,
  };
}

// ---- DICOM ----

/** File_Upload::nameToSafe on the name's bytes: at most 250, each outside [a-zA-Z0-9,._+()-] becomes '_'. */
export function nameToSafe(name: string): string {
  const bytes = Buffer.from(name, 'utf8').subarray(0, 250);
  let safe = '';
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    safe += /^[\w,.+()-]$/.test(ch) ? ch : '_';
  }
  return safe;
}

/** The imaging uploader's Progress column (IF(ISNULL(Inserting), 'Not Started', …)). */
export function mriUploadProgress(state: MriUploadState): string {
  if (state.inserting === null) return 'Not Started';
  if (state.inserting === 1) return 'In Progress...';
  return state.insertionComplete === 0 ? 'Failure' : 'Success';
}

const isOn = (value: string | undefined) => value === '1' || value === 'true';

async function launchOrSpool(
  db: Db,
  uploadId: number,
  launch: LaunchInput,
): Promise<{ process: ProcessRef | null; status: string }> {
  try {
    const process = await launchMriUpload(db, launch);
    await setMriUploadInserting(db, uploadId, 1);
    return { process, status: 'In Progress...' };
  } catch (error) {
    const message =
      `MRI pipeline could not be started: ${(error as Error).message}\n` +
      'This indicates an incorrect or non-existent MRI pipeline setup\n';
    await spoolLaunchFailure(db, uploadId, message);
    await setMriUploadInserting(db, uploadId, 0);
    return { process: null, status: 'Failure' };
  }
}

async function registerDicom(
  db: Db,
  input: RegisterInput,
  settings: UploadSettings,
  options: RegisterOptions,
): Promise<Registration> {
  const { target, sessionId } = input.resolved;
  const configured = settings.mriUploadIncomingPath ?? '';
  const incoming = await incomingDir(configured, 'MRIUploadIncomingPath');
  const userDir = await subdirectory(incoming, input.username);
  const safeName = nameToSafe(target.filename);
  const destination = await checkDestination(userDir, safeName);
  await makeReadable(input.archivePath);
  await moveFile(input.archivePath, destination.path);
  const base = configured.endsWith('/') ? configured : `${configured}/`;
  const uploadLocation = `${base}${input.username}/${safeName}`.trim();
  const uploadId = await insertMriUpload(db, {
    uploadedBy: input.username,
    uploadDate: lorisDateTime((options.now ?? (() => new Date()))()),
    uploadLocation,
    sessionId: target.isPhantom ? null : sessionId,
    patientName: target.isPhantom ? '' : `${target.pscid}_${target.candid}_${target.visit}`,
    isPhantom: target.isPhantom ? 'Y' : 'N',
  });
  await deactivateUploadNotifications(db, uploadId);
  if (!isOn(settings.imagingUploaderAutoLaunch))
    return { lorisUpload: { table: 'mri_upload', id: uploadId, status: 'Not Started' }, process: null };
  const launched = await launchOrSpool(db, uploadId, {
    uploadId,
    uploadLocation,
    username: input.username,
    settings,
    taskDir: options.taskDir,
    checkMs: options.launchCheckMs,
  });
  return {
    lorisUpload: { table: 'mri_upload', id: uploadId, status: launched.status },
    process: launched.process,
  };
}

/**
 * Moves the archive into LORIS's incoming path for its kind, writes LORIS's rows, launches the pipeline if on.
 * Throws ApiError 503 upload_incoming_unavailable / 500 upload_target_unsafe (nothing moved), a database error, or
 * 500 upload_registration_failed for a file-system failure (its code only; never a server path).
 */
export async function registerUpload(
  db: Db,
  input: RegisterInput,
  options: RegisterOptions = defaultOptions(),
): Promise<Registration> {
  if (!isPlainFileName(input.username)) throw unsafe(`for user ${named(input.username)}`);
  try {
    const settings = await readUploadSettings(db);
    if (input.resolved.target.kind === 'eeg-bids') {
      const { lorisUpload, process } = await registerEeg(db, input, settings, options);
      return { lorisUpload, process };
    }
    return await registerDicom(db, input, settings, options);
  } catch (error) {
    throw registrationFailure(error);
  }
}

/** registerUpload for EEG with the addresses notified (tests, logs). */
export async function registerEegUpload(
  db: Db,
  input: RegisterInput,
  options: RegisterOptions = defaultOptions(),
): Promise<Registration & { notified: string[] }> {
  if (input.resolved.target.kind !== 'eeg-bids') throw new Error('not an EEG upload');
  if (!isPlainFileName(input.username)) throw unsafe(`for user ${named(input.username)}`);
  return registerEeg(db, input, await readUploadSettings(db), options).catch((error: unknown) => {
    throw registrationFailure(error);
  });
}

/** The registration's rows as they are now (LORIS's pipeline moves them on). */
export async function currentRegistration(db: Db, registration: Registration): Promise<Registration> {
  const { lorisUpload } = registration;
  if (lorisUpload.table === 'electrophysiology_uploader') {
    const status = await eegUploadStatus(db, lorisUpload.id);
    return { lorisUpload: { ...lorisUpload, status: status ?? lorisUpload.status }, process: null };
  }
  const state = await mriUploadState(db, lorisUpload.id);
  const processId = registration.process?.id ?? (await latestUploadProcess(db, lorisUpload.id));
  return {
    lorisUpload: { ...lorisUpload, status: state ? mriUploadProgress(state) : lorisUpload.status },
    process: processId === undefined ? null : await processState(db, processId),
  };
}

/**
 * The upload's state (`GET /uploads/{id}`) once registered, from LORIS's rows: electrophysiology_uploader.Status
 * ('Extracted'/'In Progress' processing, 'Complete' done, 'Failed'/'Failed Extraction' failed), or for DICOM the
 * imaging uploader's Progress and the pipeline process.
 */
export function registrationState(registration: Registration): UploadState {
  const { lorisUpload, process } = registration;
  if (lorisUpload.table === 'electrophysiology_uploader') {
    if (lorisUpload.status === 'Complete') return 'done';
    if (lorisUpload.status === 'Failed' || lorisUpload.status === 'Failed Extraction') return 'failed';
    if (lorisUpload.status === 'Extracted' || lorisUpload.status === 'In Progress') return 'processing';
    return 'registered';
  }
  if (process?.state === 'running') return 'processing';
  if (lorisUpload.status === 'Success') return 'done';
  if (lorisUpload.status === 'Failure' || process?.state === 'error') return 'failed';
  if (process?.state === 'success') return 'done';
  return lorisUpload.status === 'In Progress...' ? 'processing' : 'registered';
}
