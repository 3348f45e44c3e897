/**
 * registerUpload against a real MariaDB with LORIS's schema, as the service's account with exactly the upload
 * grants, and real files: the EEG row as LORIS's electrophysiology uploader writes it (bare UploadLocation,
 * SHA-1 Checksum, report in MetaData, Status 'Not Started'), LORIS's collision rule (archives/…_bids_<time>, old
 * row 'Archived'), the monitor_eeg_uploads e-mail through a sendmail stand-in; the DICOM row as the imaging
 * uploader writes it (<incoming>/<user>/<name>), without auto-launch; a move across file systems; and that no file
 * is written outside the incoming directories, nor through a symbolic link.
 */
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { ApiError } from '../../lib/core/errors';
import type { Db } from '../../lib/loris/db';
import {
  archivedEegName,
  currentRegistration,
  nameToSafe,
  registerEegUpload,
  registerUpload,
  registrationState,
  reportMetaData,
  type RegisterInput,
} from '../../lib/uploads/register';
import type { ResolvedTarget, UploadReport, UploadTarget } from '../../lib/uploads/types';
import { createLorisTestDb, serviceDb, type LorisTestDb } from '../helpers/loris-db';

let testDb: LorisTestDb;
let db: Db;
let root: string;
let staging: string;
let eegIncoming: string;
let mriIncoming: string;
let outside: string;
let mailLog: string;
let sendmailScript: string;
const ids = { site: 0, project: 0, session: 0 };

const report = (kind: UploadReport['kind']): UploadReport => ({
  kind,
  ok: true,
  warnings: ['events.tsv has no trial_type column'],
  errors: [],
  lines: [{ item: 'sub-MTL001/ses-V1/eeg/x_eeg.edf', level: 'info', code: 'recording_ok', message: 'read' }],
  entries: 7,
  bytes: 1234,
  recordings: [],
  series: [],
});

const eegTarget: UploadTarget = {
  kind: 'eeg-bids',
  filename: 'MTL001_300001_V1_bids.tar.gz',
  pscid: 'MTL001',
  candid: '300001',
  visit: 'V1',
  isPhantom: false,
};
const resolvedFor = (target: UploadTarget): ResolvedTarget => ({
  target,
  candId: target.isPhantom ? null : 300001,
  sessionId: target.isPhantom ? null : ids.session,
  centerId: target.isPhantom ? null : ids.site,
  projectId: target.isPhantom ? null : ids.project,
});

let staged = 0;
async function stage(content: string, dir = staging): Promise<string> {
  const path = join(dir, `upload-${staged++}.bin`);
  await writeFile(path, content);
  return path;
}

const input = (archivePath: string, target: UploadTarget, username = 'uploader'): RegisterInput => ({
  archivePath,
  resolved: resolvedFor(target),
  username,
  report: report(target.kind),
});

async function rows(sql: string, params: (string | number)[] = []): Promise<RowDataPacket[]> {
  const [result] = await testDb.root.execute<RowDataPacket[]>(sql, params);
  return result;
}

