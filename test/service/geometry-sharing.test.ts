/**
 * Map geometry is cached by content: two recordings with the same montage share one geometry (and so its
 * interpolation and raster plans), while any change of position gives a geometry of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topomapQuerySchema } from '../../lib/core/topomap-params';
import { rootedSourceFs } from '../../lib/readers/rooted-fs';
import { openCached } from '../../lib/service/open-recording';
import { computeMap } from '../../lib/service/topomap';
import { writeTenTwentyEdf } from '../helpers/ten-twenty-edf';

const limits = { maxWindowSeconds: 60, maxImageSize: 1024, maxRes: 256 };
const query = topomapQuerySchema.parse({ tmin: '1', tmax: '1.5', format: 'json' });

describe('geometry shared by montage', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loris-geometry-'));
    writeTenTwentyEdf(join(dir, 'a.edf'));
    writeTenTwentyEdf(join(dir, 'b.edf'), 8);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const open = (name: string) => openCached(join(dir, name), { fs: rootedSourceFs(dir) });

  it('is one object for two recordings of the same cap, and its own for a moved electrode', async () => {
    const a = await open('a.edf');
    const b = await open('b.edf');
    expect(a.identityKey).not.toBe(b.identityKey);
    const ga = (await computeMap(a, query, limits)).renderable.map.geometry;
    const gb = (await computeMap(b, query, limits)).renderable.map.geometry;
    expect(gb).toBe(ga);

    const [first, ...rest] = b.info.channels;
    if (!first) throw new Error('no channels');
    const loc = [...first.loc];
    loc[0] = (loc[0] ?? 0) + 0.004;
    const moved = { ...b, info: { ...b.info, channels: [{ ...first, loc }, ...rest] } };
    const gm = (await computeMap(moved, query, limits)).renderable.map.geometry;
    expect(gm).not.toBe(ga);
    expect(gm.pos2d).not.toEqual(ga.pos2d);
  });
});
