/**
 * A DICOM study from the first tus byte to LORIS's pipeline: a study written with dcmjs, packed as LORIS's imaging
 * uploader names it, uploaded through serverless-offline by an account with imaging_uploader_allsites, checked
 * (series, PatientName), registered in `mri_upload`, and — with ImagingUploaderAutoLaunch on — the pipeline
 * launched as LORIS launches it (a small real script stands in for LORIS-MRI's imaging_upload_file.pl) and tracked
 * in `server_processes` / `mri_upload_server_processes_rel`; the upload's state follows the process to `done`.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import type { UploadTarget } from '../../lib/uploads/types';
import { makeDicomArchive } from '../helpers/dicom-study';
import { startOffline, type OfflineService } from '../helpers/offline';
import { createUploadsWorld, idOf, tusClient, type UploadsWorld } from '../helpers/uploads-world';

const TARGET: UploadTarget = {
  kind: 'dicom',
  filename: 'MTL001_300001_V1.tar.gz',
  pscid: 'MTL001',
  candid: '300001',
  visit: 'V1',
  isPhantom: false,
};

/**
 * Lets the stand-in exit 0: the file is written aside and renamed into place, so the script never reads it before its
 * content (an empty exit code makes bash exit 2).
 */
function release(codePath: string): void {
  writeFileSync(join(codePath, '.release'), '0');
  renameSync(join(codePath, '.release'), join(codePath, 'release'));
}

/** Records its arguments, then waits for a `release` file holding the exit code (so "running" can be seen). */
const STAND_IN = `#!/bin/bash
dir="$(cd "$(dirname "$0")/.." && pwd)"
printf '%s\\n' "$@" > "$dir/args"
for _ in $(seq 1 2400); do
  if [ -f "$dir/release" ]; then exit "$(cat "$dir/release")"; fi
  sleep 0.05
done
exit 99
`;

async function rows(world: UploadsWorld, sql: string, params: (string | number)[]): Promise<RowDataPacket[]> {
  const [result] = await world.db.root.execute<RowDataPacket[]>(sql, params);
  return result;
}

describe('a DICOM study uploaded, registered in mri_upload and its pipeline tracked', () => {
  let world: UploadsWorld;
  let service: OfflineService;
  let codePath: string;

  beforeAll(async () => {
    world = await createUploadsWorld();
    await world.db.seed.user({
      username: 'imager',
      permissions: ['imaging_uploader_allsites'],
      sites: [world.site],
      projects: [world.project],
    });
    codePath = join(world.tmp, 'mri-code');
    mkdirSync(join(codePath, 'uploadNeuroDB'), { recursive: true });
    const script = join(codePath, 'uploadNeuroDB', 'imaging_upload_file.pl');
    writeFileSync(script, STAND_IN);
    chmodSync(script, 0o755);
    writeFileSync(join(codePath, 'environment'), '');
    await world.db.seed.config('MRICodePath', codePath);
    await world.db.seed.config('MriConfigFile', 'prod');
    await world.db.seed.config('ImagingUploaderAutoLaunch', '1');
    service = await startOffline(world.env());
  }, 90000);

  afterAll(async () => {
    if (codePath && !existsSync(join(codePath, 'release'))) release(codePath);
    await service?.stop();
    await world?.drop();
  });

  it('registers the study, launches the pipeline and follows it to done', async () => {
    const dir = join(world.tmp, 'study-case');
    mkdirSync(dir);
    const data = readFileSync(
      await makeDicomArchive(dir, TARGET.filename, { patientName: 'MTL001_300001_V1' }),
    );
    const client = tusClient(service.baseUrl, await world.token('imager'));
    const created = await client.create(TARGET, data.length);
    expect(created.status).toBe(201);
    const tusLocation = created.headers.get('location') ?? '';
    expect((await client.patch(tusLocation, 0, data)).status).toBe(204);
    const id = idOf(tusLocation);

    const until = async (done: (s: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> => {
      for (let k = 0; k < 1200; k++) {
        const s = (await client.status(id)).json() as Record<string, unknown>;
        if (done(s)) return s;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the upload never reached the expected state');
    };

    const running = await until((s) => s.state !== 'receiving' && s.state !== 'checking');
    expect(running).toMatchObject({
      state: 'processing',
      lorisUpload: { table: 'mri_upload' },
      process: { state: 'running', exitCode: null },
    });
    const report = running.report as { ok: boolean; series: unknown[] };
    expect(report.ok).toBe(true);
    expect(report.series.length).toBeGreaterThanOrEqual(2);

    // LORIS's rows, as the imaging uploader and ServerProcessLauncher write them.
    const uploadId = (running.lorisUpload as { id: number }).id;
    const processId = (running.process as { id: number }).id;
    const [upload] = await rows(
      world,
      'SELECT UploadedBy, UploadLocation, PatientName, IsPhantom, Inserting, SessionID FROM mri_upload WHERE UploadID = ?',
      [uploadId],
    );
    expect(upload).toMatchObject({
      UploadedBy: 'imager',
      PatientName: 'MTL001_300001_V1',
      IsPhantom: 'N',
      Inserting: 1,
    });
    expect(upload?.SessionID).not.toBeNull();
    const location = String(upload?.UploadLocation);
    expect(location.startsWith(world.mriIncoming)).toBe(true);
    expect(readFileSync(location).equals(data)).toBe(true);
    const rel = await rows(
      world,
      'SELECT UploadID FROM mri_upload_server_processes_rel WHERE ProcessID = ?',
      [processId],
    );
    expect(rel).toEqual([{ UploadID: uploadId }]);
    const [proc] = await rows(world, 'SELECT type, userid FROM server_processes WHERE id = ?', [processId]);
    expect(proc).toEqual({ type: 'mri_upload', userid: 'imager' });
    // The pipeline got LORIS's arguments: -upload_id <id> -profile <MriConfigFile> <UploadLocation>.
    const args = readFileSync(join(codePath, 'args'), 'utf8').trim().split('\n');
    expect(args).toEqual(['-upload_id', String(uploadId), '-profile', 'prod', location]);

    release(codePath);
    const done = await until((s) => s.state !== 'processing');
    expect(done).toMatchObject({ state: 'done', process: { id: processId, state: 'success', exitCode: 0 } });
  }, 180000);
});
