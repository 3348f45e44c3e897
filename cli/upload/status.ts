/**
 * After the last byte: follows `GET <loris>/imaging_gateway/uploads/{id}` (the service's `UploadStatus`) until the
 * upload is registered, done, refused or failed, and prints the check's report.
 */
import { z } from 'zod';
import { uploadStatusSchema } from '../../lib/uploads/schemas';
import type { UploadReport, UploadState } from '../../lib/uploads/types';
import { errorMessageOf, NetworkError, RefusedError } from './errors';
import { formatBytes } from './progress';

export const STATUS_PATH = '/imaging_gateway/uploads';

/** States after which nothing the CLI waits for will change. */
export const FINAL_STATES = new Set<UploadState>(['registered', 'processing', 'done', 'refused', 'failed']);

/** The service's own answer schema: the CLI ships with the service it talks to. */
export type FollowedStatus = z.infer<typeof uploadStatusSchema>;

export interface Follow {
  lorisUrl: string;
  token: string;
  id: string;
  waitTimeoutMs: number;
  idleTimeoutMs: number;
  /** Consecutive failed polls (no answer, 5xx) tolerated before giving up. */
  retries: number;
  log: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One `GET /uploads/{id}`: the status, or null for a transient failure (no answer, 5xx). */
async function fetchStatus(url: string, follow: Follow): Promise<FollowedStatus | null> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { Authorization: `Bearer ${follow.token}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(follow.idleTimeoutMs),
    });
  } catch {
    return null;
  }
  const body = await response.text();
  if (response.status >= 500) return null;
  if (response.status !== 200) {
    const said = errorMessageOf(body) ?? '(no details in the answer)';
    throw new RefusedError(`the upload's status at ${url} answered HTTP ${response.status}: ${said}`);
  }
  const parsed = uploadStatusSchema.safeParse(JSON.parse(body));
  if (!parsed.success) throw new RefusedError(`the upload's status at ${url} is not an UploadStatus`);
  return parsed.data;
}

/** Polls every 1 s, then up to every 10 s, logging each state change; ends on a final state. */
export async function followUpload(follow: Follow): Promise<FollowedStatus> {
  const url = `${follow.lorisUrl}${STATUS_PATH}/${encodeURIComponent(follow.id)}`;
  const deadline = Date.now() + follow.waitTimeoutMs;
  let failures = 0;
  let lastState = '';
  for (let poll = 0; ; poll++) {
    const status = await fetchStatus(url, follow);
    if (status === null) {
      if (++failures > follow.retries)
        throw new NetworkError(`no answer from ${url} after ${failures} attempts`);
    } else {
      failures = 0;
      if (status.state !== lastState) follow.log(`state: ${status.state}`);
      lastState = status.state;
      if (FINAL_STATES.has(status.state)) return status;
    }
    if (Date.now() > deadline)
      throw new NetworkError(
        `still ${lastState || 'unknown'} after ${Math.round(follow.waitTimeoutMs / 1000)} s: see ${url}`,
      );
    await sleep(Math.min(1000 + 500 * poll, 10_000));
  }
}

/** The report as text, one finding per line: `level  item  code: message`. */
export function formatReport(report: UploadReport): string {
  const lines = [
    `report: ${report.ok ? 'ok' : 'errors'}; ${report.entries} entries, ${formatBytes(report.bytes)}, ` +
      `${report.recordings.length} recording(s), ${report.series.length} DICOM series; ` +
      `${report.errors.length} error(s), ${report.warnings.length} warning(s)`,
  ];
  for (const line of report.lines)
    lines.push(`  ${line.level.padEnd(7)} ${line.item}  ${line.code}: ${line.message}`);
  for (const r of report.recordings)
    lines.push(
      `  recording ${r.path}: ${r.format}, ${r.channels} channels, ${r.samplingRate} Hz, ` +
        `${r.durationSeconds.toFixed(1)} s, ${r.events} events`,
    );
  for (const s of report.series)
    lines.push(`  series ${s.seriesNumber ?? '?'} ${s.modality} "${s.seriesDescription}": ${s.files} files`);
  return lines.join('\n') + '\n';
}

export function formatStatus(status: FollowedStatus): string {
  const parts = [`upload ${status.id} (${status.filename}): ${status.state}`];
  if (status.lorisUpload)
    parts.push(`LORIS ${status.lorisUpload.table} #${status.lorisUpload.id}: ${status.lorisUpload.status}`);
  if (status.process)
    parts.push(
      `pipeline process #${status.process.id}: ${status.process.state}` +
        (status.process.exitCode === null ? '' : ` (exit ${status.process.exitCode})`),
    );
  return (status.report ? formatReport(status.report) : '') + parts.join('\n') + '\n';
}
