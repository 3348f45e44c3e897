/**
 * First map of a recording, in process (the map task as a map worker runs it: open + header, geometry, window,
 * interpolation, 512 px PNG with contours and sensors): wall and CPU medians per format, for a recording whose
 * montage the process has seen (another recording of the same cap or head position: geometry and raster plans
 * are shared by content) and for one it has not (every sensor moved by 1 µm, so geometry is computed afresh).
 * It runs in a worker thread, as the service's map workers do. CPU time (process.cpuUsage: every thread, so file
 * reads on libuv's pool and V8's GC helpers count) is the steadier figure on a busy machine; it is also given per
 * stage (openCached / computeMap / renderMap). Goal (issue 13): first map ≤ 25 ms p50.
 * Last measured 2026-12-06 16:31–16:40 UTC (branch first-map against main c6983c2, both bundled into one worker
 * thread and called alternately, 30–40 copies, four runs, load average 5–8 from other sessions), CPU p50 ms,
 * montage seen / new: EDF 64 ch 17.8 → 14.9 / 23.0 → 21.1 (open 6.5 → 4.1: annotations read on demand);
 * BrainVision 8.8 / 12.7 (unchanged, within noise); CTF 275 mag 21.6 / 32.3 (unchanged); FIF 102 mag 8.9 / 17.4
 * (unchanged); evoked test-ave.fif.gz 40.8 → 32.2 / 48.6 → 42.6 (projector rows only, fewer inflate rounds).
 * Run: node scripts/run-ts.mjs bench/first-map.bench.ts   (COPIES=15, ONLY=<label substring> for one format)
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { makeDemo } from '../cli/demo';
import { topomapQuerySchema } from '../lib/core/topomap-params';
import { rootedSourceFs } from '../lib/readers/rooted-fs';
import { openCached, type OpenedRecording } from '../lib/service/open-recording';
import { computeMap, renderMap } from '../lib/service/topomap';
import { testDataPath } from '../test/helpers/testdata';
import { loadAverage, median, runInWorkerThread } from './common';

const COPIES = Number(process.env.COPIES ?? 15);
const ONLY = (process.env.ONLY ?? '').toLowerCase();
const LIMITS = { maxWindowSeconds: 60, maxImageSize: 1024, maxRes: 256 };
const DRAW = { size: '512', contours: '6', sensors: 'true' };

interface Case {
  label: string;
  files: string[];
  query: Record<string, string>;
}

/** Every sensor moved by `shift` metres along x: a montage this process has not seen. */
function moved(opened: OpenedRecording, shift: number): OpenedRecording {
  const channels = opened.info.channels.map((c) => ({
    ...c,
    loc: c.loc.map((v, i) => (i === 0 ? v + shift : v)),
  }));
  return { ...opened, info: { ...opened.info, channels } };
}

interface Timings {
  wall: number[];
  cpu: number[];
  /** CPU of each stage: openCached (reader, positions, sidecars, signatures), computeMap, renderMap. */
  open: number[];
  compute: number[];
  render: number[];
}

const cpuMsSince = (start: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
};

async function firstMaps(c: Case, dir: string, fresh: boolean): Promise<Timings> {
  const query = topomapQuerySchema.parse({ ...c.query, ...DRAW });
  const t: Timings = { wall: [], cpu: [], open: [], compute: [], render: [] };
  for (let k = 0; k <= COPIES; k++) {
    const copy = join(dir, `${fresh ? 'n' : 's'}${k}`);
    for (const f of c.files) cpSync(f, join(copy, basename(f)), { recursive: true });
    const t0 = performance.now();
    const u0 = process.cpuUsage();
    let opened = await openCached(join(copy, basename(c.files[0] as string)), { fs: rootedSourceFs(dir) });
    const open = cpuMsSince(u0);
    if (fresh) opened = moved(opened, (k + 1) * 1e-6);
    const u1 = process.cpuUsage();
    const map = await computeMap(opened, query, LIMITS);
    const compute = cpuMsSince(u1);
    const u2 = process.cpuUsage();
    await renderMap(map, opened, query);
    const render = cpuMsSince(u2);
    const cpu = cpuMsSince(u0);
    // Copy 0 warms the code (JIT) and, for the shared case, the montage.
    if (k === 0) continue;
    t.wall.push(performance.now() - t0);
    t.cpu.push(cpu);
    t.open.push(open);
    t.compute.push(compute);
    t.render.push(render);
  }
  return t;
}

/** CPU p50 of each stage, ms: `open / compute / render`. */
const stages = (t: Timings): string =>
  [t.open, t.compute, t.render].map((xs) => median(xs).toFixed(1)).join(' / ');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'loris-ephys-first-map-'));
  const [demo] = makeDemo(join(dir, 'demo')).files as [string];
  const bv = ['vhdr', 'vmrk', 'eeg'].map((e) => testDataPath('brainvision', `test.${e}`));
  const cases: Case[] = [
    { label: 'EDF 64 ch (demo, 1 s mean)', files: [demo], query: { tmin: '30', tmax: '31' } },
    { label: 'BrainVision 32 ch', files: bv, query: { tmin: '0.1', tmax: '0.2' } },
    {
      label: 'CTF 275 mag (.ds)',
      files: [testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds')],
      query: { type: 'mag', tmin: '0.1', tmax: '0.2' },
    },
    {
      label: 'FIF Vectorview 102 mag',
      files: [testDataPath('fif', 'sim_vectorview_raw.fif')],
      query: { type: 'mag', tmin: '0.1', tmax: '0.2' },
    },
    {
      // bench:topomap's evoked case: a gzip file (inflated whole at open) with SSP projectors applied
      label: 'FIF evoked 60 EEG (.fif.gz, SSP)',
      files: [testDataPath('fif', 'test-ave.fif.gz')],
      query: { type: 'eeg', t: '0.1' },
    },
  ];
  const load = loadAverage();
  const rows = [];
  try {
    for (const c of cases.filter((k) => k.label.toLowerCase().includes(ONLY))) {
      const shared = await firstMaps(c, dir, false);
      const fresh = await firstMaps(c, dir, true);
      rows.push({
        recording: c.label,
        sharedMontageWallP50Ms: +median(shared.wall).toFixed(1),
        sharedMontageCpuP50Ms: +median(shared.cpu).toFixed(1),
        sharedOpenComputeRenderCpuMs: stages(shared),
        newMontageWallP50Ms: +median(fresh.wall).toFixed(1),
        newMontageCpuP50Ms: +median(fresh.cpu).toFixed(1),
        newOpenComputeRenderCpuMs: stages(fresh),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.table(rows);
  console.log(
    JSON.stringify({
      date: new Date().toISOString(),
      copies: COPIES,
      loadBefore: load,
      loadAfter: loadAverage(),
      rows,
    }),
  );
}

runInWorkerThread(main);
