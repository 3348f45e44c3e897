/**
 * Issue 17 through the real service (serverless-offline, standalone mode, handlers in process as on premises):
 * while crafted recordings (HDF5 v7.3 bomb, .fif.gz bomb, MAT v5 field-name and cell bombs) are refused with
 * 422 unreadable_recording, GET /health keeps answering and the service's resident memory stays within
 * 200 MB of what it was before. Needs the bundles in dist/ (npm run build).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEdf } from '../../cli/edf-writer';
import { SETUP_TIMEOUT_MS, startService } from '../helpers/access-world';
import { gzipOfZeros, matCellBomb, matFieldNameBomb, writeHdf5BombSet } from '../helpers/crafted-files';
import { get, type OfflineService } from '../helpers/offline';

const MiB = 1024 * 1024;
const CRAFTED = ['hdf5-bomb.set', 'lying_raw.fif.gz', 'field-names.set', 'cells.set'];
const NAMES = ['Fp1', 'Fp2', 'F3', 'F4', 'C3', 'C4', 'P3', 'P4', 'O1', 'O2', 'Cz', 'Pz'];

let dir: string;
let service: OfflineService;

/** A kB figure of /proc/<pid>/status (VmRSS, VmHWM), in MB. */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Resets the process's VmHWM to its current RSS, so the next VmHWM is the peak from now on. */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

async function writeData(): Promise<void> {
  writeHdf5BombSet(join(dir, 'hdf5-bomb.set'), 16384);
  writeFileSync(join(dir, 'lying_raw.fif.gz'), await gzipOfZeros(256 * MiB, 4096));
  writeFileSync(join(dir, 'field-names.set'), matFieldNameBomb(100 * MiB, 1));
  writeFileSync(join(dir, 'cells.set'), matCellBomb(10_000_000));
  const data = NAMES.map((_, c) => Float64Array.from({ length: 256 * 4 }, (_, s) => Math.sin(c + s / 10)));
  const labels = NAMES.map((label) => ({ label, unit: 'uV', physMax: 500 }));
  writeFileSync(join(dir, 'good.edf'), writeEdf(labels, data, 256));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loris-ephys-bounded-service-'));
  await writeData();
  service = await startService({
    LORIS_EPHYS_MODE: 'standalone',
    LORIS_EPHYS_DATA: dir,
    LORIS_EPHYS_LOG_LEVEL: 'error',
    LORIS_DB_PORT: '1',
  });
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Polls /health until stopped; returns the statuses seen and the slowest answer. */
function pollHealth(baseUrl: string): { stop: () => Promise<{ statuses: number[]; slowestMs: number }> } {
  const statuses: number[] = [];
  let slowestMs = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      statuses.push((await get(`${baseUrl}/health`)).status);
      slowestMs = Math.max(slowestMs, Date.now() - started);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { statuses, slowestMs };
    },
  };
}

it('refuses every crafted file with 422 while /health keeps answering and RSS stays within +200 MB', async () => {
  const pid = service.process.pid as number;
  const listed = (await get(`${service.baseUrl}/ephys/recordings`)).json() as {
    recordings: { id: number; path: string }[];
  };
  const idOf = (path: string): number => {
    const hit = listed.recordings.find((r) => r.path === path);
    if (!hit) throw new Error(`${path} is not listed`);
    return hit.id;
  };
  // Warm up: the map route's code and a real map, so the baselines include what any map costs.
  const good = await get(`${service.baseUrl}/ephys/${idOf('good.edf')}/topographic-map?t=1&format=json`);
  expect(good.status).toBe(200);
  const rssAtStart = statusMb(pid, 'VmRSS');
  let highest = rssAtStart;
  const health = pollHealth(service.baseUrl);
  const answers: { file: string; status: number; code: string; message: string; growthMb: number }[] = [];
  for (const file of CRAFTED) {
    // Each file against the RSS just before it: its own peak, not the garbage its predecessors left.
    const rssBefore = statusMb(pid, 'VmRSS');
    resetPeak(pid);
    const r = await get(`${service.baseUrl}/ephys/${idOf(file)}/topographic-map?t=0&format=json`);
    const peak = Math.max(statusMb(pid, 'VmHWM'), statusMb(pid, 'VmRSS'));
    const { error } = r.json() as { error: { code: string; message: string } };
    const growthMb = Math.round(peak - rssBefore);
    highest = Math.max(highest, peak);
    answers.push({ file, status: r.status, code: error.code, message: error.message, growthMb });
  }
  const { statuses, slowestMs } = await health.stop();
  console.log(
    JSON.stringify({
      answers: answers.map(({ file, status, code, growthMb }) => ({ file, status, code, growthMb })),
      rssAtStartMb: Math.round(rssAtStart),
      // All four back to back: garbage of one refusal may not be collected yet when the next one starts.
      cumulativeGrowthMb: Math.round(highest - rssAtStart),
      rssAfterMb: Math.round(statusMb(pid, 'VmRSS')),
      healthAnswers: statuses.length,
      slowestHealthMs: slowestMs,
    }),
  );
  for (const a of answers) {
    expect(a).toMatchObject({ status: 422, code: 'unreadable_recording' });
    expect(a.message).not.toContain('\n    at ');
    expect(a.growthMb).toBeLessThan(200);
  }
  expect(service.process.exitCode).toBeNull();
  expect(statuses.length).toBeGreaterThan(0);
  expect(statuses.every((s) => s === 200)).toBe(true);
  expect(slowestMs).toBeLessThan(10_000); // hang-catching only
  expect((await get(`${service.baseUrl}/health`)).status).toBe(200);
}, 120_000);
