/**
 * Map bits: a digest of everything computeMap answers (grid, values, colour limits, contour levels, colour map,
 * times) for fixed queries over the demo sample and the shared recordings. test/golden/service/map-bits.json holds
 * the digests the service gave at commit 4fa6655 (bench/map-bits.ts writes it); test/service/map-bits.test.ts
 * requires today's code to give the same bits, so speed work cannot change an answer unnoticed.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { makeDemo } from '../../cli/demo';
import { topomapQuerySchema } from '../../lib/core/topomap-params';
import { rootedSourceFs } from '../../lib/readers/rooted-fs';
import { openCached } from '../../lib/service/open-recording';
import { computeMap } from '../../lib/service/topomap';
import { testDataPath } from './testdata';

const LIMITS = { maxWindowSeconds: 60, maxImageSize: 1024, maxRes: 256 };

/** A recording (the demo, or a path under the shared data) and the map queries asked of it. */
export interface MapBitsRecording {
  file: 'demo' | string[];
  queries: string[];
}

const short = (w: string): string[] => [w, `${w}&interp=linear`];

export const MAP_BITS_RECORDINGS: MapBitsRecording[] = [
  {
    file: 'demo',
    queries: [
      'tmin=7&tmax=8',
      'tmin=0&tmax=1',
      'tmin=10&tmax=20&metric=power&band=alpha',
      'tmin=30&tmax=31&metric=rms&res=32',
      'tmin=7&tmax=8&interp=linear',
      'tmin=7&tmax=8&interp=nearest',
      'tmin=7&tmax=8&interp=spline&res=32',
      'tmin=7&tmax=8&extrapolate=local',
      'tmin=7&tmax=8&extrapolate=box&border=0',
      'tmin=7&tmax=8&lfreq=1&hfreq=40',
      'tmin=7&tmax=8&reference=average',
      't=7.5',
      'metric=erp&event=target&tmin=-0.1&tmax=0.4',
      'tmin=7&tmax=8&exclude=Fp1,Fp2&vmin=-0.00001&vmax=0.00002&contours=4',
    ],
  },
  {
    file: ['fif', 'sim_vectorview_raw.fif'],
    queries: ['eeg', 'mag', 'grad'].flatMap((t) => [
      `tmin=0&tmax=0.05&type=${t}`,
      `tmin=0.1&tmax=0.15&type=${t}&interp=linear`,
      `tmin=0&tmax=1&type=${t}&metric=power&fmin=5&fmax=30`,
    ]),
  },
  { file: ['fif', 'test-ave.fif.gz'], queries: ['eeg', 'mag', 'grad'].map((t) => `t=0.1&type=${t}`) },
  { file: ['fif', 'test_ctf_comp_raw.fif'], queries: short('tmin=0&tmax=0.2') },
  { file: ['edf', 'test.edf'], queries: short('tmin=0&tmax=0.05') },
  { file: ['edf', 'test.bdf'], queries: short('tmin=0.1&tmax=0.3') },
  { file: ['brainvision', 'test.vhdr'], queries: [...short('tmin=0.1&tmax=0.15'), 'metric=erp&event=S255'] },
  { file: ['ctf', 'testdata_ctf_short_discontinuous.ds'], queries: short('tmin=0&tmax=0.05') },
  { file: ['kit', 'test.sqd'], queries: short('tmin=0&tmax=0.05') },
  { file: ['cnt', 'scan41_short.cnt'], queries: short('tmin=1&tmax=2') },
];

/** Float64 bytes of the numbers, in order, into the hash. */
function addNumbers(hash: ReturnType<typeof createHash>, xs: ArrayLike<number>): void {
  hash.update(new Uint8Array(Float64Array.from(xs).buffer));
}

export interface MapBits {
  recording: string;
  query: string;
  /** sha256 (base64) of grid, values, vmin, vmax, contour levels, times, cmap and geometry res; or the error code. */
  digest: string;
  vmin?: number;
  vmax?: number;
}

/** Every query's map bits (in MAP_BITS_RECORDINGS order); the demo is written under `dir`. */
export async function mapBits(dir: string): Promise<MapBits[]> {
  const [demo] = makeDemo(join(dir, 'demo')).files as [string];
  const out: MapBits[] = [];
  for (const r of MAP_BITS_RECORDINGS) {
    const [path, root] = r.file === 'demo' ? [demo, dir] : [testDataPath(...r.file), testDataPath()];
    const opened = await openCached(path, { fs: rootedSourceFs(root) });
    const recording = r.file === 'demo' ? 'demo' : r.file.join('/');
    for (const query of r.queries) {
      const q = topomapQuerySchema.parse(Object.fromEntries(new URLSearchParams(query)));
      try {
        const { renderable, times } = await computeMap(opened, q, LIMITS);
        const { map, scale } = renderable;
        const hash = createHash('sha256');
        addNumbers(hash, map.grid);
        addNumbers(hash, map.values);
        addNumbers(hash, [scale.vmin, scale.vmax, ...scale.contourLevels, ...times, map.geometry.res]);
        hash.update(scale.cmap);
        out.push({ recording, query, digest: hash.digest('base64'), vmin: scale.vmin, vmax: scale.vmax });
      } catch (error) {
        out.push({ recording, query, digest: `error:${(error as { code?: string }).code ?? String(error)}` });
      }
    }
  }
  return out;
}
