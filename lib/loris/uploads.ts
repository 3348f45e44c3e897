/**
 * The uploads module's statements against LORIS: the candidate/session look-ups of LORIS's two uploaders
 * (modules/electrophysiology_uploader/php/upload.class.inc, modules/imaging_uploader/php/imaging_uploader.class.inc),
 * their settings, the rows they write (electrophysiology_uploader, mri_upload, notification_spool) and the
 * pipeline-process rows of LORIS's ServerProcessLauncher (server_processes, mri_upload_server_processes_rel).
 * Prepared statements only; every row read is zod-parsed.
 */
import { z } from 'zod';
import { parseRows, type Db } from './db';

const yn = z.enum(['Y', 'N']);
const id = z.coerce.number().int().positive();
const flag = z.coerce.number().int().nullable();

// ---- candidate and session look-ups ----

export interface EegCandidate {
  active: 'Y' | 'N';
}

/** `candidate.Active` of the CandID/PSCID pair, or undefined when the pair does not exist. */
export async function findEegCandidate(
  db: Db,
  candId: number,
  pscid: string,
): Promise<EegCandidate | undefined> {
  const rows = await db.rows('SELECT Active FROM candidate WHERE CandID = ? AND PSCID = ?', [candId, pscid]);
  const [row] = parseRows(z.object({ Active: yn }), rows);
  return row ? { active: row.Active } : undefined;
}

export interface TargetSession {
  id: number;
  active: 'Y' | 'N';
  centerId: number;
  projectId: number;
}

const sessionRow = z.object({ ID: id, Active: yn, CenterID: id, ProjectID: id });
const toSession = (r: z.infer<typeof sessionRow>): TargetSession => ({
  id: r.ID,
  active: r.Active,
  centerId: r.CenterID,
  projectId: r.ProjectID,
});

/** The session of `visit` for the candidate `candId` (LORIS's EEG uploader: by CandID, whatever the PSCID). */
export async function findCandidateSession(
  db: Db,
  candId: number,
  visit: string,
): Promise<TargetSession | undefined> {
  const rows = await db.rows(
    `SELECT s.ID, s.Active, s.CenterID, s.ProjectID FROM session s JOIN candidate c ON c.ID = s.CandidateID
     WHERE s.Visit_label = ? AND c.CandID = ? ORDER BY s.ID LIMIT 1`,
    [visit, candId],
  );
  const [row] = parseRows(sessionRow, rows);
  return row ? toSession(row) : undefined;
}

/** The imaging uploader's one-row look-up: the CandID, the same candidate with that PSCID, and its visit. */
export interface DicomCandidate {
  /** The candidate has this PSCID. */
  pscidMatches: boolean;
  candidateActive: 'Y' | 'N' | null;
  session: TargetSession | null;
}

const dicomRow = z.object({
  candid_with_pscid: z.coerce.number().nullable(),
  candidate_active: yn.nullable(),
  SessionID: id.nullable(),
  session_active: yn.nullable(),
  CenterID: id.nullable(),
  ProjectID: id.nullable(),
});

/** Undefined when the CandID does not exist. */
export async function findDicomCandidate(
  db: Db,
  candId: number,
  pscid: string,
  visit: string,
): Promise<DicomCandidate | undefined> {
  const rows = await db.rows(
    `SELECT c2.CandID AS candid_with_pscid, c2.Active AS candidate_active, s.ID AS SessionID,
       s.Active AS session_active, s.CenterID, s.ProjectID
     FROM candidate c
     LEFT JOIN candidate c2 ON (c.ID = c2.ID AND c2.PSCID = ?)
     LEFT JOIN session s ON (s.CandidateID = c2.ID AND s.Visit_label = ?)
     WHERE c.CandID = ? ORDER BY s.ID LIMIT 1`,
    [pscid, visit, candId],
  );
  const [row] = parseRows(dicomRow, rows);
  if (!row) return undefined;
  const session =
    row.SessionID !== null && row.session_active !== null && row.CenterID !== null && row.ProjectID !== null
      ? { id: row.SessionID, active: row.session_active, centerId: row.CenterID, projectId: row.ProjectID }
      : null;
  return { pscidMatches: row.candid_with_pscid !== null, candidateActive: row.candidate_active, session };
}

