/**
 * Run by test/service/worker-heap.test.ts (node scripts/run-ts.mjs test/helpers/warm-map-gc.ts): warm CTF maps in a
 * worker thread with the map workers' heap settings, as the map worker draws half of each (the other half
 * alternately), one after the other with a turn of the event loop between them; prints the worker's full
 * (mark-compact) collections as JSON.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { topomapQuerySchema } from '../../lib/core/topomap-params';
import { rootedSourceFs } from '../../lib/readers/rooted-fs';
import { openCached } from '../../lib/service/open-recording';
import { computeMap, renderMapHalf } from '../../lib/service/topomap';
import { runInWorkerThread } from '../../bench/common';
import { testDataPath } from './testdata';

const MAPS = Number(process.env.MAPS ?? 150);
const LIMITS = { maxWindowSeconds: 60, maxImageSize: 1024, maxRes: 256 };

async function main(): Promise<void> {
  let major = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      if (
        (e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR
      )
        major++;
  }).observe({ entryTypes: ['gc'] });
  const path = testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds');
  const opened = await openCached(path, { fs: rootedSourceFs(testDataPath()) });
  for (let i = 0; i < MAPS; i++) {
    const from = 0.1 + i * 0.0005;
    const query = topomapQuerySchema.parse({
      type: 'mag',
      tmin: from.toFixed(4),
      tmax: (from + 0.1).toFixed(4),
      size: '512',
      contours: '6',
      sensors: 'true',
    });
    renderMapHalf(await computeMap(opened, query, LIMITS), query, i % 2 ? 'top' : 'bottom');
    await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  parentPort?.postMessage(null);
  console.log(JSON.stringify({ maps: MAPS, major }));
  process.exit(0);
}

runInWorkerThread(main);
