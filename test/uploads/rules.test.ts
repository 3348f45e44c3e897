/**
 * validateUploadTarget against a real MariaDB with LORIS's schema, through the service's own pool and account:
 * every refusal rule of LORIS's two uploaders with its code, status and message, in LORIS's order; the permission
 * rules (EEG: the recording-view rule on the target session; DICOM: all sites, or own sites and the session's
 * site; superuser as LORIS treats it); LORIS's DICOM duplicate rule; the name rules as plain string checks.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../lib/core/errors';
import type { Db } from '../../lib/loris/db';
import { findUserByUsername, type LorisUser } from '../../lib/loris/users';
import {
  matchesDicomName,
  UPLOAD_REFUSALS,
  validateUploadTarget,
  type UploadRefusal,
} from '../../lib/uploads/rules';
import type { UploadTarget } from '../../lib/uploads/types';
import { createLorisTestDb, serviceDb, type LorisTestDb } from '../helpers/loris-db';

let testDb: LorisTestDb;
let db: Db;
let incoming: string;
const ids = { siteA: 0, siteB: 0, p1: 0, p2: 0, sessionV1: 0 };
const users = new Map<string, LorisUser>();

const user = (name: string): LorisUser => {
  const u = users.get(name);
  if (!u) throw new Error(`no user ${name}`);
  return u;
};

const eeg = (over: Partial<UploadTarget> = {}): UploadTarget => ({
  kind: 'eeg-bids',
  filename: 'MTL001_300001_V1_bids.tar.gz',
  pscid: 'MTL001',
  candid: '300001',
  visit: 'V1',
  isPhantom: false,
  ...over,
});
const dicom = (over: Partial<UploadTarget> = {}): UploadTarget => ({
  kind: 'dicom',
  filename: 'MTL001_300001_V1.tar.gz',
  pscid: 'MTL001',
  candid: '300001',
  visit: 'V1',
  isPhantom: false,
  ...over,
});

async function refusal(name: string, target: UploadTarget): Promise<ApiError> {
  const error: unknown = await validateUploadTarget(db, user(name), target).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

async function expectRefusal(name: string, target: UploadTarget, code: UploadRefusal, message?: string) {
  const error = await refusal(name, target);
  expect({ code: error.code, status: error.status }).toEqual({ code, status: UPLOAD_REFUSALS[code] });
  if (message !== undefined) expect(error.message).toBe(message);
}

beforeAll(async () => {
  testDb = await createLorisTestDb();
  const s = testDb.seed;
  ids.siteA = await s.site('Montreal');
  ids.siteB = await s.site('Ottawa');
  ids.p1 = await s.project('Pumpernickel');
  ids.p2 = await s.project('Rye');
  const c1 = await s.candidate({ pscid: 'MTL001', candId: 300001, site: ids.siteA, project: ids.p1 });
  ids.sessionV1 = await s.session({ candidate: c1, site: ids.siteA, project: ids.p1, visit: 'V1' });
  await s.session({ candidate: c1, site: ids.siteA, project: ids.p1, visit: 'V2', active: 'N' });
  const c2 = await s.candidate({
    pscid: 'MTL002',
    candId: 300002,
    site: ids.siteA,
    project: ids.p1,
    active: 'N',
  });
  await s.session({ candidate: c2, site: ids.siteA, project: ids.p1, visit: 'V1' });
  const seeds: [string, string[], number[], number[]][] = [
    ['eegAll', ['electrophysiology_browser_view_allsites'], [], [ids.p1]],
    ['eegSiteA', ['electrophysiology_browser_view_site'], [ids.siteA], [ids.p1]],
    ['eegSiteB', ['electrophysiology_browser_view_site'], [ids.siteB], [ids.p1]],
    ['eegOtherProject', ['electrophysiology_browser_view_allsites'], [], [ids.p2]],
    ['superNoProject', ['superuser'], [], []],
    ['superP1', ['superuser'], [], [ids.p1]],
    ['nobody', [], [ids.siteA], [ids.p1]],
    ['imgAll', ['imaging_uploader_allsites'], [], []],
    ['imgOwnA', ['imaging_uploader_ownsites'], [ids.siteA], [ids.p1]],
    ['imgOwnANoProject', ['imaging_uploader_ownsites'], [ids.siteA], []],
    ['imgOwnB', ['imaging_uploader_ownsites'], [ids.siteB], [ids.p1]],
  ];
  for (const [username, permissions, sites, projects] of seeds)
    await s.user({ username, permissions, sites, projects });
  db = serviceDb(testDb);
  for (const [username] of seeds) {
    const found = await findUserByUsername(db, username);
    if (!found) throw new Error(username);
    users.set(username, found);
  }
  incoming = await mkdtemp(join(tmpdir(), 'uploads-rules-'));
  await s.config('MRIUploadIncomingPath', `${incoming}/`);
});

afterAll(async () => {
  await db?.close();
  await testDb?.drop();
  if (incoming) await rm(incoming, { recursive: true, force: true });
});

describe('EEG BIDS (electrophysiology_uploader)', () => {
  it('accepts the exact name for a user who may view the session, and resolves it', async () => {
    const resolved = await validateUploadTarget(db, user('eegSiteA'), eeg());
    expect(resolved).toEqual({
      target: eeg(),
      candId: 300001,
      sessionId: ids.sessionV1,
      centerId: ids.siteA,
      projectId: ids.p1,
    });
    await expect(validateUploadTarget(db, user('eegAll'), eeg())).resolves.toMatchObject({ candId: 300001 });
    await expect(validateUploadTarget(db, user('superP1'), eeg())).resolves.toMatchObject({ candId: 300001 });
  });

  it('answers LORIS messages with a code and status for each rule', async () => {
    await expectRefusal(
      'eegAll',
      eeg({ pscid: 'MTL002' }),
      'upload_candidate_not_found',
      'Candidate with matching CandID/PSCID pair does not exist',
    );
    await expectRefusal(
      'eegAll',
      eeg({ candid: '999999' }),
      'upload_candidate_not_found',
      'Candidate with matching CandID/PSCID pair does not exist',
    );
    await expectRefusal(
      'eegAll',
      eeg({ pscid: 'MTL002', candid: '300002', filename: 'MTL002_300002_V1_bids.tar.gz' }),
      'upload_candidate_inactive',
      'Candidate associated with CandID 300002 is inactive.',
    );
    await expectRefusal(
      'eegAll',
      eeg({ visit: 'V9', filename: 'MTL001_300001_V9_bids.tar.gz' }),
      'upload_visit_not_found',
      'Visit V9 for candidate 300001 does not exist',
    );
    await expectRefusal(
      'eegAll',
      eeg({ visit: 'V2', filename: 'MTL001_300001_V2_bids.tar.gz' }),
      'upload_visit_inactive',
      'Visit V2 for CandID 300001 is inactive.',
    );
    for (const filename of [
      'MTL001_300001_V1.tar.gz',
      'MTL001_300001_V1_bids.tgz',
      'mtl001_300001_V1_bids.tar.gz',
      'MTL001_300001_V1_bids.tar.gz.zip',
    ])
      await expectRefusal(
        'eegAll',
        eeg({ filename }),
        'upload_filename_mismatch',
        'Filename does not match expected name, please verify.',
      );
  });

  it('checks in LORIS order: the candidate before the visit before the name', async () => {
    const everythingWrong = eeg({ pscid: 'MTL002', candid: '300002', visit: 'V9', filename: 'x.tar.gz' });
    await expectRefusal('eegAll', everythingWrong, 'upload_candidate_inactive');
    await expectRefusal('eegAll', eeg({ visit: 'V2', filename: 'x.tar.gz' }), 'upload_visit_inactive');
  });

  it('applies the recording-view rule to the target session, project membership included', async () => {
    await expectRefusal('nobody', eeg(), 'upload_forbidden');
    await expectRefusal('imgAll', eeg(), 'upload_forbidden');
    await expectRefusal('eegSiteB', eeg(), 'upload_session_forbidden');
    await expectRefusal('eegOtherProject', eeg(), 'upload_session_forbidden');
    // superuser stands for any permission code, not for project membership (LORIS's hasProject has no bypass)
    await expectRefusal('superNoProject', eeg(), 'upload_session_forbidden');
  });

  it('refuses malformed targets before asking LORIS', async () => {
    await expectRefusal(
      'eegAll',
      eeg({ filename: '../MTL001_300001_V1_bids.tar.gz' }),
      'upload_filename_invalid',
    );
    await expectRefusal('eegAll', eeg({ filename: 'a\nb' }), 'upload_filename_invalid');
    await expectRefusal('eegAll', eeg({ filename: 'x'.repeat(256) }), 'upload_filename_invalid');
    await expectRefusal('eegAll', eeg({ visit: '' }), 'upload_target_invalid');
    await expectRefusal('eegAll', eeg({ pscid: 'P'.repeat(256) }), 'upload_target_invalid');
    await expectRefusal('eegAll', eeg({ isPhantom: true }), 'upload_target_invalid');
    // Control characters never reach a message, an e-mail or a path; phantoms (no candidate look-up) included.
    await expectRefusal('eegAll', eeg({ visit: 'V1\nBcc: x@example.org' }), 'upload_target_invalid');
    await expectRefusal('eegAll', eeg({ pscid: 'MTL\u0000001' }), 'upload_target_invalid');
    await expectRefusal(
      'imgAll',
      dicom({ isPhantom: true, pscid: 'x\ry', filename: 'phantom.zip' }),
      'upload_target_invalid',
    );
    // a CandID that is not a plain number matches no candidate (MariaDB would read '300001abc' as 300001)
    await expectRefusal('eegAll', eeg({ candid: '300001abc' }), 'upload_candidate_not_found');
    await expectRefusal('eegAll', eeg({ candid: '99999999999' }), 'upload_candidate_not_found');
  });
});

describe('DICOM (imaging_uploader)', () => {
  it('accepts the name with or without a suffix, for all-sites and own-site uploaders', async () => {
    for (const filename of [
      'MTL001_300001_V1.tar.gz',
      'MTL001_300001_V1.tgz',
      'MTL001_300001_V1_t1_run2.zip',
    ])
      await expect(validateUploadTarget(db, user('imgOwnA'), dicom({ filename }))).resolves.toEqual({
        target: dicom({ filename }),
        candId: 300001,
        sessionId: ids.sessionV1,
        centerId: ids.siteA,
        projectId: ids.p1,
      });
    await expect(validateUploadTarget(db, user('imgAll'), dicom())).resolves.toMatchObject({
      candId: 300001,
    });
    // superuser satisfies imaging_uploader_allsites, which needs no site
    await expect(validateUploadTarget(db, user('superNoProject'), dicom())).resolves.toMatchObject({
      sessionId: ids.sessionV1,
    });
  });

  it("answers LORIS's messages in LORIS's order", async () => {
    await expectRefusal(
      'imgAll',
      dicom({ filename: 'MTL001_300001_V1.rar' }),
      'upload_file_type_invalid',
      'The file MTL001_300001_V1.rar is not of type .tgz, .tar.gz or .zip.',
    );
    await expectRefusal(
      'imgAll',
      dicom({ candid: '999999' }),
      'upload_candidate_not_found',
      'The CandID 999999 does not exist in the database.',
    );
    await expectRefusal(
      'imgAll',
      dicom({ pscid: 'MTL002' }),
      'upload_pscid_mismatch',
      'Invalid PSCID MTL002 for CandID 300001. Check that you entered the correct PSCID and CandID.',
    );
    await expectRefusal(
      'imgAll',
      dicom({ visit: 'V9' }),
      'upload_visit_not_found',
      'Invalid Visit Label V9 for CandID 300001. Check that you entered the correct Visit Label and CandID.',
    );
    await expectRefusal(
      'imgAll',
      dicom({ pscid: 'MTL002', candid: '300002', filename: 'MTL002_300002_V1.zip' }),
      'upload_candidate_inactive',
      'The candidate associated with CandID 300002 and PSCID MTL002 is not active in the database.',
    );
    await expectRefusal(
      'imgAll',
      dicom({ visit: 'V2', filename: 'MTL001_300001_V2.zip' }),
      'upload_visit_inactive',
      'The session associated with CandID 300001 and Visit Label V2 is not active in the database.',
    );
    const mismatch = await refusal('imgAll', dicom({ filename: 'MTL001_300001_V2.tar.gz' }));
    expect(mismatch.code).toBe('upload_filename_mismatch');
    expect(mismatch.message).toContain('matches MTL001_300001_V1 or begins with "MTL001_300001_V1_"');
    // the extension comes first (LORIS's MIME check), the candidate before the name
    await expectRefusal('imgAll', dicom({ candid: '999999', filename: 'x.rar' }), 'upload_file_type_invalid');
    await expectRefusal('imgAll', dicom({ visit: 'V9', filename: 'x.zip' }), 'upload_visit_not_found');
  });

  it('requires all sites, or own sites and the session site; phantoms need either code', async () => {
    await expectRefusal('eegAll', dicom(), 'upload_forbidden');
    await expectRefusal('nobody', dicom({ isPhantom: true }), 'upload_forbidden');
    await expectRefusal('imgOwnB', dicom(), 'upload_session_forbidden');
    const phantom = dicom({
      isPhantom: true,
      filename: 'scanner_qa_2026.zip',
      pscid: '',
      candid: '',
      visit: '',
    });
    await expect(validateUploadTarget(db, user('imgOwnB'), phantom)).resolves.toEqual({
      target: phantom,
      candId: null,
      sessionId: null,
      centerId: null,
      projectId: null,
    });
    await expectRefusal('imgOwnB', { ...phantom, filename: 'scanner_qa.dcm' }, 'upload_file_type_invalid');
  });

  it("adds project membership when LORIS's useAdvancedPermissions is on", async () => {
    await expect(validateUploadTarget(db, user('imgOwnANoProject'), dicom())).resolves.toBeDefined();
    await testDb.seed.config('useAdvancedPermissions', 'true');
    try {
      await expectRefusal('imgOwnANoProject', dicom(), 'upload_session_forbidden');
      await expect(validateUploadTarget(db, user('imgOwnA'), dicom())).resolves.toBeDefined();
    } finally {
      await testDb.seed.config('useAdvancedPermissions', 'false');
    }
  });

  it("refuses LORIS's duplicate: a name already uploaded, not yet inserted, with its file still there", async () => {
    const name = 'MTL001_300001_V1_dup.zip';
    const stored = join(incoming, 'imgAll', name);
    const [row] = await testDb.root.execute<import('mysql2/promise').ResultSetHeader>(
      `INSERT INTO mri_upload (UploadedBy, UploadDate, UploadLocation, SessionID, PatientName)
       VALUES ('imgAll', NOW(), ?, ?, 'MTL001_300001_V1')`,
      [stored, ids.sessionV1],
    );
    // the row alone is not enough: LORIS also wants the file
    await expect(validateUploadTarget(db, user('imgAll'), dicom({ filename: name }))).resolves.toBeDefined();
    await mkdir(join(incoming, 'imgAll'), { recursive: true });
    await writeFile(stored, 'zip');
    await expectRefusal(
      'imgAll',
      dicom({ filename: name }),
      'upload_already_uploaded',
      'This file has already been uploaded.',
    );
    // the same name at LORIS's own place (MRIUploadIncomingPath . name) counts too
    await rm(stored);
    await writeFile(join(incoming, name), 'zip');
    await expectRefusal('imgAll', dicom({ filename: name }), 'upload_already_uploaded');
    // a phantom of the same name too (LORIS applies the rule to every upload)
    await expectRefusal('imgAll', dicom({ filename: name, isPhantom: true }), 'upload_already_uploaded');
    // once the pipeline is inserting it, a new upload of the name is allowed
    await testDb.root.execute('UPDATE mri_upload SET Inserting = 1 WHERE UploadID = ?', [row.insertId]);
    await expect(validateUploadTarget(db, user('imgAll'), dicom({ filename: name }))).resolves.toBeDefined();
    // LIKE wildcards in a name are literal here
    await testDb.root.execute('UPDATE mri_upload SET Inserting = NULL WHERE UploadID = ?', [row.insertId]);
    await writeFile(join(incoming, 'MTL001_300001_V1_%.zip'), 'zip');
    await expect(
      validateUploadTarget(db, user('imgAll'), dicom({ filename: 'MTL001_300001_V1_%.zip' })),
    ).resolves.toBeDefined();
  });
});

describe('DICOM name rule as plain string checks', () => {
  it.each([
    ['MTL001_300001_V1.zip', true],
    ['MTL001_300001_V1.tgz', true],
    ['MTL001_300001_V1.tar.gz', true],
    ['MTL001_300001_V1_.zip', true],
    ['MTL001_300001_V1_anything.at.all.tar.gz', true],
    ['MTL001_300001_V1x.zip', false],
    ['MTL001_300001_V1.tarxgz', false],
    ['MTL001_300001_V1.zip.exe', false],
    ['MTL001_300001_V12.zip', false],
    ['XMTL001_300001_V1.zip', false],
    ['MTL001_300001_V1', false],
  ])('%s → %s', (name, ok) => {
    expect(matchesDicomName(name, 'MTL001_300001_V1')).toBe(ok);
  });

  it('treats pattern characters in the identifiers literally', () => {
    expect(matchesDicomName('MTL.01_1_V.zip', 'MTL.01_1_V')).toBe(true);
    expect(matchesDicomName('MTLx01_1_Vx.zip', 'MTL.01_1_V.')).toBe(false);
    expect(matchesDicomName('A_1_(.*)+.zip', 'A_1_(.*)+')).toBe(true);
    expect(matchesDicomName('A_1_aaaa.zip', 'A_1_(a+)+')).toBe(false);
  });
});