/**
 * mri_upload rows LORIS still lets be re-uploaded (InsertionComplete=0, Inserting NULL or 0) whose UploadLocation
 * ends with `filename` (LORIS: `UploadLocation LIKE '%<filename>'`, here without LIKE's wildcards).
 */
export async function findReuploadableMriUploads(
  db: Db,
  filename: string,
): Promise<{ uploadId: number; uploadLocation: string }[]> {
  const rows = await db.rows(
    `SELECT UploadID, UploadLocation FROM mri_upload
     WHERE RIGHT(UploadLocation, CHAR_LENGTH(?)) = ? AND InsertionComplete = 0
       AND (Inserting IS NULL OR Inserting = 0)
     ORDER BY UploadID LIMIT 100`,
    [filename, filename],
  );
  return parseRows(z.object({ UploadID: id, UploadLocation: z.string() }), rows).map((r) => ({
    uploadId: r.UploadID,
    uploadLocation: r.UploadLocation,
  }));
}

// ---- settings ----

export interface UploadSettings {
  eegUploadIncomingPath: string | undefined;
  mriUploadIncomingPath: string | undefined;
  imagingUploaderAutoLaunch: string | undefined;
  mriCodePath: string | undefined;
  environmentFile: string | undefined;
  mriConfigFile: string | undefined;
  useAdvancedPermissions: string | undefined;
}

const SETTING_NAMES = {
  eegUploadIncomingPath: 'EEGUploadIncomingPath',
  mriUploadIncomingPath: 'MRIUploadIncomingPath',
  imagingUploaderAutoLaunch: 'ImagingUploaderAutoLaunch',
  mriCodePath: 'MRICodePath',
  environmentFile: 'EnvironmentFile',
  mriConfigFile: 'MriConfigFile',
  useAdvancedPermissions: 'useAdvancedPermissions',
} as const satisfies Record<keyof UploadSettings, string>;

/** The uploaders' Config settings (first value of each; LORIS's Name collation is case-insensitive, as here). */
export async function readUploadSettings(db: Db): Promise<UploadSettings> {
  const names = Object.values(SETTING_NAMES);
  const rows = parseRows(
    z.object({ Name: z.string(), Value: z.string().nullable() }),
    await db.rows(
      `SELECT cs.Name, c.Value FROM Config c JOIN ConfigSettings cs ON cs.ID = c.ConfigID
       WHERE cs.Name IN (${names.map(() => '?').join(', ')}) ORDER BY c.ID`,
      names,
    ),
  );
  const first = (name: string): string | undefined =>
    rows.find((r) => r.Name.toLowerCase() === name.toLowerCase() && r.Value !== null)?.Value ?? undefined;
  const entries = Object.entries(SETTING_NAMES).map(([key, name]) => [key, first(name)]);
  return Object.fromEntries(entries) as UploadSettings;
}

// ---- electrophysiology_uploader ----

/** LORIS's collision rule: the rows of the archived file now point into archives/ with Status 'Archived'. */
export async function archiveEegUploads(
  db: Db,
  uploadLocation: string,
  archivedLocation: string,
): Promise<number> {
  const result = await db.write(
    `UPDATE electrophysiology_uploader SET UploadLocation = ?, Status = 'Archived' WHERE UploadLocation = ?`,
    [archivedLocation, uploadLocation],
  );
  return result.affectedRows;
}

export interface EegUploadRow {
  uploadedBy: string;
  /** 'YYYY-MM-DD HH:MM:SS' */
  uploadDate: string;
  uploadLocation: string;
  sessionId: number;
  checksum: string | null;
  metaData: string | null;
}

/** The row LORIS's EEG uploader inserts (Status takes its default, 'Not Started'); returns UploadID. */
export async function insertEegUpload(db: Db, row: EegUploadRow): Promise<number> {
  const result = await db.write(
    `INSERT INTO electrophysiology_uploader (UploadedBy, UploadDate, UploadLocation, SessionID, Checksum, MetaData)
     VALUES (?, ?, ?, ?, ?, ?)`,
    [row.uploadedBy, row.uploadDate, row.uploadLocation, row.sessionId, row.checksum, row.metaData],
  );
  return result.insertId;
}

export async function eegUploadStatus(db: Db, uploadId: number): Promise<string | undefined> {
  const rows = await db.rows('SELECT Status FROM electrophysiology_uploader WHERE UploadID = ?', [uploadId]);
  return parseRows(z.object({ Status: z.string().nullable() }), rows)[0]?.Status ?? undefined;
}

