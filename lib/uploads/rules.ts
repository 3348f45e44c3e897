/**
 * Who may upload what, checked before any byte is stored, with the rules, order and messages of LORIS's own
 * uploaders:
 * - `eeg-bids` as modules/electrophysiology_uploader/php/upload.class.inc: the CandID/PSCID pair exists (404) and
 *   is active (400), the visit exists for the CandID (404) and is active (400), the name is exactly
 *   `{PSCID}_{CandID}_{Visit}_bids.tar.gz` (400). Permission: the electrophysiology browser's module access, then
 *   its per-session rule (lib/auth/permissions.ts canViewSession: view_allsites, or view_site and the session's
 *   site, and the session's project) once the session is known. A re-upload of the same name is not refused:
 *   registration archives the earlier file, as LORIS does.
 * - `dicom` as modules/imaging_uploader/php/imaging_uploader.class.inc `isValid`: the extension (LORIS's MIME
 *   check), then unless phantom: the CandID exists, the PSCID is the candidate's, the visit is the candidate's, the
 *   candidate and the session are active; then LORIS's duplicate rule; then the name
 *   `{PSCID}_{CandID}_{Visit}[_…].(tgz|tar.gz|zip)` (plain string checks, end-anchored). Permission:
 *   imaging_uploader_allsites, or imaging_uploader_ownsites and the session's site (and its project when LORIS's
 *   useAdvancedPermissions is on); phantoms have no session, so module access (either code) suffices, as in LORIS.
 * `superuser` satisfies every permission code but not site or project membership (UserPermissions::hasPermission
 * vs User::hasCenter/hasProject). Where LORIS reports several errors at once, the first in its order is answered.
 */
import { ApiError } from '../core/errors';
import { canUseBrowser, canViewSession, hasPermission } from '../auth/permissions';
import type { Db } from '../loris/db';
import {
  findCandidateSession,
  findDicomCandidate,
  findEegCandidate,
  findReuploadableMriUploads,
  readUploadSettings,
  type TargetSession,
} from '../loris/uploads';
import type { LorisUser } from '../loris/users';
import { access } from 'node:fs/promises';
import type { ResolvedTarget, UploadTarget } from './types';

export const IMAGING_PERMISSION = {
  allSites: 'imaging_uploader_allsites',
  ownSites: 'imaging_uploader_ownsites',
} as const;

/** Every refusal validateUploadTarget answers: code → HTTP status (for the OpenAPI document). */
export const UPLOAD_REFUSALS = {
  upload_target_invalid: 400,
  upload_filename_invalid: 400,
  upload_forbidden: 403,
  upload_session_forbidden: 403,
  upload_candidate_not_found: 404,
  upload_pscid_mismatch: 400,
  upload_candidate_inactive: 400,
  upload_visit_not_found: 404,
  upload_visit_inactive: 400,
  upload_file_type_invalid: 400,
  upload_already_uploaded: 409,
  upload_filename_mismatch: 400,
} as const;
export type UploadRefusal = keyof typeof UPLOAD_REFUSALS;

export const refuse = (code: UploadRefusal, message: string): ApiError =>
  new ApiError(UPLOAD_REFUSALS[code], code, message);

export const DICOM_EXTENSIONS = ['.tgz', '.tar.gz', '.zip'] as const;
export const EEG_SUFFIX = '_bids.tar.gz';
const MAX_FIELD_CHARS = 255;
/** CandIDs are INT(10) UNSIGNED. */
const MAX_CANDID = 4_294_967_295;

const isControl = (ch: string): boolean => {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f;
};

/** A file name with no directory part, no control character, at most 255 characters. */
export function isPlainFileName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_FIELD_CHARS || name === '.' || name === '..') return false;
  for (const ch of name) if (ch === '/' || ch === '\\' || isControl(ch)) return false;
  return true;
}

