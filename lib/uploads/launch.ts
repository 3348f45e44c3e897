/**
 * LORIS-MRI's pipeline for a DICOM upload, launched and followed as LORIS's server_processes_manager does
 * (ServerProcessLauncher::mriUpload, MriUploadServerProcess, AbstractServerProcess, Process, ServerProcessesMonitor):
 * - `source <MRICodePath>/<EnvironmentFile>; <MRICodePath>/uploadNeuroDB/imaging_upload_file.pl -upload_id <id>
 *   -profile <MriConfigFile> <UploadLocation>` with the script's stdout/stderr in two files and `$?` echoed into an
 *   exit-code file, all three `loris_task_XXXXXX` files in the temporary directory; run by a detached `bash -c`
 *   whose pid is recorded. The values reach bash as positional arguments, never interpolated into the script.
 * - One second later an exit code of 2 ("cannot execute") is a launch failure; otherwise the server_processes row
 *   (pid, type 'mri_upload', the three files, userid, start_time) and its mri_upload_server_processes_rel row.
 * - State on read: RUNNING while the pid is alive; then the exit code file's last line (missing or empty:
 *   'unknown'), end time = its modification time, exit_text as LORIS words it, stored back into server_processes,
 *   and the three files deleted after a success.
 * Trust: MRICodePath, EnvironmentFile and MriConfigFile come from LORIS's Config table and decide what runs as the
 * service's account; they are trusted like the service's own configuration (deploy/loris/README.md, "Uploads
 * module: trust assumptions"). The environment is childEnv's: no secret of the service reaches the pipeline.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Db } from '../loris/db';
import { findServerProcess, insertMriUploadProcess, recordServerProcessEnd } from '../loris/uploads';
import type { ProcessRef } from './types';

export const IMAGING_UPLOAD_SCRIPT = 'uploadNeuroDB/imaging_upload_file.pl';
export const TASK_FILE_PREFIX = 'loris_task_';
/** ServerProcessLauncher::CANNOT_EXECUTE_EXIT_CODE */
export const CANNOT_EXECUTE_EXIT_CODE = 2;
/** LORIS waits one second before looking for that code. */
export const LAUNCH_CHECK_MS = 1000;
/** Largest exit-code file read (it holds one number). */
const MAX_EXIT_FILE_BYTES = 4096;

/** `$1`…`$8`: environment file, script, upload id, profile, archive, stdout, stderr and exit-code files. */
const RUNNER = 'source "$1" ; "$2" -upload_id "$3" -profile "$4" "$5" > "$6" 2> "$7" ; echo $? > "$8"';

export interface PipelineSettings {
  mriCodePath: string | undefined;
  environmentFile: string | undefined;
  mriConfigFile: string | undefined;
}

export interface LaunchInput {
  uploadId: number;
  /** mri_upload.UploadLocation */
  uploadLocation: string;
  /** users.UserID of the uploader (server_processes.userid) */
  username: string;
  settings: PipelineSettings;
  /** Where the three task files go (LORIS: sys_get_temp_dir()). */
  taskDir?: string;
  /** Wait before the "cannot execute" check (LORIS: 1 s). */
  checkMs?: number;
}

export class LaunchError extends Error {}

