/**
 * `loris-ephys upload <file|dir> --loris URL --kind eeg-bids|dicom --pscid P --candid C --visit V`: logs in to
 * LORIS, sends the archive (a directory is packed first) with tus through LORIS's imaging gateway, resumably, then
 * follows the service's check and LORIS registration and prints the report. `--dry-run` checks locally instead.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkArchive } from '../../lib/uploads/check';
import type { UploadReport } from '../../lib/uploads/types';
import { registerCommand, type ParsedArgs } from '../commands';
import { cacheDir, configDir } from './dirs';
import { EXIT_OK, EXIT_REFUSED, exitCodeOf } from './errors';
import { lorisLogin, readPassword } from './login';
import { parseUploadPlan, uploadOptions, type UploadPlan } from './options';
import { packDirectory, removePacked } from './pack';
import { createProgress, formatBytes } from './progress';
import { followUpload, formatReport, formatStatus, STATUS_PATH, type FollowedStatus } from './status';
import { backoffDelays, sendWithTus } from './tus';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** The archive to send or check: the file itself, or the directory packed into the cache. */
async function archiveOf(plan: UploadPlan): Promise<{ path: string; packed: boolean }> {
  if (!plan.sourceIsDirectory) return { path: plan.source, packed: false };
  const packed = await packDirectory(plan.source, plan.target.filename, cacheDir(), createProgress('pack'));
  log(
    `${packed.reused ? 'reusing the packed' : 'packed'} ${plan.source} (${packed.files} files, ` +
      `${formatBytes(packed.bytes)}) as ${packed.path}`,
  );
  return { path: packed.path, packed: true };
}

/** The service's own check, here, on the bytes that would be sent. */
async function checkLocally(archivePath: string, plan: UploadPlan): Promise<UploadReport> {
  const scratchDir = await mkdtemp(join(tmpdir(), 'loris-ephys-check-'));
  try {
    return await checkArchive(archivePath, plan.target, { scratchDir });
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}

async function dryRun(plan: UploadPlan, archive: { path: string; packed: boolean }): Promise<number> {
  try {
    const report = await checkLocally(archive.path, plan);
    process.stdout.write(plan.json ? `${JSON.stringify(report, null, 1)}\n` : formatReport(report));
    return report.ok ? EXIT_OK : EXIT_REFUSED;
  } finally {
    if (archive.packed) await removePacked(archive.path);
  }
}

function exitCodeOfStatus(status: FollowedStatus): number {
  if (status.state === 'refused' || status.state === 'failed') return EXIT_REFUSED;
  return status.report && !status.report.ok ? EXIT_REFUSED : EXIT_OK;
}

async function upload(plan: UploadPlan): Promise<number> {
  const { retries } = plan;
  const password = await readPassword(plan.user, plan.lorisUrl);
  const token = await lorisLogin(plan.lorisUrl, plan.user, password, backoffDelays(retries).slice(1, 4));
  log(`logged in to ${plan.lorisUrl} as ${plan.user}`);
  const archive = await archiveOf(plan);
  const progress = createProgress('upload');
  // Interrupted, the upload stays resumable: its URL is already stored, the server keeps what it received.
  const interrupted = (signal: NodeJS.Signals): void => {
    progress.stop();
    log(`interrupted (${signal}): run the same command again to resume the upload`);
    process.exit(130);
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  const sent = await sendWithTus({
    lorisUrl: plan.lorisUrl,
    user: plan.user,
    token,
    archivePath: archive.path,
    target: plan.target,
    chunkBytes: plan.chunkBytes,
    retryDelaysMs: backoffDelays(retries),
    idleTimeoutMs: plan.idleTimeoutMs,
    stateDir: configDir(),
    progress,
    log,
  }).finally(() => {
    process.removeListener('SIGINT', interrupted).removeListener('SIGTERM', interrupted);
  });
  if (archive.packed) await removePacked(archive.path);
  log(`uploaded ${plan.target.filename}: upload ${sent.id}`);
  if (!plan.wait) {
    const where = `${plan.lorisUrl}${STATUS_PATH}/${encodeURIComponent(sent.id)}`;
    process.stdout.write(plan.json ? `${JSON.stringify({ id: sent.id, status: where })}\n` : `${where}\n`);
    return EXIT_OK;
  }
  const status = await followUpload({
    lorisUrl: plan.lorisUrl,
    token,
    id: sent.id,
    waitTimeoutMs: plan.waitTimeoutMs,
    idleTimeoutMs: plan.idleTimeoutMs,
    retries,
    log,
  });
  process.stdout.write(plan.json ? `${JSON.stringify(status, null, 1)}\n` : formatStatus(status));
  return exitCodeOfStatus(status);
}

async function runUpload(args: ParsedArgs): Promise<number> {
  try {
    const plan = parseUploadPlan(args);
    if (plan.dryRun) return await dryRun(plan, await archiveOf(plan));
    return await upload(plan);
  } catch (error) {
    process.stderr.write(`loris-ephys upload: ${(error as Error)?.message ?? String(error)}\n`);
    return exitCodeOf(error);
  }
}

registerCommand('upload', {
  usage:
    'upload <file|dir> --loris URL --kind eeg-bids|dicom --pscid P --candid C --visit V [--user U] [--dry-run] ...',
  summary:
    'send an EEG BIDS session or a DICOM study to LORIS (resumable), then show its check and registration',
  options: uploadOptions,
  optionHelp: [
    ['--loris URL', "LORIS's base URL, e.g. https://site.example/loris (https; http only for localhost)"],
    ['--kind eeg-bids|dicom', 'what the archive holds'],
    [
      '--pscid P --candid C --visit V',
      'the session it belongs to (LORIS checks them before a byte is stored)',
    ],
    ['--user U', 'LORIS account (default $LORIS_USER, else your login name)'],
    ['--phantom', 'DICOM phantom scan (no candidate checks; --pscid/--candid/--visit optional)'],
    ['--dry-run', "pack and check locally with the service's readers; send nothing"],
    ['--chunk-size SIZE', 'bytes per PATCH request (default 8MiB; e.g. 4MiB, 5MB)'],
    ['--retries N', 'retries with backoff (0, 1, 2, 4 … 60 s) after a network failure (default 8)'],
    ['--timeout S', 'abandon (and retry) a request idle for S seconds (default 120)'],
    ['--no-wait', 'stop after the last byte (print the status URL)'],
    ['--wait-timeout S', 'follow the check and registration for at most S seconds (default 21600)'],
    ['--json', 'print the final status (or the dry-run report) as JSON'],
  ],
  details: `A directory is packed into the archive name LORIS expects ({PSCID}_{CandID}_{Visit}_bids.tar.gz for
EEG BIDS, {PSCID}_{CandID}_{Visit}.tar.gz for DICOM) under the cache directory, identically each time; a file
must already have that name. An interrupted upload resumes when the same command is run again (the upload URL is
kept in $XDG_CONFIG_HOME/loris-ephys/uploads.json, or ~/.config/loris-ephys/uploads.json).

The password is read from LORIS_PASSWORD, or asked for (not echoed) when stdin is a terminal.

Exit codes: 0 registered or done, 2 usage, 3 refused (login, metadata, report errors, failed), 4 network
(unreachable, timeouts or server errors after the retries).`,
  run: runUpload,
});