/** Shape of the request itself (lengths, a decimal CandID), before LORIS's rules. */
function assertWellFormed(target: UploadTarget): void {
  if (!isPlainFileName(target.filename))
    throw refuse('upload_filename_invalid', 'The file name must be a plain name of at most 255 characters.');
  for (const [field, value] of [
    ['pscid', target.pscid],
    ['visit', target.visit],
    ['candid', target.candid],
  ] as const) {
    if (value.length > MAX_FIELD_CHARS)
      throw refuse('upload_target_invalid', `${field} is longer than ${MAX_FIELD_CHARS} characters.`);
    // They reach messages, the monitors' e-mail and (phantoms: unchecked by LORIS) the registration.
    if ([...value].some(isControl))
      throw refuse('upload_target_invalid', `${field} contains control characters.`);
  }
  const incomplete = target.pscid === '' || target.candid === '' || target.visit === '';
  if (incomplete && !(target.kind === 'dicom' && target.isPhantom))
    throw refuse('upload_target_invalid', 'pscid, candid and visit are required.');
}

/** The CandID as LORIS's INT column holds it, or undefined when no candidate can have it. */
function parseCandId(candid: string): number | undefined {
  if (candid.length === 0 || candid.length > 10) return undefined;
  for (const ch of candid) if (ch < '0' || ch > '9') return undefined;
  const value = Number(candid);
  return value >= 1 && value <= MAX_CANDID ? value : undefined;
}

function resolved(
  target: UploadTarget,
  candId: number | null,
  session: TargetSession | null,
): ResolvedTarget {
  return {
    target,
    candId,
    sessionId: session?.id ?? null,
    centerId: session?.centerId ?? null,
    projectId: session?.projectId ?? null,
  };
}

// ---- EEG BIDS (electrophysiology_uploader) ----

async function validateEeg(db: Db, user: LorisUser, target: UploadTarget): Promise<ResolvedTarget> {
  if (!canUseBrowser(user))
    throw refuse('upload_forbidden', 'You do not have permission to upload electrophysiology recordings.');
  const { pscid, candid, visit } = target;
  const candId = parseCandId(candid);
  const candidate = candId === undefined ? undefined : await findEegCandidate(db, candId, pscid);
  if (candId === undefined || !candidate)
    throw refuse('upload_candidate_not_found', 'Candidate with matching CandID/PSCID pair does not exist');
  if (candidate.active !== 'Y')
    throw refuse('upload_candidate_inactive', `Candidate associated with CandID ${candid} is inactive.`);
  const session = await findCandidateSession(db, candId, visit);
  if (!session)
    throw refuse('upload_visit_not_found', `Visit ${visit} for candidate ${candid} does not exist`);
  if (!canViewSession(user, session))
    throw refuse('upload_session_forbidden', 'You do not have permission to upload files for this session.');
  if (session.active !== 'Y')
    throw refuse('upload_visit_inactive', `Visit ${visit} for CandID ${candid} is inactive.`);
  if (target.filename !== `${pscid}_${candid}_${visit}${EEG_SUFFIX}`)
    throw refuse('upload_filename_mismatch', 'Filename does not match expected name, please verify.');
  return resolved(target, candId, session);
}

// ---- DICOM (imaging_uploader) ----

export function dicomExtension(filename: string): (typeof DICOM_EXTENSIONS)[number] | undefined {
  return DICOM_EXTENSIONS.find((ext) => filename.length > ext.length && filename.endsWith(ext));
}

/** `^{pcv}(_.*)?\.(tgz|tar\.gz|zip)$` without a pattern built from request values. */
export function matchesDicomName(filename: string, pcv: string): boolean {
  if (!filename.startsWith(pcv)) return false;
  const rest = filename.slice(pcv.length);
  return DICOM_EXTENSIONS.some((ext) => {
    if (!rest.endsWith(ext)) return false;
    const middle = rest.slice(0, rest.length - ext.length);
    return middle === '' || middle.startsWith('_');
  });
}

function canUploadImaging(user: LorisUser, session: TargetSession | null, advanced: boolean): boolean {
  const allSites = hasPermission(user, IMAGING_PERMISSION.allSites);
  const ownSites = hasPermission(user, IMAGING_PERMISSION.ownSites);
  if (session === null) return allSites || ownSites;
  const siteAllowed = allSites || (ownSites && user.sites.includes(session.centerId));
  return siteAllowed && (!advanced || user.projects.includes(session.projectId));
}

