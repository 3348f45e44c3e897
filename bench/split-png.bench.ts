/**
 * The split PNG deflate (PngSettings.split: the lower half on libuv's pool while the map worker deflates the upper
 * half), as a map worker with a core to spare runs it: warm 512 px maps of the demo EDF and the CTF recording,
 * split and whole alternately, wall and CPU medians per map (CPU of the whole process: the pool thread's share
 * counts) and PNG sizes. Run: node scripts/run-ts.mjs bench/split-png.bench.ts   (REPEAT=40)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { makeDemo } from '../cli/demo';
import { topomapQuerySchema } from '../lib/core/topomap-params';
import { rootedSourceFs } from '../lib/readers/rooted-fs';
import { openCached } from '../lib/service/open-recording';
import { computeMap, renderMap } from '../lib/service/topomap';
import { testDataPath } from '../test/helpers/testdata';
import { loadAverage, median, runInWorkerThread } from './common';

const REPEAT = Number(process.env.REPEAT ?? 40);
const LIMITS = { maxWindowSeconds: 60, maxImageSize: 1024, maxRes: 256 };

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'loris-ephys-split-png-'));
  const [demo] = makeDemo(join(dir, 'demo')).files as [string];
  const cases = [
    { label: 'demo EDF 64 ch', path: demo, root: dir, window: [3, 4] },
    {
      label: 'CTF 275',
      path: testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds'),
      root: testDataPath(),
      window: [0.1, 0.15],
    },
  ];
  const load = loadAverage();
  const rows = [];
  try {
    for (const c of cases) {
      const opened = await openCached(c.path, { fs: rootedSourceFs(c.root) });
      const wall: Record<'whole' | 'split', number[]> = { whole: [], split: [] };
      const cpu: Record<'whole' | 'split', number[]> = { whole: [], split: [] };
      const bytes: Record<'whole' | 'split', number> = { whole: 0, split: 0 };
      for (let k = 0; k < REPEAT + 3; k++) {
        for (const mode of ['whole', 'split'] as const) {
          const [a, b] = c.window as [number, number];
          const shift = k * 1e-3;
          const query = topomapQuerySchema.parse({ tmin: String(a + shift), tmax: String(b + shift) });
          const computed = await computeMap(opened, query, LIMITS);
          const t0 = performance.now();
          const u0 = process.cpuUsage();
          const { body } = await renderMap(computed, opened, query, mode === 'split');
          const u = process.cpuUsage(u0);
          if (k < 3) continue;
          wall[mode].push(performance.now() - t0);
          cpu[mode].push((u.user + u.system) / 1000);
          bytes[mode] = (body as Uint8Array).byteLength;
        }
      }
      for (const mode of ['whole', 'split'] as const)
        rows.push({
          recording: c.label,
          deflate: mode,
          renderWallP50Ms: +median(wall[mode]).toFixed(2),
          renderCpuP50Ms: +median(cpu[mode]).toFixed(2),
          pngKB: +(bytes[mode] / 1024).toFixed(1),
        });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.table(rows);
  console.log(JSON.stringify({ date: new Date().toISOString(), loadBefore: load, loadAfter: loadAverage() }));
}

runInWorkerThread(main);
