/**
 * First map of a recording, in process (the map task as a map worker runs it: open + header, geometry, window,
 * interpolation, 512 px PNG with contours and sensors): wall and CPU medians per format, for a recording whose
 * montage the process has seen (another recording of the same cap or head position: geometry and raster plans
 * are shared by content) and for one it has not (every sensor moved by 1 µm, so geometry is computed afresh).
 * It runs in a worker thread, as the service's map workers do. CPU time (process.cpuUsage: every thread, so file
 * reads on libuv's pool and V8's GC helpers count) is the steadier figure on a busy machine. Goal (issue 13): first map ≤ 25 ms p50.
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

async function firstMaps(c: Case, dir: string, fresh: boolean): Promise<{ wall: number[]; cpu: number[] }> {
  const query = topomapQuerySchema.parse({ ...c.query, ...DRAW });
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k <= COPIES; k++) {
    const copy = join(dir, `${fresh ? 'n' : 's'}${k}`);
    for (const f of c.files) cpSync(f, join(copy, basename(f)), { recursive: true });
    const t0 = performance.now();
    const u0 = process.cpuUsage();
    let opened = await openCached(join(copy, basename(c.files[0] as string)), { fs: rootedSourceFs(dir) });
    if (fresh) opened = moved(opened, (k + 1) * 1e-6);
    await renderMap(await computeMap(opened, query, LIMITS), opened, query);
    const u = process.cpuUsage(u0);
    // Copy 0 warms the code (JIT) and, for the shared case, the montage.
    if (k === 0) continue;
    wall.push(performance.now() - t0);
    cpu.push((u.user + u.system) / 1000);
  }
  return { wall, cpu };
}

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
        newMontageWallP50Ms: +median(fresh.wall).toFixed(1),
        newMontageCpuP50Ms: +median(fresh.cpu).toFixed(1),
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
