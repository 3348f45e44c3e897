/**
 * Pixel identity of the renderer: every map of identity-cases.ts must give exactly the pixels pinned in
 * test/golden/render/canvas-hashes.json (made by scripts/golden/make_render_hashes.ts before the render-speed
 * work), through every path that can reuse buffers: uncached, a warm plan cache with synchronous deflate (the map
 * worker's path), many maps deflated at once on the thread pool, and an unaligned canvas.
 */
import { readFileSync } from 'node:fs';
import { createPlanCache, renderPng } from '../../../lib/core/render';
import { composeDirect, DEFAULT_PNG } from '../../../lib/core/render/png';
import { blankCanvas, paintColorbar, paintMap } from '../../../lib/core/render/raster';
import { buildScene } from '../../../lib/core/render/scene';
import { goldenPath } from '../../helpers/testdata';
import { caseHashes, decodedPixels, type HashFile, identityCases, sha256 } from './identity-cases';

const pinned = JSON.parse(readFileSync(goldenPath('render', 'canvas-hashes.json'), 'utf8')) as HashFile;
const cases = identityCases();
const expected = (name: string) => {
  const hashes = pinned.cases[name];
  if (!hashes) throw new Error(`no pinned hashes for ${name}`);
  return hashes;
};

it('pins every case, and the cases differ from each other', () => {
  expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(pinned.cases).sort());
  expect(new Set(cases.map((c) => expected(c.name).composed)).size).toBe(cases.length);
});

describe.each(cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
  it('composes, encodes and decodes to the pinned pixels (uncached)', async () => {
    const got = await caseHashes(c);
    const want = expected(name);
    expect({ base: got.base, composed: got.composed, pngPixels: got.pngPixels }).toEqual({
      base: want.base,
      composed: want.composed,
      pngPixels: want.composed,
    });
    // The PNG bytes depend on the zlib build as well; with the one that made them they are pinned too.
    if (process.versions.zlib === pinned.zlib) expect(got.png).toBe(want.png);
  });

  it('paints and composes the same pixels into an unaligned canvas', () => {
    const scene = buildScene(c.map, c.options, c.lut);
    const { width, height } = scene.layout;
    const aligned = blankCanvas(width, height, c.options.background);
    const unaligned = new Uint8Array(new ArrayBuffer(aligned.length + 1), 1, aligned.length);
    unaligned.set(aligned);
    const { vmin, vmax } = c.map.scale;
    paintMap(scene.plan, { grid: c.map.map.grid, vmin, vmax, lut: c.lut }, unaligned);
    paintColorbar(scene.layout, c.lut, unaligned);
    expect(sha256(unaligned)).toBe(expected(name).base);
    scene.canvas = unaligned;
    expect(sha256(composeDirect(scene, true))).toBe(expected(name).composed);
  });
});

describe('paths that reuse buffers across maps', () => {
  it('gives the pinned pixels with a warm cache and synchronous deflate, map after map', async () => {
    const cache = createPlanCache();
    const png = { ...DEFAULT_PNG, sync: true };
    for (const c of cases) {
      const out = await renderPng(c.map, c.options, { lut: c.lut, cache, png });
      expect([c.name, sha256(await decodedPixels(out))]).toEqual([c.name, expected(c.name).composed]);
    }
  });

  it('gives the pinned pixels when every map is deflated at once on the thread pool (shared cache)', async () => {
    const cache = createPlanCache();
    const outs = await Promise.all(cases.map((c) => renderPng(c.map, c.options, { lut: c.lut, cache })));
    const got = await Promise.all(
      outs.map(async (out, k) => [cases[k]!.name, sha256(await decodedPixels(out))]),
    );
    expect(got).toEqual(cases.map((c) => [c.name, expected(c.name).composed]));
  });
});
