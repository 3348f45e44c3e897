/**
 * Warm maps in process (what a map worker does for a recording it has open): the load test's map queries over
 * the demo sample and the shared recordings, each repeated, CPU median per query and in all, in a worker thread as
 * the service's map workers run them. Shows what a map
 * costs without HTTP, so `npm run load`'s CPU per request can be split into map and front.
 * computeMapCpuP50Ms is the computeMap part alone (window read, DSP, geometry lookup, interpolation, scale).
 * Run: node scripts/run-ts.mjs bench/warm-map.bench.ts   (REPEAT=20; add --cpu-prof to node for a profile)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDemo } from '../cli/demo';
import { topomapQuerySchema } from '../lib/core/topomap-params';
import { rootedSourceFs } from '../lib/readers/rooted-fs';
import { openCached } from '../lib/service/open-recording';
import { computeMap, renderMap } from '../lib/service/topomap';
import { testDataPath } from '../test/helpers/testdata';
import { loadAverage, median, runInWorkerThread } from './common';

const REPEAT = Number(process.env.REPEAT ?? 20);
const LIMITS = { maxWindowSeconds: 60, maxImageSize: 1024, maxRes: 256 };

interface Case {
  label: string;
  path: string;
  root: string;
  queries: string[];
}

const params = (q: string): Record<string, string> => Object.fromEntries(new URLSearchParams(q));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'loris-ephys-warm-map-'));
  const [demo] = makeDemo(join(dir, 'demo')).files as [string];
  const windows = [0, 7, 15, 31].map((a) => `tmin=${a}&tmax=${a + 1}`);
  const short = [0, 0.1].map((a) => `tmin=${a}&tmax=${(a + 0.05).toFixed(2)}`);
  const cases: Case[] = [
    {
      label: 'demo EDF',
      path: demo,
      root: dir,
      queries: [
        ...windows,
        'tmin=10&tmax=20&metric=power&band=alpha',
        'tmin=30&tmax=31&metric=rms&res=32&size=256',
      ],
    },
    {
      label: 'fif raw',
      path: testDataPath('fif', 'sim_vectorview_raw.fif'),
      root: testDataPath(),
      queries: ['eeg', 'mag', 'grad'].flatMap((t) => short.map((w) => `${w}&type=${t}`)),
    },
    { label: 'edf', path: testDataPath('edf', 'test.edf'), root: testDataPath(), queries: short },
    { label: 'bv', path: testDataPath('brainvision', 'test.vhdr'), root: testDataPath(), queries: short },
    {
      label: 'ctf',
      path: testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds'),
      root: testDataPath(),
      queries: short,
    },
    { label: 'kit', path: testDataPath('kit', 'test.sqd'), root: testDataPath(), queries: short },
  ];
  const load = loadAverage();
  const rows = [];
  const all: number[] = [];
  const allCompute: number[] = [];
  try {
    for (const c of cases) {
      const opened = await openCached(c.path, { fs: rootedSourceFs(c.root) });
      for (const q of c.queries) {
        const query = topomapQuerySchema.parse(params(q));
        const cpu: number[] = [];
        const computeCpu: number[] = [];
        const refused = await computeMap(opened, query, LIMITS).then(
          () => false,
          () => true,
        );
        if (refused) continue; // as the load test drops queries a recording refuses
        for (let k = 0; k < REPEAT + 3; k++) {
          const u0 = process.cpuUsage();
          const computed = await computeMap(opened, query, LIMITS);
          const uc = process.cpuUsage(u0);
          await renderMap(computed, opened, query);
          const u = process.cpuUsage(u0);
          if (k < 3) continue;
          cpu.push((u.user + u.system) / 1000);
          computeCpu.push((uc.user + uc.system) / 1000);
        }
        all.push(...cpu);
        allCompute.push(...computeCpu);
        rows.push({
          recording: c.label,
          query: q,
          cpuP50Ms: +median(cpu).toFixed(2),
          computeMapCpuP50Ms: +median(computeCpu).toFixed(3),
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.table(rows);
  console.log(
    JSON.stringify({
      date: new Date().toISOString(),
      loadBefore: load,
      loadAfter: loadAverage(),
      allCpuP50Ms: +median(all).toFixed(2),
      allComputeMapCpuP50Ms: +median(allCompute).toFixed(3),
      meanCpuMs: +(all.reduce((a, b) => a + b, 0) / all.length).toFixed(2),
    }),
  );
}

runInWorkerThread(main);
