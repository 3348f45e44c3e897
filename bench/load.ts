/**
 * Load test (`npm run load`): the real service under serverless-offline on loopback, standalone mode over a
 * temporary data folder holding the demo sample and copies of the shared recordings (in /tmp, never in the
 * project). LOAD_CONNECTIONS clients (default 50) for LOAD_SECONDS (default 60) ask for maps of different
 * recordings, windows, metrics and channel types, plus sensors, each client sending its next request when its
 * answer is in (one keep-alive connection each, bench/http-client.ts: bodies counted and dropped in a buffer per
 * connection; the generator shares the machine, so it keeps its own CPU low, and prints it). Prints throughput,
 * latency percentiles, status counts (errors = anything but 2xx/304; 429 reported apart), the service tree's peak
 * RSS (sampled every 250 ms from /proc) and its RSS after a cool-down.
 * Settings: LOAD_SECONDS, LOAD_CONNECTIONS, LOAD_SENSORS_SHARE (0..1, default 0.2), LOAD_COOLDOWN_SECONDS
 * (default 15), LOAD_TARGET=health (every request a bare GET /health, counted as "maps": the HTTP front's
 * floor), LOAD_WARMUP_SECONDS (default 10: untimed load first, so every map worker has opened the
 * recordings; 0 for none), LOAD_ROUNDS (default 1; rounds on the same service, each followed by the cool-down), LOAD_ENV (extra service env, e.g. "LORIS_EPHYS_MAX_CONCURRENT=8"), LOAD_NODE_ARGS (node options
 * of the service process, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), LOAD_MAPS ('unique', the default: every
 * map request's window is shifted by a different fraction of a second, so no answer repeats and each map is
 * computed — what the answer cache cannot help with; 'repeat': the same map URLs over and over, as a site whose
 * viewers look at the same maps, mostly answered from the answer cache), LOAD_SERVICE_LOG (a file: the service's
 * output is written there when it stops, e.g. with LOAD_NODE_ARGS=--trace-gc).
 * Run: npm run load   (builds dist/ first)
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get, startOffline, type OfflineService } from '../test/helpers/offline';
import { keepAliveConnection } from './http-client';
import { projectRoot, testDataDir } from '../test/helpers/testdata';
import { mb, sampleTreeRss, treeCpuSeconds, treeRss } from './proc-rss';

const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 50);
const SENSORS_SHARE = Number(process.env.LOAD_SENSORS_SHARE ?? 0.2);
const COOLDOWN_SECONDS = Number(process.env.LOAD_COOLDOWN_SECONDS ?? 15);
const ROUNDS = Number(process.env.LOAD_ROUNDS ?? 1);
const WARMUP_SECONDS = Number(process.env.LOAD_WARMUP_SECONDS ?? 10);
const UNIQUE_MAPS = process.env.LOAD_MAPS !== 'repeat';

/**
 * Variant n of a map URL: tmin and tmax shifted by n mod 1000 steps (0.5 ms for windows of a second or
 * more, 10 µs for shorter ones), so within a run practically no two map requests ask for the same answer.
 */
export function shiftedWindow(path: string, n: number): string {
  const url = new URL(path, 'http://x');
  const tmin = Number(url.searchParams.get('tmin'));
  const tmax = Number(url.searchParams.get('tmax'));
  if (!url.searchParams.has('tmin') || !url.searchParams.has('tmax')) return path;
  const shift = (n % 1000) * (tmax - tmin >= 1 ? 5e-4 : 1e-5);
  url.searchParams.set('tmin', (tmin + shift).toFixed(6));
  url.searchParams.set('tmax', (tmax + shift).toFixed(6));
  return `${url.pathname}${url.search}`;
}

/** Shared recordings copied into the temporary data folder (paths relative to the shared data folder). */
const SHARED = [
  'fif/sim_vectorview_raw.fif',
  'fif/test-ave.fif.gz',
  'edf/test.edf',
  'edf/test.bdf',
  'brainvision/test.vhdr',
  'brainvision/test.vmrk',
  'brainvision/test.eeg',
  'eeglab/test_raw.set',
  'eeglab/test_raw.fdt',
  'kit/test.sqd',
  'ctf/testdata_ctf_short_discontinuous.ds',
];

function prepareData(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loris-load-'));
  execFileSync(process.execPath, [join(projectRoot, 'dist/cli/index.js'), 'make-demo', join(dir, 'demo')]);
  const shared = testDataDir();
  for (const rel of SHARED) {
    const from = join(shared, rel);
    if (!existsSync(from)) continue;
    mkdirSync(join(dir, 'shared', rel, '..'), { recursive: true });
    cpSync(from, join(dir, 'shared', rel), { recursive: true });
  }
  return dir;
}