/** Every path under `dir` (relative), links not followed. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      out.push(relative(dir, path));
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk(dir);
  return out.sort();
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

beforeAll(async () => {
  testDb = await createLorisTestDb({ uploadGrants: true });
  const s = testDb.seed;
  ids.site = await s.site('Montreal');
  ids.project = await s.project('Pumpernickel');
  const c = await s.candidate({ pscid: 'MTL001', candId: 300001, site: ids.site, project: ids.project });
  ids.session = await s.session({ candidate: c, site: ids.site, project: ids.project, visit: 'V1' });
  await s.user({ username: 'uploader' });
  await s.user({ username: 'monitor1', permissions: ['monitor_eeg_uploads'] });
  await s.user({ username: 'monitor2', permissions: ['monitor_eeg_uploads'] });
  await s.user({ username: 'superuser1', permissions: ['superuser'] });
  db = serviceDb(testDb);
  root = await mkdtemp(join(tmpdir(), 'uploads-register-'));
  staging = join(root, 'staging');
  eegIncoming = join(root, 'eeg-incoming');
  mriIncoming = join(root, 'mri-incoming');
  outside = join(root, 'outside');
  for (const d of [staging, eegIncoming, mriIncoming, outside]) await mkdir(d);
  await writeFile(join(outside, 'precious.txt'), 'keep me');
  mailLog = join(root, 'mail.log');
  sendmailScript = join(root, 'sendmail.sh');
  await writeFile(sendmailScript, `#!/bin/sh\necho "ARGS: $*" >> '${mailLog}'\ncat >> '${mailLog}'\n`);
  await chmod(sendmailScript, 0o755);
  await s.config('EEGUploadIncomingPath', eegIncoming);
  // no trailing slash: LORIS's File_Upload adds one
  await s.config('MRIUploadIncomingPath', mriIncoming);
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('EEG BIDS registration', () => {
  it('moves the archive in, writes the row as LORIS does and e-mails the monitor_eeg_uploads users', async () => {
    const archive = await stage('first upload');
    const now = new Date(2026, 11, 6, 11, 30, 15);
    const result = await registerEegUpload(db, input(archive, eegTarget), {
      sendmail: sendmailScript,
      mailFrom: 'loris@example.org',
      now: () => now,
    });
    expect(result.lorisUpload).toEqual({
      table: 'electrophysiology_uploader',
      id: expect.any(Number),
      status: 'Not Started',
    });
    expect(result.process).toBeNull();
    expect(await readFile(join(eegIncoming, eegTarget.filename), 'utf8')).toBe('first upload');
    await expect(lstat(archive)).rejects.toMatchObject({ code: 'ENOENT' });
    const [row] = await rows('SELECT * FROM electrophysiology_uploader WHERE UploadID = ?', [
      result.lorisUpload.id,
    ]);
    expect(row).toMatchObject({
      UploadedBy: 'uploader',
      UploadDate: '2026-12-06 11:30:15',
      UploadLocation: 'MTL001_300001_V1_bids.tar.gz',
      Status: 'Not Started',
      SessionID: ids.session,
      Checksum: sha1('first upload'),
    });
    expect(JSON.parse(String(row?.MetaData))).toEqual(report('eeg-bids'));
    // LORIS's template, to each monitor_eeg_uploads holder (the code itself: not the superuser)
    expect(result.notified).toEqual(['monitor1@example.org', 'monitor2@example.org']);
    const mail = await readFile(mailLog, 'utf8');
    expect(mail.match(/^ARGS: -t -i$/gm)).toHaveLength(2);
    expect(mail).toContain('To: monitor1@example.org\nFrom: loris@example.org\n');
    expect(mail).toContain('Subject: New Electrophysiology Recording Session Uploaded\n');
    expect(mail).toContain('uploaded to LORIS for site Montreal:\n');
    expect(mail).toContain('  - Upload Location: MTL001_300001_V1_bids.tar.gz\n');
    expect(mail).not.toContain('superuser1');
  });

  it("applies LORIS's collision rule: the earlier file to archives/…_bids_<time>, its row Archived", async () => {
    const [before] = await rows(
      "SELECT UploadID FROM electrophysiology_uploader WHERE UploadLocation = ? AND Status = 'Not Started'",
      [eegTarget.filename],
    );
    const now = new Date(1_780_000_000_000);
    const second = await registerUpload(db, input(await stage('second upload'), eegTarget), {
      now: () => now,
    });
    const archived = 'MTL001_300001_V1_bids_1780000000.tar.gz';
    expect(await readFile(join(eegIncoming, 'archives', archived), 'utf8')).toBe('first upload');
    expect(await readFile(join(eegIncoming, eegTarget.filename), 'utf8')).toBe('second upload');
    expect(
      await rows('SELECT UploadLocation, Status, Checksum FROM electrophysiology_uploader ORDER BY UploadID'),
    ).toEqual([
      { UploadLocation: `archives/${archived}`, Status: 'Archived', Checksum: sha1('first upload') },
      { UploadLocation: eegTarget.filename, Status: 'Not Started', Checksum: sha1('second upload') },
    ]);
    expect(second.lorisUpload.id).toBeGreaterThan(Number(before?.UploadID));
    // the row follows LORIS's pipeline
    await testDb.root.execute(
      "UPDATE electrophysiology_uploader SET Status = 'Extracted' WHERE UploadID = ?",
      [second.lorisUpload.id],
    );
    expect((await currentRegistration(db, second)).lorisUpload.status).toBe('Extracted');
  });

  it('replaces every _bids of the name, as str_replace does', () => {
    expect(archivedEegName('A_bids_1_V1_bids.tar.gz', 5)).toBe('A_bids_5_1_V1_bids_5.tar.gz');
  });

  it('moves across file systems by copy, fsync and unlink', async () => {
    const shm = await mkdtemp('/dev/shm/uploads-register-');
    try {
      const target = { ...eegTarget, visit: 'V2', filename: 'MTL001_300001_V2_bids.tar.gz' };
      const archive = await stage('from another file system', shm);
      await chmod(archive, 0o600);
      const umask = process.umask(0o077);
      try {
        await registerUpload(db, input(archive, target), {});
      } finally {
        process.umask(umask);
      }
      expect(await readFile(join(eegIncoming, target.filename), 'utf8')).toBe('from another file system');
      // Readable by the pipeline's account whatever the umask (the mode set through the descriptor).
      expect((await lstat(join(eegIncoming, target.filename))).mode & 0o777).toBe(0o644);
      await expect(lstat(archive)).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await tree(eegIncoming)).filter((p) => p.endsWith('.partial'))).toEqual([]);
    } finally {
      await rm(shm, { recursive: true, force: true });
    }
  });

  it('keeps MetaData within TEXT by shortening the report', () => {
    const big: UploadReport = {
      ...report('eeg-bids'),
      lines: Array.from({ length: 5000 }, (_, i) => ({
        item: `f${i}`,
        level: 'info' as const,
        code: 'c',
        message: 'x'.repeat(50),
      })),
    };
    const json = reportMetaData(big);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(65_535);
    expect(JSON.parse(json)).toMatchObject({
      ok: true,
      lines: [],
      truncated: 'lines',
      warnings: big.warnings,
    });
  });
});

describe('DICOM registration', () => {
  const dicomTarget: UploadTarget = {
    ...eegTarget,
    kind: 'dicom',
    filename: 'MTL001_300001_V1_t1 (2).tar.gz',
  };

  it('writes the mri_upload row as the imaging uploader does, no launch when auto-launch is off', async () => {
    const result = await registerUpload(db, input(await stage('dicom study'), dicomTarget), {});
    const safe = 'MTL001_300001_V1_t1_(2).tar.gz';
    const location = `${mriIncoming}/uploader/${safe}`;
    expect(result).toEqual({
      lorisUpload: { table: 'mri_upload', id: expect.any(Number), status: 'Not Started' },
      process: null,
    });
    expect(await readFile(location, 'utf8')).toBe('dicom study');
    const [row] = await rows('SELECT * FROM mri_upload WHERE UploadID = ?', [result.lorisUpload.id]);
    expect(row).toMatchObject({
      UploadedBy: 'uploader',
      UploadLocation: location,
      DecompressedLocation: '',
      InsertionComplete: 0,
      Inserting: null,
      PatientName: 'MTL001_300001_V1',
      number_of_mincInserted: null,
      number_of_mincCreated: null,
      TarchiveID: null,
      SessionID: ids.session,
      IsCandidateInfoValidated: null,
      IsTarchiveValidated: 0,
      IsPhantom: 'N',
    });
    expect(String(row?.UploadDate)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(await rows('SELECT * FROM server_processes')).toEqual([]);
    expect(await currentRegistration(db, result)).toEqual(result);
  });

  it('stores a phantom without session or patient name', async () => {
    const phantom = {
      ...dicomTarget,
      isPhantom: true,
      filename: 'qa_phantom.zip',
      pscid: '',
      candid: '',
      visit: '',
    };
    const result = await registerUpload(db, input(await stage('phantom'), phantom), {});
    const [row] = await rows('SELECT SessionID, PatientName, IsPhantom FROM mri_upload WHERE UploadID = ?', [
      result.lorisUpload.id,
    ]);
    expect(row).toEqual({ SessionID: null, PatientName: '', IsPhantom: 'Y' });
  });

  it("sanitises names as LORIS's nameToSafe (bytes, 250 at most)", () => {
    expect(nameToSafe('a b/c;d$é.zip')).toBe('a_b_c_d___.zip');
    expect(nameToSafe('x'.repeat(300))).toHaveLength(250);
  });
});

describe('files only inside the incoming directories', () => {
  it('writes nothing else, and the staging file is gone', async () => {
    const before = await tree(root);
    const archive = await stage('contained');
    const target = { ...eegTarget, visit: 'V3', filename: 'MTL001_300001_V3_bids.tar.gz' };
    await registerUpload(db, input(archive, target), {});
    const after = await tree(root);
    const added = after.filter((p) => !before.includes(p));
    const removed = before.filter((p) => !after.includes(p));
    expect(added).toEqual(['eeg-incoming/MTL001_300001_V3_bids.tar.gz']);
    expect(removed).toEqual([]);
    expect(await readFile(join(outside, 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it('refuses a target that is a symbolic link, and a user directory that is one', async () => {
    const target = { ...eegTarget, visit: 'V4', filename: 'MTL001_300001_V4_bids.tar.gz' };
    await symlink(join(outside, 'precious.txt'), join(eegIncoming, target.filename));
    const archive = await stage('attack');
    const error = await registerUpload(db, input(archive, target), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 500, code: 'upload_target_unsafe' });
    // Said without the server's path: the name inside the incoming directory only.
    expect((error as ApiError).message).toContain(`"${target.filename}"`);
    expect((error as ApiError).message).not.toContain(root);
    expect(await readFile(join(outside, 'precious.txt'), 'utf8')).toBe('keep me');
    expect(await readFile(archive, 'utf8')).toBe('attack');

    await symlink(outside, join(mriIncoming, 'linked'));
    await testDb.seed.user({ username: 'linked' });
    const dicom = { ...eegTarget, kind: 'dicom' as const, filename: 'MTL001_300001_V1.zip' };
    const linkedUser = await registerUpload(db, input(archive, dicom, 'linked'), {}).catch((e: unknown) => e);
    expect(linkedUser).toMatchObject({ code: 'upload_target_unsafe' });
    expect((linkedUser as ApiError).message).not.toContain(root);
    expect(await tree(outside)).toEqual(['precious.txt']);
    await expect(registerUpload(db, input(archive, dicom, '../outside'), {})).rejects.toMatchObject({
      code: 'upload_target_unsafe',
    });
    expect(await tree(outside)).toEqual(['precious.txt']);
  });

  it('refuses a staged archive that is a symbolic link: nothing moved, nothing outside touched', async () => {
    const secret = join(outside, 'secret.key');
    await writeFile(secret, 'service key');
    await chmod(secret, 0o600);
    const linked = join(staging, 'linked-upload.bin');
    await symlink(secret, linked);
    const target = { ...eegTarget, visit: 'V5', filename: 'MTL001_300001_V5_bids.tar.gz' };
    const dicom = { ...eegTarget, kind: 'dicom' as const, filename: 'MTL001_300001_V5.zip' };
    for (const t of [target, dicom]) {
      await expect(registerUpload(db, input(linked, t), {})).rejects.toMatchObject({
        code: 'upload_target_unsafe',
      });
    }
    expect((await lstat(secret)).mode & 0o777).toBe(0o600);
    expect(await tree(eegIncoming)).not.toContain(target.filename);
    expect(await tree(mriIncoming)).not.toContain(join('uploader', dicom.filename));
    expect((await lstat(linked)).isSymbolicLink()).toBe(true);
    await rm(secret);
    await rm(linked);
  });

  it('answers a file-system failure with its code, never the server path', async () => {
    const target = { ...eegTarget, visit: 'V6', filename: 'MTL001_300001_V6_bids.tar.gz' };
    const missing = join(staging, 'gone.bin');
    const error = await registerUpload(db, input(missing, target), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 500, code: 'upload_registration_failed' });
    expect((error as ApiError).message).toContain('ENOENT');
    expect((error as ApiError).message).not.toContain(root);
  });

  it('answers 503 when the incoming directory is not set or missing', async () => {
    await testDb.seed.config('EEGUploadIncomingPath', join(root, 'missing'));
    try {
      await expect(registerUpload(db, input(await stage('x'), eegTarget), {})).rejects.toMatchObject({
        status: 503,
        code: 'upload_incoming_unavailable',
      });
    } finally {
      await testDb.seed.config('EEGUploadIncomingPath', eegIncoming);
    }
  });
});

describe('state from the rows', () => {
  const eegAt = (status: string) => ({
    lorisUpload: { table: 'electrophysiology_uploader' as const, id: 1, status },
    process: null,
  });
  it.each([
    ['Not Started', 'registered'],
    ['Extracted', 'processing'],
    ['In Progress', 'processing'],
    ['Complete', 'done'],
    ['Failed', 'failed'],
    ['Failed Extraction', 'failed'],
    ['Archived', 'registered'],
  ])('EEG %s → %s', (status, state) => {
    expect(registrationState(eegAt(status))).toBe(state);
  });

  const mriAt = (status: string, process: 'running' | 'success' | 'error' | null) => ({
    lorisUpload: { table: 'mri_upload' as const, id: 1, status },
    process: process === null ? null : { id: 1, state: process, exitCode: null },
  });
  it.each([
    ['Not Started', null, 'registered'],
    ['In Progress...', 'running', 'processing'],
    ['In Progress...', null, 'processing'],
    ['In Progress...', 'success', 'done'],
    ['In Progress...', 'error', 'failed'],
    ['Success', 'success', 'done'],
    ['Failure', null, 'failed'],
  ] as const)('DICOM %s with process %s → %s', (status, process, state) => {
    expect(registrationState(mriAt(status, process))).toBe(state);
  });
});
