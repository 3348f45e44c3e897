/**
 * The DICOM pipeline launched as LORIS's ServerProcessLauncher::mriUpload launches it, with a small real script
 * standing in for LORIS-MRI's uploadNeuroDB/imaging_upload_file.pl in a temporary MRICodePath (it records its
 * arguments and whether the environment file was sourced, waits to be told its exit code, and exits with it):
 * the server_processes and mri_upload_server_processes_rel rows, Inserting=1, the state running → success/error
 * as ServerProcessesMonitor computes it (exit-code file, pid alive) with exit_code/end_time/exit_text written
 * back; LORIS's failure handling (a notification_spool error row, Inserting=0); values that would be shell
 * syntax reach the script literally.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import type { Db } from '../../lib/loris/db';
import { currentRegistration, registerUpload, type Registration } from '../../lib/uploads/register';
import type { UploadTarget } from '../../lib/uploads/types';
import { createLorisTestDb, serviceDb, type LorisTestDb } from '../helpers/loris-db';

let testDb: LorisTestDb;
let db: Db;
let root: string;
let codePath: string;
let incoming: string;
let taskDir: string;
let staging: string;
const ids = { site: 0, project: 0, session: 0 };

// Records its arguments, then waits (at most ~60 s) for go-<upload id> holding its exit code; `mode` = exit2
// makes it fail at once with LORIS's "cannot execute" code.
const STAND_IN = `#!/bin/bash
dir="$(cd "$(dirname "$0")/.." && pwd)"
id="$2"
printf '%s\\n' "$@" > "$dir/args-$id"
echo "env=$LORIS_STAND_IN_ENV" >> "$dir/args-$id"
echo "db password=\${LORIS_DB_PASSWORD-unset}" >> "$dir/args-$id"
echo "started $id"
echo "to stderr $id" >&2
if [ "$(cat "$dir/mode" 2>/dev/null)" = exit2 ]; then exit 2; fi
for _ in $(seq 1 1200); do
  if [ -f "$dir/go-$id" ]; then exit "$(cat "$dir/go-$id")"; fi
  sleep 0.05
done
exit 99
`;

const target: UploadTarget = {
  kind: 'dicom',
  filename: 'MTL001_300001_V1.tar.gz',
  pscid: 'MTL001',
  candid: '300001',
  visit: 'V1',
  isPhantom: false,
};

/**
 * Tells the stand-in for upload `id` its exit code: written aside, then renamed into place, so the script never
 * reads the file before its content (an empty exit code made bash exit 2).
 */
async function tellExit(id: string | number, code: string): Promise<void> {
  const aside = join(codePath, `.go-${id}`);
  await writeFile(aside, code);
  await rename(aside, join(codePath, `go-${id}`));
}

let staged = 0;
async function register(username = 'uploader'): Promise<Registration> {
  const archivePath = join(staging, `s${staged++}`);
  await writeFile(archivePath, 'dicom');
  return registerUpload(
    db,
    {
      archivePath,
      resolved: {
        target,
        candId: 300001,
        sessionId: ids.session,
        centerId: ids.site,
        projectId: ids.project,
      },
      username,
      report: {
        kind: 'dicom',
        ok: true,
        warnings: [],
        errors: [],
        lines: [],
        entries: 1,
        bytes: 5,
        recordings: [],
        series: [],
      },
    },
    { taskDir },
  );
}

async function rows(sql: string, params: (string | number)[] = []): Promise<RowDataPacket[]> {
  const [result] = await testDb.root.execute<RowDataPacket[]>(sql, params);
  return result;
}

