/**
 * The PNG deflaters on the maps `bench:topomap` makes (512 px, contours, sensors): Node's zlib (level 1, memLevel 9,
 * what maps used before) against Intel ISA-L's igzip (level 2, lib/service/deflater.ts), each half of a map's rows
 * deflated as a map worker deflates it (deflateHalf); median ms per half and the PNG's size. Run after
 * `npm run build:native`:
 *   npm run bench:deflate   (RUNS=300)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeDemo } from '../cli/demo';
import { topomapQuerySchema } from '../lib/core/topomap-params';
import { deflateHalf, joinHalves } from '../lib/core/render/png-encode';
import { rootedSourceFs } from '../lib/readers/rooted-fs';
import { chooseDeflater, isalAddonPath } from '../lib/service/deflater';
import { openCached } from '../lib/service/open-recording';
import { computeMap, renderMap } from '../lib/service/topomap';
import { testDataPath } from '../test/helpers/testdata';
import { loadAverage, median } from './common';

const RUNS = Number(process.env.RUNS ?? 300);
const LIMITS = { maxWindowSeconds: 60, maxImageSize: 1024, maxRes: 256 };
const DRAW = 'size=512&contours=6&sensors=true';

async function main(): Promise<void> {
  const isal = chooseDeflater('isal', isalAddonPath());
  const dir = mkdtempSync(join(tmpdir(), 'loris-ephys-deflate-'));
  const [demo] = makeDemo(join(dir, 'demo')).files as [string];
  const cases = [
    ['evoked FIF', testDataPath('fif', 'test-ave.fif.gz'), testDataPath(), `type=eeg&t=0.1`],
    ['demo EDF', demo, dir, 'tmin=30&tmax=31'],
    ['BrainVision', testDataPath('brainvision', 'test.vhdr'), testDataPath(), 'tmin=0.1&tmax=0.2'],
    [
      'CTF',
      testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds'),
      testDataPath(),
      'type=mag&tmin=0.1&tmax=0.2',
    ],
    ['FIF raw', testDataPath('fif', 'sim_vectorview_raw.fif'), testDataPath(), 'type=mag&tmin=0.1&tmax=0.2'],
  ] as const;
  const rows = [];
  try {
    for (const [label, path, root, window] of cases) {
      const opened = await openCached(path, { fs: rootedSourceFs(root) });
      const query = topomapQuerySchema.parse(Object.fromEntries(new URLSearchParams(`${window}&${DRAW}`)));
      const { body } = await renderMap(await computeMap(opened, query, LIMITS), opened, query);
      const rgba = await sharp(body as Buffer)
        .ensureAlpha()
        .raw()
        .toBuffer();
      const row: Record<string, string | number> = { recording: label };
      for (const [name, deflater] of [
        ['zlib', undefined],
        ['isal', isal],
      ] as const) {
        const halves = (['top', 'bottom'] as const).map((half) => {
          const ms: number[] = [];
          const make = () => deflateHalf(rgba, 512, 512, half, 1, 9, undefined, deflater);
          for (let k = 0; k < 20; k++) make();
          for (let k = 0; k < RUNS; k++) {
            const t0 = performance.now();
            make();
            ms.push(performance.now() - t0);
          }
          return { ms: median(ms), part: make() };
        });
        const [top, bottom] = halves as [(typeof halves)[0], (typeof halves)[0]];
        row[`${name}TopMs`] = +top.ms.toFixed(3);
        row[`${name}BottomMs`] = +bottom.ms.toFixed(3);
        row[`${name}PngKB`] = +(joinHalves(top.part, bottom.part, 512, 512).length / 1024).toFixed(1);
      }
      rows.push(row);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.table(rows);
  console.log(JSON.stringify({ bench: 'deflate', loadAverage: loadAverage(), runs: RUNS, rows }));
}

void main();