/** LORIS's candidate checks (non-phantoms), in its order; the session the upload belongs to. */
async function checkDicomCandidate(
  db: Db,
  user: LorisUser,
  target: UploadTarget,
  advanced: boolean,
): Promise<{ candId: number; session: TargetSession }> {
  const pscid = target.pscid.trim();
  const visit = target.visit.trim();
  const candId = parseCandId(target.candid);
  const found = candId === undefined ? undefined : await findDicomCandidate(db, candId, pscid, visit);
  if (candId === undefined || !found)
    throw refuse('upload_candidate_not_found', `The CandID ${target.candid} does not exist in the database.`);
  if (!found.pscidMatches)
    throw refuse(
      'upload_pscid_mismatch',
      `Invalid PSCID ${pscid} for CandID ${candId}. Check that you entered the correct PSCID and CandID.`,
    );
  const session = found.session;
  if (!session)
    throw refuse(
      'upload_visit_not_found',
      `Invalid Visit Label ${visit} for CandID ${candId}. Check that you entered the correct Visit Label and CandID.`,
    );
  if (!canUploadImaging(user, session, advanced))
    throw refuse(
      'upload_session_forbidden',
      'This user does not have permission to upload files for this session.',
    );
  if (found.candidateActive !== 'Y')
    throw refuse(
      'upload_candidate_inactive',
      `The candidate associated with CandID ${candId} and PSCID ${pscid} is not active in the database.`,
    );
  if (session.active !== 'Y')
    throw refuse(
      'upload_visit_inactive',
      `The session associated with CandID ${candId} and Visit Label ${visit} is not active in the database.`,
    );
  return { candId, session };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * LORIS refuses a name already uploaded and not yet inserted (a re-uploadable mri_upload row ending with the name)
 * when the file is still there. LORIS looks at `MRIUploadIncomingPath . name`; its web uploader stores files one
 * directory deeper (`<incoming>/<user>/<name>`), so the file each row names is looked at too.
 */
async function isDuplicateDicom(
  db: Db,
  filename: string,
  incomingPath: string | undefined,
): Promise<boolean> {
  const rows = await findReuploadableMriUploads(db, filename);
  if (rows.length === 0) return false;
  if (incomingPath && (await exists(incomingPath + filename))) return true;
  for (const row of rows)
    if (row.uploadLocation.startsWith('/') && (await exists(row.uploadLocation))) return true;
  return false;
}

async function validateDicom(db: Db, user: LorisUser, target: UploadTarget): Promise<ResolvedTarget> {
  if (!hasPermission(user, IMAGING_PERMISSION.allSites) && !hasPermission(user, IMAGING_PERMISSION.ownSites))
    throw refuse('upload_forbidden', 'You do not have permission to upload imaging scans.');
  if (!dicomExtension(target.filename))
    throw refuse(
      'upload_file_type_invalid',
      `The file ${target.filename} is not of type .tgz, .tar.gz or .zip.`,
    );
  const settings = await readUploadSettings(db);
  const advanced = settings.useAdvancedPermissions === 'true';
  const checked = target.isPhantom ? null : await checkDicomCandidate(db, user, target, advanced);
  if (await isDuplicateDicom(db, target.filename, settings.mriUploadIncomingPath))
    throw refuse('upload_already_uploaded', 'This file has already been uploaded.');
  if (checked) {
    const pcv = `${target.pscid.trim()}_${checked.candId}_${target.visit.trim()}`;
    if (!matchesDicomName(target.filename, pcv))
      throw refuse(
        'upload_filename_mismatch',
        'File name and fields entered in CandID, PSCID, Visit Label must match. Verify that the information ' +
          'entered in all the fields above is correct or rename the file so that the file name matches ' +
          `${pcv} or begins with "${pcv}_", and has the extension .tgz, tar.gz or .zip`,
      );
  }
  return resolved(target, checked?.candId ?? null, checked?.session ?? null);
}

/**
 * Checks `target` for `user` before any byte is stored: permission, candidate/visit rules and the file-name rule
 * of LORIS's uploader for the kind. Throws an ApiError (4xx with a stable code, UPLOAD_REFUSALS) when LORIS would
 * refuse it; 503 database_unavailable when LORIS cannot be asked.
 */
export async function validateUploadTarget(
  db: Db,
  user: LorisUser,
  target: UploadTarget,
): Promise<ResolvedTarget> {
  assertWellFormed(target);
  if (target.kind === 'eeg-bids') {
    if (target.isPhantom) throw refuse('upload_target_invalid', 'EEG uploads cannot be phantoms.');
    return validateEeg(db, user, target);
  }
  return validateDicom(db, user, target);
}
