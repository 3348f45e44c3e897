/**
 * Memory while serving maps from a multi-gigabyte recording (generated in /tmp by scripts/make-long-recording.ts,
 * never committed):
 *   npx esbuild scripts/make-long-recording.ts --bundle --platform=node --outfile=/tmp/make-long.js
 *   LONG_SECONDS=20000 LONG_FORMATS=edf node /tmp/make-long.js /tmp/loris-huge      (2.56 GB EDF+)
 *   npx tsx bench/memory.ts [/tmp/loris-huge]                                         (needs dist/ built)
 * 1. One handler as a Lambda instance runs it (LORIS_EPHYS_WORKERS=0: no pool): a bare Node process loads dist/topomap/index.js and
 *    dist/sensors/index.js and serves windows spread over the whole file (1 s and 60 s windows, band power,
 *    an ERP over every event, PNG at 512 and 2048 px); its peak RSS is the kernel's VmHWM.
 * 2. The whole service: serverless-offline (in-process handlers) under MEMORY_CONNECTIONS concurrent clients
 *    (default 8, the default concurrency cap on 2 CPUs: 4 per map worker) asking for the same kinds of maps; peak RSS of the process tree sampled every 100 ms.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathId } from '../lib/service/catalog';
import { get, startOffline } from '../test/helpers/offline';
import { projectRoot } from '../test/helpers/testdata';
import { mb, sampleTreeRss, treeRss } from './proc-rss';

const dir = process.argv[2] ?? join(tmpdir(), 'loris-huge');
// The generated EEG001..EEG064 names match no montage: the recording is hard-linked (no copy) into a BIDS layout
// with electrodes.tsv and coordsystem.json taken from the demo sample's 64 positions.
const BIDS = join(dir, 'bids');
const FILE = 'sub-huge/ses-01/eeg/sub-huge_ses-01_task-long_eeg.edf';

function prepareBids(): void {
  if (existsSync(join(BIDS, FILE))) return;
  const demo = join(dir, 'demo');
  execFileSync(process.execPath, [join(projectRoot, 'dist/cli/index.js'), 'make-demo', demo], {
    stdio: 'ignore',
  });
  const demoEeg = join(demo, 'sub-demo/ses-01/eeg');
  const eegDir = join(BIDS, 'sub-huge/ses-01/eeg');
  mkdirSync(eegDir, { recursive: true });
  const rows = readFileSync(join(demoEeg, 'sub-demo_ses-01_electrodes.tsv'), 'utf8').trim().split('\n');
  const renamed = rows.map((row, i) =>
    i === 0 ? row : row.replace(/^[^\t]+/, `EEG${String(i).padStart(3, '0')}`),
  );
  writeFileSync(join(eegDir, 'sub-huge_ses-01_electrodes.tsv'), `${renamed.join('\n')}\n`);
  writeFileSync(
    join(eegDir, 'sub-huge_ses-01_coordsystem.json'),
    readFileSync(join(demoEeg, 'sub-demo_ses-01_coordsystem.json')),
  );
  linkSync(join(dir, 'long.edf'), join(BIDS, FILE));
}
const CONNECTIONS = Number(process.env.MEMORY_CONNECTIONS ?? 8);

/** Queries over the whole recording: `seconds` long, so windows reach its last hour. */
function queries(seconds: number): string[] {
  const starts = [0, 0.25, 0.5, 0.75, 0.99].map((f) => Math.floor(f * (seconds - 61)));
  // Smallest to largest, so the high-water mark after each row is the peak of that kind of map.
  return [
    ...starts.map((t) => `tmin=${t}&tmax=${t + 1}`),
    `tmin=${starts[4]}&tmax=${(starts[4] ?? 0) + 1}&size=2048&res=256`,
    'metric=erp&event=stimulus&tmin=-0.1&tmax=0.5',
    `tmin=${starts[1]}&tmax=${(starts[1] ?? 0) + 20}&lfreq=1&hfreq=40`,
    ...starts.map((t) => `tmin=${t}&tmax=${t + 59}&lfreq=1&hfreq=40`),
    `tmin=${starts[2]}&tmax=${(starts[2] ?? 0) + 59}&metric=power&band=alpha`,
  ];
}