interface Recording {
  id: number;
  path: string;
  fileType: string;
}

/** Candidate map queries for a recording: several windows, and for MEG files each channel type. */
function mapQueries(rec: Recording): string[] {
  if (rec.path.startsWith('demo/')) {
    const windows = [0, 7, 15, 31, 47, 63, 79, 95].map((a) => `tmin=${a}&tmax=${a + 1}`);
    return [
      ...windows,
      'tmin=10&tmax=20&metric=power&band=alpha',
      'tmin=30&tmax=31&metric=rms&res=32&size=256',
    ];
  }
  const windows = [0, 0.1, 0.2, 0.3].map((a) => `tmin=${a}&tmax=${(a + 0.05).toFixed(2)}`);
  const types = rec.fileType === 'fif' ? ['eeg', 'mag', 'grad'] : [undefined];
  return types.flatMap((type) => windows.map((w) => (type ? `${w}&type=${type}` : w)));
}

async function workingUrls(
  service: OfflineService,
): Promise<{ maps: string[]; sensors: string[]; refused: string[] }> {
  const list = (await get(`${service.baseUrl}/ephys/recordings`)).json() as { recordings: Recording[] };
  const maps: string[] = [];
  const sensors: string[] = [];
  const refused: string[] = [];
  for (const rec of list.recordings) {
    for (const q of mapQueries(rec)) {
      const path = `/ephys/${rec.id}/topographic-map?${q}`;
      const r = await get(service.baseUrl + path);
      if (r.status === 200) maps.push(path);
      else
        refused.push(
          `${rec.path} ${q} → ${r.status} ${(r.json() as { error?: { code?: string } }).error?.code}`,
        );
    }
    const path = `/ephys/${rec.id}/sensors`;
    if ((await get(service.baseUrl + path)).status === 200) sensors.push(path);
    else refused.push(`${rec.path} sensors`);
  }
  return { maps, sensors, refused };
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface Tally {
  byStatus: Map<number, number>;
  mapsOk: number;
  sensorsOk: number;
  latencies: number[];
  /** From the first request to the last answer. */
  seconds: number;
}

/** A request without an answer for this long counts as failed (status 0). */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * CONNECTIONS closed-loop clients (each sends its next request when its answer is in, as a viewer does) for
 * `seconds`; requests sent before the end are waited for. Bodies are read and dropped without decoding them, so
 * the load generator, which shares the machine, takes as little CPU as it can.
 */
async function runLoad(
  baseUrl: string,
  maps: string[],
  sensors: string[],
  seconds = SECONDS,
): Promise<Tally> {
  const tally: Tally = { byStatus: new Map(), mapsOk: 0, sensorsOk: 0, latencies: [], seconds };
  const url = new URL(baseUrl);
  let counter = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const client = async (): Promise<void> => {
    const connection = keepAliveConnection(url.hostname, Number(url.port), REQUEST_TIMEOUT_MS);
    while (performance.now() < deadline) {
      const n = counter++;
      const isSensors = sensors.length > 0 && (n % 100) / 100 < SENSORS_SHARE;
      const list = isSensors ? sensors : maps;
      const path = list[n % list.length] ?? '/';
      // The k-th pass over the URLs shifts windows by k steps: a (URL, shift) pair comes back after 1000 passes.
      const pass = Math.floor(n / Math.max(1, list.length));
      const t0 = performance.now();
      const status = await connection.get(!isSensors && UNIQUE_MAPS ? shiftedWindow(path, pass) : path);
      tally.latencies.push(performance.now() - t0);
      tally.byStatus.set(status, (tally.byStatus.get(status) ?? 0) + 1);
      if (status === 200 && isSensors) tally.sensorsOk++;
      else if (status === 200) tally.mapsOk++;
    }
    connection.close();
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, client));
  tally.seconds = (performance.now() - started) / 1000;
  return tally;
}