/** Polls until the process is no longer running (the jest timeout catches a hang). */
async function settled(registration: Registration): Promise<Registration> {
  for (;;) {
    const now = await currentRegistration(db, registration);
    if (now.process?.state !== 'running') return now;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const setMode = (mode: string) => writeFile(join(codePath, 'mode'), mode);

beforeAll(async () => {
  testDb = await createLorisTestDb({ uploadGrants: true });
  const s = testDb.seed;
  ids.site = await s.site('Montreal');
  ids.project = await s.project('Pumpernickel');
  const c = await s.candidate({ pscid: 'MTL001', candId: 300001, site: ids.site, project: ids.project });
  ids.session = await s.session({ candidate: c, site: ids.site, project: ids.project, visit: 'V1' });
  await s.user({ username: 'uploader' });
  db = serviceDb(testDb);
  root = await mkdtemp(join(tmpdir(), 'uploads-launch-'));
  codePath = join(root, 'bin mri $(touch PWNED)');
  incoming = join(root, "incoming 'quoted' $HOME");
  taskDir = join(root, 'tmp');
  staging = join(root, 'staging');
  for (const d of [codePath, join(codePath, 'uploadNeuroDB'), incoming, taskDir, staging]) await mkdir(d);
  const script = join(codePath, 'uploadNeuroDB', 'imaging_upload_file.pl');
  await writeFile(script, STAND_IN);
  await chmod(script, 0o755);
  await writeFile(join(codePath, 'environment'), 'export LORIS_STAND_IN_ENV=sourced\n');
  await s.config('MRICodePath', codePath);
  await s.config('MRIUploadIncomingPath', `${incoming}/`);
  await s.config('MriConfigFile', 'prod; touch PWNED2');
  await s.config('ImagingUploaderAutoLaunch', '1');
});

afterAll(async () => {
  if (codePath)
    for (const name of await readdir(codePath))
      if (name.startsWith('args-')) await tellExit(name.slice(5), '0');
  await db?.close();
  await testDb?.drop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('auto-launch of the DICOM pipeline', () => {
  it('launches, records the process as LORIS does, and follows it to success', async () => {
    await setMode('wait');
    // the service's own settings and secrets stay out of the pipeline's environment
    process.env.LORIS_DB_PASSWORD = 'not-for-the-pipeline';
    const registration = await register().finally(() => delete process.env.LORIS_DB_PASSWORD);
    const uploadId = registration.lorisUpload.id;
    expect(registration.lorisUpload).toEqual({ table: 'mri_upload', id: uploadId, status: 'In Progress...' });
    expect(registration.process).toEqual({ id: expect.any(Number), state: 'running', exitCode: null });
    const processId = registration.process?.id ?? 0;

    const [proc] = await rows('SELECT * FROM server_processes WHERE id = ?', [processId]);
    expect(proc).toMatchObject({
      type: 'mri_upload',
      userid: 'uploader',
      exit_code: null,
      end_time: null,
      exit_text: null,
    });
    expect(Number(proc?.pid)).toBeGreaterThan(1);
    expect(String(proc?.start_time)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    for (const file of ['stdout_file', 'stderr_file', 'exit_code_file'])
      expect(String(proc?.[file]).startsWith(`${taskDir}/loris_task_`)).toBe(true);
    expect(await rows('SELECT UploadID, ProcessID FROM mri_upload_server_processes_rel')).toEqual([
      { UploadID: uploadId, ProcessID: processId },
    ]);
    expect(await rows('SELECT Inserting FROM mri_upload WHERE UploadID = ?', [uploadId])).toEqual([
      { Inserting: 1 },
    ]);

    // the values arrive as arguments, literally; the environment file was sourced first
    const location = `${incoming}/uploader/MTL001_300001_V1.tar.gz`;
    const args = await readFile(join(codePath, `args-${uploadId}`), 'utf8');
    expect(args).toBe(
      [
        '-upload_id',
        String(uploadId),
        '-profile',
        'prod; touch PWNED2',
        location,
        'env=sourced',
        'db password=unset',
        '',
      ].join('\n'),
    );
    await tellExit(uploadId, '0');
    const done = await settled(registration);
    expect(done.process).toEqual({ id: processId, state: 'success', exitCode: 0 });
    const [ended] = await rows(
      'SELECT pid, exit_code, end_time, exit_text FROM server_processes WHERE id = ?',
      [processId],
    );
    expect(ended?.exit_code).toBe('0');
    expect(String(ended?.end_time)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(ended?.exit_text).toBe(
      `Finished MRI uploading (pid = ${String(ended?.pid)}) End time:${String(ended?.end_time)}`,
    );
    // LORIS deletes the task files of a successful run
    await expect(stat(String(proc?.stdout_file))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(String(proc?.exit_code_file))).rejects.toMatchObject({ code: 'ENOENT' });
    // read again: the stored exit code answers
    expect((await currentRegistration(db, done)).process).toEqual({
      id: processId,
      state: 'success',
      exitCode: 0,
    });
    // nothing the values could have run: the only name with PWNED is the code directory's own
    const names = (await readdir(root, { recursive: true })).map((p) => basename(String(p)));
    expect(names.filter((n) => n.includes('PWNED'))).toEqual(['bin mri $(touch PWNED)']);
  });

  it('reports an error exit with LORIS wording and keeps the task files', async () => {
    await setMode('wait');
    const registration = await register();
    const uploadId = registration.lorisUpload.id;
    const [proc] = await rows('SELECT * FROM server_processes WHERE id = ?', [registration.process?.id ?? 0]);
    await tellExit(uploadId, '3');
    const done = await settled(registration);
    expect(done.process).toEqual({ id: registration.process?.id, state: 'error', exitCode: 3 });
    const [ended] = await rows('SELECT exit_code, exit_text FROM server_processes WHERE id = ?', [
      registration.process?.id ?? 0,
    ]);
    expect(ended).toEqual({
      exit_code: '3',
      exit_text: `MRI upload task (pid = ${String(proc?.pid)}) failed: error code is 3`,
    });
    expect(await readFile(String(proc?.stdout_file), 'utf8')).toBe(`started ${uploadId}\n`);
    expect(await readFile(String(proc?.stderr_file), 'utf8')).toBe(`to stderr ${uploadId}\n`);
    expect(await readFile(String(proc?.exit_code_file), 'utf8')).toBe('3\n');
  });

  it('reports a run killed before writing its exit code as an error of unknown code', async () => {
    await setMode('wait');
    const registration = await register();
    const [proc] = await rows('SELECT pid FROM server_processes WHERE id = ?', [
      registration.process?.id ?? 0,
    ]);
    process.kill(Number(proc?.pid), 'SIGKILL');
    const done = await settled(registration);
    expect(done.process).toEqual({ id: registration.process?.id, state: 'error', exitCode: null });
    const [ended] = await rows('SELECT exit_code, end_time FROM server_processes WHERE id = ?', [
      registration.process?.id ?? 0,
    ]);
    expect(ended).toEqual({ exit_code: 'unknown', end_time: null });
    await tellExit(registration.lorisUpload.id, '0');
  });

  it("handles a launch failure as LORIS: an 'mri upload handler emergency' notification, Inserting=0", async () => {
    await setMode('exit2');
    const registration = await register();
    const uploadId = registration.lorisUpload.id;
    expect(registration).toEqual({
      lorisUpload: { table: 'mri_upload', id: uploadId, status: 'Failure' },
      process: null,
    });
    expect(await rows('SELECT Inserting FROM mri_upload WHERE UploadID = ?', [uploadId])).toEqual([
      { Inserting: 0 },
    ]);
    expect(
      await rows('SELECT COUNT(*) AS n FROM mri_upload_server_processes_rel WHERE UploadID = ?', [uploadId]),
    ).toEqual([{ n: 0 }]);
    const [note] = await rows(
      `SELECT t.Type, n.Message, n.Origin, n.Error, n.Verbose, n.Active FROM notification_spool n
       JOIN notification_types t USING (NotificationTypeID) WHERE n.ProcessID = ?`,
      [uploadId],
    );
    expect(note).toMatchObject({
      Type: 'mri upload handler emergency',
      Origin: 'Launch of the MRI pipeline',
      Error: 'Y',
      Verbose: 'N',
      Active: 'Y',
    });
    expect(String(note?.Message)).toMatch(/^MRI pipeline could not be started: Cannot run command/);
    expect(String(note?.Message)).toContain(
      'This indicates an incorrect or non-existent MRI pipeline setup\n',
    );
    // read again: still no process, the Progress LORIS shows
    expect(await currentRegistration(db, registration)).toEqual(registration);

    await setMode('wait');
    await testDb.seed.config('MRICodePath', join(root, 'no such directory'));
    try {
      const second = await register();
      expect(second.lorisUpload.status).toBe('Failure');
      const [missing] = await rows('SELECT Message FROM notification_spool WHERE ProcessID = ?', [
        second.lorisUpload.id,
      ]);
      expect(String(missing?.Message)).toContain(
        "Value for config setting 'MRICodePath' is not an existing directory",
      );
    } finally {
      await testDb.seed.config('MRICodePath', codePath);
    }
  });
});