/** E-mail addresses of the users holding `monitor_eeg_uploads` (LORIS's query: the code itself, no superuser). */
export async function eegMonitorEmails(db: Db): Promise<string[]> {
  const rows = await db.rows(
    `SELECT u.Email FROM users u JOIN user_perm_rel upr ON upr.userID = u.ID
     JOIN permissions p ON upr.permID = p.permID WHERE p.code = 'monitor_eeg_uploads' ORDER BY u.ID`,
    [],
  );
  return parseRows(z.object({ Email: z.string() }), rows).map((r) => r.Email);
}

/** psc.Name of the session's site (TimePoint::getPSC). */
export async function sessionSiteName(db: Db, sessionId: number): Promise<string | undefined> {
  const rows = await db.rows(
    'SELECT p.Name FROM session s JOIN psc p ON p.CenterID = s.CenterID WHERE s.ID = ?',
    [sessionId],
  );
  return parseRows(z.object({ Name: z.string() }), rows)[0]?.Name;
}

// ---- mri_upload ----

export interface MriUploadRow {
  uploadedBy: string;
  uploadDate: string;
  uploadLocation: string;
  sessionId: number | null;
  patientName: string;
  isPhantom: 'Y' | 'N';
}

/** The row the imaging uploader inserts (importFile): the other columns NULL or 0. Returns UploadID. */
export async function insertMriUpload(db: Db, row: MriUploadRow): Promise<number> {
  const result = await db.write(
    `INSERT INTO mri_upload (UploadedBy, UploadDate, UploadLocation, SessionID, PatientName, IsPhantom, TarchiveID,
       Inserting, InsertionComplete, IsCandidateInfoValidated, IsTarchiveValidated, number_of_mincInserted,
       number_of_mincCreated)
     VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, 0, NULL, 0, NULL, NULL)`,
    [row.uploadedBy, row.uploadDate, row.uploadLocation, row.sessionId, row.patientName, row.isPhantom],
  );
  return result.insertId;
}

export async function setMriUploadInserting(db: Db, uploadId: number, inserting: 0 | 1): Promise<void> {
  await db.write('UPDATE mri_upload SET Inserting = ? WHERE UploadID = ?', [inserting, uploadId]);
}

export interface MriUploadState {
  inserting: number | null;
  insertionComplete: number;
}

export async function mriUploadState(db: Db, uploadId: number): Promise<MriUploadState | undefined> {
  const rows = await db.rows('SELECT Inserting, InsertionComplete FROM mri_upload WHERE UploadID = ?', [
    uploadId,
  ]);
  const [row] = parseRows(z.object({ Inserting: flag, InsertionComplete: z.coerce.number().int() }), rows);
  return row ? { inserting: row.Inserting, insertionComplete: row.InsertionComplete } : undefined;
}

/** A re-upload inactivates the notifications of an earlier attempt with the same id (imaging_uploader::_process). */
export async function deactivateUploadNotifications(db: Db, uploadId: number): Promise<void> {
  await db.write(`UPDATE notification_spool SET Active = 'N' WHERE ProcessID = ?`, [uploadId]);
}

/** The error row LORIS spools when the pipeline cannot be launched ('mri upload handler emergency'). */
export async function spoolLaunchFailure(db: Db, uploadId: number, message: string): Promise<void> {
  await db.write(
    `INSERT INTO notification_spool (NotificationTypeID, Message, Origin, ProcessID, Error, Verbose)
     SELECT NotificationTypeID, ?, 'Launch of the MRI pipeline', ?, 'Y', 'N'
     FROM notification_types WHERE Type = 'mri upload handler emergency' LIMIT 1`,
    [message, uploadId],
  );
}

// ---- server_processes ----

export interface ServerProcessInsert {
  pid: number;
  stdoutFile: string;
  stderrFile: string;
  exitCodeFile: string;
  userid: string;
  /** 'YYYY-MM-DD HH:MM:SS' */
  startTime: string;
}