// The worker: a bare Node process with the two heavy handler bundles, as one Lambda instance would run them.
const WORKER = `
const { readFileSync } = require('node:fs');
const topomap = require(process.env.BUNDLES + '/topomap/index.js');
const sensors = require(process.env.BUNDLES + '/sensors/index.js');
const rss = (field) => Number(new RegExp('^' + field + ':\\\\s+(\\\\d+)', 'm').exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
const event = (path, query) => ({ version: '2.0', rawPath: path, rawQueryString: query, headers: {},
  queryStringParameters: Object.fromEntries(new URLSearchParams(query)), pathParameters: { physio_file_id: process.env.REC_ID },
  requestContext: { requestId: 'memory', http: { method: 'GET', path } } });
(async () => {
  const baseline = rss('VmRSS');
  const rows = [];
  const s = await sensors.handler(event('/sensors', ''));
  rows.push({ query: 'sensors', status: s.statusCode, ms: 0, hwm: rss('VmHWM') });
  for (const q of JSON.parse(process.env.QUERIES)) {
    const t = Date.now();
    const r = await topomap.handler(event('/topographic-map', q));
    rows.push({ query: q, status: r.statusCode, ms: Date.now() - t, hwm: rss('VmHWM'), rss: rss('VmRSS') });
  }
  console.log(JSON.stringify({ baseline, rows, final: rss('VmRSS'), hwm: rss('VmHWM') }));
})();
`;

interface WorkerReport {
  baseline: number;
  rows: { query: string; status: number; ms: number; hwm: number; rss?: number }[];
  final: number;
  hwm: number;
}

async function oneWorker(id: number, qs: string[]): Promise<WorkerReport> {
  const env = {
    ...process.env,
    LORIS_EPHYS_MODE: 'standalone',
    LORIS_EPHYS_DATA: BIDS,
    LORIS_EPHYS_LOG_LEVEL: 'warn',
    // As on Lambda: maps in the handler's own thread, no worker pool (the service part below has the pool).
    LORIS_EPHYS_WORKERS: '0',
    BUNDLES: join(projectRoot, 'dist'),
    REC_ID: String(id),
    QUERIES: JSON.stringify(qs),
  };
  const child = spawn(process.execPath, ['-e', WORKER], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once('exit', r));
  const last = out.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(last) as WorkerReport;
}

async function wholeService(id: number, qs: string[]): Promise<void> {
  const service = await startOffline(
    { LORIS_EPHYS_MODE: 'standalone', LORIS_EPHYS_DATA: BIDS, LORIS_EPHYS_LOG_LEVEL: 'warn' },
    60_000,
  );
  try {
    const pid = service.process.pid ?? 0;
    await get(`${service.baseUrl}/ephys/${id}/sensors`);
    const baseline = treeRss(pid);
    const sampler = sampleTreeRss(pid, 100);
    const statuses = new Map<number, number>();
    let next = 0;
    const client = async () => {
      while (next < qs.length * 3) {
        const q = qs[next++ % qs.length] ?? '';
        const r = await get(`${service.baseUrl}/ephys/${id}/topographic-map?${q}`);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, client));
    const { peak } = sampler.stop();
    const counts = [...statuses].map(([s, n]) => `${s}:${n}`).join(' ');
    console.log(
      `service (${CONNECTIONS} clients, ${qs.length * 3} maps; statuses ${counts}): baseline ${mb(baseline)}, peak ${mb(peak)}, after ${mb(treeRss(pid))}`,
    );
  } finally {
    await service.stop();
  }
}

async function main(): Promise<void> {
  prepareBids();
  const path = join(BIDS, FILE);
  const size = statSync(path).size;
  const seconds = Math.floor((size - 256 * 66) / (64 * 1000 * 2 + 120));
  const id = pathId(FILE);
  const qs = queries(seconds);
  console.log(`${path}: ${(size / 1e9).toFixed(2)} GB, ${seconds} s; load average ${loadAverage()}`);
  const report = await oneWorker(id, qs);
  console.log(
    `handler worker: baseline ${mb(report.baseline)}, peak (VmHWM) ${mb(report.hwm)}, final ${mb(report.final)}`,
  );
  for (const row of report.rows) {
    console.log(
      `  ${String(row.status).padEnd(4)} ${String(row.ms).padStart(6)} ms  HWM ${mb(row.hwm).padStart(7)}  ${row.query}`,
    );
  }
  await wholeService(id, qs);
}

const loadAverage = (): string =>
  execFileSync('cat', ['/proc/loadavg']).toString().split(' ').slice(0, 3).join(' ');

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