function report(tally: Tally, peak: number, baseline: number, after: number, cpuSeconds: number): void {
  const sorted = [...tally.latencies].sort((a, b) => a - b);
  const statuses = [...tally.byStatus.entries()].sort((a, b) => a[0] - b[0]);
  const errors = statuses.filter(([s]) => !(s >= 200 && s < 300) && s !== 304 && s !== 429);
  const limited = tally.byStatus.get(429) ?? 0;
  const seconds = tally.seconds;
  console.log(`\n== load: ${CONNECTIONS} connections, ${seconds.toFixed(1)} s ==`);
  console.log(`maps/s            ${(tally.mapsOk / seconds).toFixed(1)}  (${tally.mapsOk} maps)`);
  console.log(`sensors/s         ${(tally.sensorsOk / seconds).toFixed(1)}  (${tally.sensorsOk})`);
  console.log(`requests/s        ${(tally.latencies.length / seconds).toFixed(1)}`);
  console.log(
    `latency ms        p50 ${percentile(sorted, 50)}  p95 ${percentile(sorted, 95)}  p99 ${percentile(sorted, 99)}  max ${sorted.at(-1)}`,
  );
  console.log(`statuses          ${statuses.map(([s, n]) => `${s}:${n}`).join(' ')}`);
  console.log(`errors            ${errors.reduce((sum, [, n]) => sum + n, 0)}   429 (by design): ${limited}`);
  // CPU per request does not depend on how busy the machine is: it bounds throughput per core.
  const cpuMs = (cpuSeconds * 1000) / Math.max(1, tally.latencies.length);
  const cores = (cpuSeconds / seconds).toFixed(2);
  console.log(
    `service CPU       ${cpuSeconds.toFixed(1)} s = ${cores} cores; ${cpuMs.toFixed(1)} ms per request`,
  );
  console.log(
    `RSS service tree  baseline ${mb(baseline)}  peak ${mb(peak)}  after ${COOLDOWN_SECONDS} s cool-down ${mb(after)}`,
  );
}

function extraEnv(): Record<string, string> {
  const pairs = (process.env.LOAD_ENV ?? '').split(/[\s,]+/).filter(Boolean);
  return Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}

async function main(): Promise<void> {
  const dataDir = prepareData();
  const env = {
    LORIS_EPHYS_MODE: 'standalone',
    LORIS_EPHYS_DATA: dataDir,
    LORIS_EPHYS_LOG_LEVEL: 'warn',
    ...extraEnv(),
  };
  const nodeArgs = (process.env.LOAD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const service = await startOffline(env, 60000, nodeArgs);
  const pid = service.process.pid ?? 0;
  try {
    const urls = await workingUrls(service);
    const { refused } = urls;
    // LOAD_TARGET=health: the same clients on a bare GET /health, serverless-offline's own floor.
    const health = process.env.LOAD_TARGET === 'health';
    const maps = health ? ['/health'] : urls.maps;
    const sensors = health ? [] : urls.sensors;
    console.log(
      `${maps.length} map URLs and ${sensors.length} sensors URLs; ${refused.length} probes refused`,
    );
    for (const line of refused) console.log(`  refused: ${line}`);
    console.log(
      `maps: ${UNIQUE_MAPS ? 'unique (every window shifted)' : 'repeat'}; service env: ${JSON.stringify(extraEnv())}; load average before: ${loadAverage()}`,
    );
    // Untimed warm-up under the same load: every map worker opens the recordings once (each has its own cache).
    if (WARMUP_SECONDS > 0) await runLoad(service.baseUrl, maps, sensors, WARMUP_SECONDS);
    const baseline = treeRss(pid);
    // Several rounds on one service show whether memory after each cool-down settles (bounded caches) or grows.
    for (let round = 1; round <= ROUNDS; round++) {
      const sampler = sampleTreeRss(pid, 250);
      const cpuBefore = treeCpuSeconds(pid);
      const ownBefore = process.cpuUsage();
      const tally = await runLoad(service.baseUrl, maps, sensors);
      const cpuSeconds = treeCpuSeconds(pid) - cpuBefore;
      const own = process.cpuUsage(ownBefore);
      // The load generator shares the machine: what it uses is not available to the service.
      console.log(`load generator CPU ${((own.user + own.system) / 1e6 / tally.seconds).toFixed(2)} cores`);
      const { peak } = sampler.stop();
      console.log(`round ${round}/${ROUNDS}: load average after: ${loadAverage()}`);
      await new Promise((r) => setTimeout(r, COOLDOWN_SECONDS * 1000));
      report(tally, peak, baseline, treeRss(pid), cpuSeconds);
      if (service.process.exitCode !== null || service.process.signalCode !== null) {
        console.log(`SERVICE DIED (exit ${service.process.exitCode}, signal ${service.process.signalCode}):`);
        console.log(service.output().split('\n').slice(-15).join('\n'));
        process.exitCode = 1;
        break;
      }
    }
  } finally {
    await service.stop();
    if (process.env.LOAD_SERVICE_LOG) writeFileSync(process.env.LOAD_SERVICE_LOG, service.output());
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const loadAverage = (): string =>
  execFileSync('cat', ['/proc/loadavg']).toString().split(' ').slice(0, 3).join(' ');

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