/** ServerProcessLauncher::_saveProcess then the mri_upload_server_processes_rel row; returns server_processes.id. */
export async function insertMriUploadProcess(
  db: Db,
  uploadId: number,
  p: ServerProcessInsert,
): Promise<number> {
  const result = await db.write(
    `INSERT INTO server_processes (pid, type, stdout_file, stderr_file, exit_code_file, userid, start_time)
     VALUES (?, 'mri_upload', ?, ?, ?, ?, ?)`,
    [p.pid, p.stdoutFile, p.stderrFile, p.exitCodeFile, p.userid, p.startTime],
  );
  await db.write('INSERT INTO mri_upload_server_processes_rel (UploadID, ProcessID) VALUES (?, ?)', [
    uploadId,
    result.insertId,
  ]);
  return result.insertId;
}

/** The newest process launched for an mri_upload (LORIS may launch one later, e.g. from its API). */
export async function latestUploadProcess(db: Db, uploadId: number): Promise<number | undefined> {
  const rows = await db.rows(
    'SELECT ProcessID FROM mri_upload_server_processes_rel WHERE UploadID = ? ORDER BY ProcessID DESC LIMIT 1',
    [uploadId],
  );
  return parseRows(z.object({ ProcessID: id }), rows)[0]?.ProcessID;
}

export interface ServerProcessRow {
  id: number;
  pid: number;
  exitCodeFile: string | null;
  stdoutFile: string | null;
  stderrFile: string | null;
  exitCode: string | null;
  endTime: string | null;
}

export async function findServerProcess(db: Db, processId: number): Promise<ServerProcessRow | undefined> {
  const rows = await db.rows(
    `SELECT id, pid, stdout_file, stderr_file, exit_code_file, exit_code, end_time FROM server_processes
     WHERE id = ?`,
    [processId],
  );
  const [row] = parseRows(
    z.object({
      id,
      pid: z.coerce.number().int().nonnegative(),
      stdout_file: z.string().nullable(),
      stderr_file: z.string().nullable(),
      exit_code_file: z.string().nullable(),
      exit_code: z.string().nullable(),
      end_time: z.string().nullable(),
    }),
    rows,
  );
  return row
    ? {
        id: row.id,
        pid: row.pid,
        stdoutFile: row.stdout_file,
        stderrFile: row.stderr_file,
        exitCodeFile: row.exit_code_file,
        exitCode: row.exit_code,
        endTime: row.end_time,
      }
    : undefined;
}

/** AbstractServerProcess::_syncTaskProperties's update once the process has ended. */
export async function recordServerProcessEnd(
  db: Db,
  processId: number,
  end: { exitCode: string; endTime: string | null; exitText: string },
): Promise<void> {
  await db.write('UPDATE server_processes SET exit_text = ?, exit_code = ?, end_time = ? WHERE id = ?', [
    end.exitText,
    end.exitCode,
    end.endTime,
    processId,
  ]);
}

// ---- the account's grants ----

export interface WritePrivilege {
  /** '*' for a global or database-wide grant. */
  table: string;
  privilege: string;
}

/**
 * INSERT/UPDATE privileges of the connected account on this database: global (USER_PRIVILEGES), database-wide
 * (SCHEMA_PRIVILEGES) and per table (TABLE_PRIVILEGES). information_schema shows an ordinary account only its own
 * grants; the GRANTEE filter keeps an administrator's view to its own too.
 */
export async function accountWritePrivileges(db: Db): Promise<WritePrivilege[]> {
  const grantee = `CONCAT("'", SUBSTRING_INDEX(CURRENT_USER(), '@', 1), "'@'", SUBSTRING_INDEX(CURRENT_USER(), '@', -1), "'")`;
  const rows = await db.rows(
    `SELECT '*' AS tbl, PRIVILEGE_TYPE AS priv FROM information_schema.USER_PRIVILEGES
       WHERE GRANTEE = ${grantee} AND PRIVILEGE_TYPE IN ('INSERT', 'UPDATE')
     UNION ALL SELECT '*', PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES
       WHERE GRANTEE = ${grantee} AND TABLE_SCHEMA = DATABASE() AND PRIVILEGE_TYPE IN ('INSERT', 'UPDATE')
     UNION ALL SELECT TABLE_NAME, PRIVILEGE_TYPE FROM information_schema.TABLE_PRIVILEGES
       WHERE GRANTEE = ${grantee} AND TABLE_SCHEMA = DATABASE() AND PRIVILEGE_TYPE IN ('INSERT', 'UPDATE')`,
    [],
  );
  return parseRows(z.object({ tbl: z.string(), priv: z.string() }), rows).map((r) => ({
    table: r.tbl,
    privilege: r.priv,
  }));
}