/** 'YYYY-MM-DD HH:MM:SS' in local time, as PHP's date('Y-m-d H:i:s'). */
export function lorisDateTime(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())} ` +
    `${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`
  );
}

/** tempnam(): a new empty file with a unique name, created exclusively. */
async function taskFile(dir: string): Promise<string> {
  for (let attempt = 0; attempt < 16; attempt++) {
    const path = join(dir, TASK_FILE_PREFIX + randomBytes(4).toString('hex').slice(0, 6));
    try {
      await (await open(path, 'wx', 0o600)).close();
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new LaunchError('could not create a task file');
}

/** Variables passed on to programs the module starts: none of the service's own settings or secrets. */
const PASSED_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'] as const;

/** The environment for the pipeline (and sendmail): the basics only; LORIS-MRI's environment file adds its own. */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { PATH: '/usr/local/bin:/usr/bin:/bin' };
  for (const name of PASSED_ENV) if (env[name] !== undefined) out[name] = env[name];
  return out;
}

/** Starts the detached runner; resolves with its pid once spawned. */
function startRunner(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', RUNNER, 'loris_mri_upload', ...args], {
      detached: true,
      stdio: 'ignore',
      env: childEnv(),
    });
    child.once('error', (error) => reject(new LaunchError(`could not start bash: ${error.message}`)));
    child.once('spawn', () => {
      child.unref();
      if (child.pid === undefined) reject(new LaunchError('no pid'));
      else resolve(child.pid);
    });
  });
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/**
 * ServerProcessLauncher::mriUpload: launches the pipeline for an mri_upload row and records it. Throws a
 * LaunchError when LORIS would (MRICodePath not a directory, the command cannot execute).
 */
export async function launchMriUpload(db: Db, input: LaunchInput): Promise<ProcessRef> {
  const { mriCodePath } = input.settings;
  if (!mriCodePath || !(await isDirectory(mriCodePath)))
    throw new LaunchError("Value for config setting 'MRICodePath' is not an existing directory");
  const dir = input.taskDir ?? tmpdir();
  const [stdoutFile, stderrFile, exitCodeFile] = [
    await taskFile(dir),
    await taskFile(dir),
    await taskFile(dir),
  ];
  const startTime = lorisDateTime(new Date());
  const pid = await startRunner([
    `${mriCodePath}/${input.settings.environmentFile ?? ''}`,
    `${mriCodePath}/${IMAGING_UPLOAD_SCRIPT}`,
    String(input.uploadId),
    input.settings.mriConfigFile ?? '',
    input.uploadLocation,
    stdoutFile,
    stderrFile,
    exitCodeFile,
  ]);
  await new Promise((resolve) => setTimeout(resolve, input.checkMs ?? LAUNCH_CHECK_MS));
  if (!isAlive(pid) && (await readExitCode(exitCodeFile)) === String(CANNOT_EXECUTE_EXIT_CODE))
    throw new LaunchError(`Cannot run command ${IMAGING_UPLOAD_SCRIPT} for upload ${input.uploadId}`);
  const id = await insertMriUploadProcess(db, input.uploadId, {
    pid,
    stdoutFile,
    stderrFile,
    exitCodeFile,
    userid: input.username,
    startTime,
  });
  return processState(db, id);
}

/** `ps <pid>` finds it (a signal-0 probe: EPERM still means it exists). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The exit-code file's last line if numeric; 'unknown' when missing, empty or not a number. */
async function readExitCode(path: string | null): Promise<string> {
  if (!path) return 'unknown';
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size === 0 || info.size > MAX_EXIT_FILE_BYTES) return 'unknown';
    const lines = (await readFile(path, 'utf8')).split('\n').filter((l) => l !== '');
    const last = lines[lines.length - 1]?.trim() ?? '';
    return last !== '' && /^-?\d{1,10}$/.test(last) ? last : 'unknown';
  } catch {
    return 'unknown';
  }
}

async function modifiedAt(path: string): Promise<string | null> {
  return stat(path).then(
    (s) => lorisDateTime(s.mtime),
    () => null,
  );
}

function exitText(pid: number, exitCode: string, endTime: string | null): string {
  return exitCode === '0'
    ? `Finished MRI uploading (pid = ${pid}) End time:${endTime ?? ''}`
    : `MRI upload task (pid = ${pid}) failed: error code is ${exitCode}`;
}

/** Deletes a task file named by a server_processes row, only if it is one of ours by name. */
async function removeTaskFile(path: string | null): Promise<void> {
  if (path && basename(path).startsWith(TASK_FILE_PREFIX)) await unlink(path).catch(() => undefined);
}

const toRef = (id: number, exitCode: string): ProcessRef => ({
  id,
  state: exitCode === '0' ? 'success' : 'error',
  exitCode: exitCode === 'unknown' ? null : Number(exitCode),
});

/**
 * The state of server_processes row `processId` as ServerProcessesMonitor computes it, recording the end in the
 * row the first time it is seen (LORIS's _syncTaskProperties). LORIS's monitor reads a NULL exit_code as 0 on
 * its first look; here the exit-code file decides from the start.
 */
export async function processState(db: Db, processId: number): Promise<ProcessRef> {
  const row = await findServerProcess(db, processId);
  if (!row) return { id: processId, state: 'unknown', exitCode: null };
  if (isAlive(row.pid)) return { id: row.id, state: 'running', exitCode: null };
  if (row.exitCode !== null) return toRef(row.id, /^-?\d+$/.test(row.exitCode) ? row.exitCode : 'unknown');
  const exitCode = await readExitCode(row.exitCodeFile);
  const endTime = exitCode === 'unknown' || !row.exitCodeFile ? null : await modifiedAt(row.exitCodeFile);
  await recordServerProcessEnd(db, row.id, {
    exitCode,
    endTime,
    exitText: exitText(row.pid, exitCode, endTime),
  });
  if (exitCode === '0') {
    await removeTaskFile(row.stdoutFile);
    await removeTaskFile(row.stderrFile);
    await removeTaskFile(row.exitCodeFile);
  }
  return toRef(row.id, exitCode);
}
