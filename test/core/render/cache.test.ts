/**
 * The warm path: a PlanCache (raster plan, decor blend ops, SVG path data) must not change a single output byte,
 * whatever was rendered before with the same geometry, and the fast paths must equal the plain ones.
 */
import sharp from 'sharp';
import { createPlanCache, renderPng, renderSvg, toLut } from '../../../lib/core/render';
import { makeLayout } from '../../../lib/core/render/layout';
import { composeDirect, encodePng } from '../../../lib/core/render/png';
import { blankCanvas, paintColorbar, paintMap, planRaster } from '../../../lib/core/render/raster';
import { buildScene, createPlanCache as newCache, MAX_PLANS, planFor } from '../../../lib/core/render/scene';
import { drawStrokes } from '../../../lib/core/render/strokes';
import type { RenderableMap, RenderOptions, TopomapGeometry } from '../../../lib/core/topomap/types';
import { KINDS, loadGolden, plainOptions, toMap } from './fixture';

/** The same geometry with other data: the grid scaled and shifted, other colour limits, contour levels and names. */
function otherData(m: RenderableMap, factor: number): RenderableMap {
  const grid = Float64Array.from(m.map.grid, (v) => v * factor + m.scale.vmax * 0.1);
  const { vmin, vmax } = m.scale;
  const levels = [0.2, 0.4, 0.6, 0.8].map((f) => (vmin + (vmax - vmin) * f) * factor);
  return {
    ...m,
    map: { ...m.map, grid },
    scale: { ...m.scale, vmin: vmin * factor, vmax: vmax * factor, contourLevels: levels },
    channelNames: m.channelNames.map((name) => name.toLowerCase()),
  };
}

const OPTIONS: [string, RenderOptions][] = [
  [
    'route defaults (512, contours, sensors, colour bar)',
    plainOptions(512, { contours: true, sensors: true, colorbar: true, outlines: 'head' }),
  ],
  [
    'everything on a white background',
    plainOptions(300, {
      contours: true,
      sensors: true,
      names: true,
      colorbar: true,
      outlines: 'head',
      background: 'white',
      title: '0.100 s',
    }),
  ],
  ['bare map', plainOptions(97, { outlines: 'none' })],
];

async function rawPixels(png: Buffer): Promise<Buffer> {
  return sharp(png).ensureAlpha().raw().toBuffer();
}

describe.each(KINDS)('cached rendering of the MNE %s map', (kind) => {
  const gold = loadGolden(kind);
  const first = toMap(gold);
  const second = otherData(first, 1.7);

  it.each(OPTIONS)(
    'gives byte-identical PNG and SVG to an uncached render, after another map was cached (%s)',
    async (_, o) => {
      const cache = createPlanCache();
      for (const m of [first, second]) {
        const cachedPng = await renderPng(m, o, { lut: gold.lut, cache });
        const cachedSvg = renderSvg(m, o, { lut: gold.lut, cache });
        expect(cachedPng.equals(await renderPng(m, o, { lut: gold.lut }))).toBe(true);
        expect(cachedSvg).toBe(renderSvg(m, o, { lut: gold.lut }));
      }
      // Same options again: served from the cache, still identical.
      expect(
        (await renderPng(first, o, { lut: gold.lut, cache })).equals(
          await renderPng(first, o, { lut: gold.lut }),
        ),
      ).toBe(true);
    },
  );

  it('draws the decor from cached blend ops exactly as drawing every stroke in order does', () => {
    const o = OPTIONS[1]![1];
    const cache = createPlanCache();
    buildScene(first, o, toLut(gold.lut), cache); // warms the decor
    const scene = buildScene(second, o, toLut(gold.lut), cache);
    const plain = scene.canvas.slice();
    drawStrokes(scene.layout, scene.strokes, scene.plan.strokeCoverage, plain);
    const composed = composeDirect(scene);
    expect(scene.decor.strokes.length).toBeGreaterThan(gold.pos2d.length); // sensors, names, outlines, frame
    expect(Buffer.from(composed).equals(Buffer.from(plain))).toBe(true);
    expect(scene.scratch?.every((v) => v === 0)).toBe(true); // the shared accumulator is left clean
  });
});

describe('fast paths equal the plain ones', () => {
  const gold = loadGolden('eeg');
  const m = toMap(gold);
  const lut = toLut(gold.lut);

  it('paints the map with 32-bit writes exactly as per-byte blending does (unaligned canvas)', () => {
    const o = plainOptions(257, { outlines: 'head', colorbar: true, background: 'white' });
    const layout = makeLayout(m.map.geometry, o);
    const plan = planRaster(layout, m.map.geometry, m.map.geometry.clip);
    const input = { grid: m.map.grid, vmin: gold.vmin, vmax: gold.vmax, lut };
    const aligned = blankCanvas(257, 257, 'white');
    paintMap(plan, input, aligned);
    paintColorbar(layout, lut, aligned);
    const unaligned = new Uint8Array(new ArrayBuffer(aligned.length + 1), 1, aligned.length).fill(255);
    paintMap(plan, input, unaligned);
    paintColorbar(layout, lut, unaligned);
    expect(Buffer.from(unaligned).equals(Buffer.from(aligned))).toBe(true);
  });

  it('encodes with zlib (default) to the same pixels sharp encodes, and both decode to the composed canvas', async () => {
    const o = OPTIONS[0]![1];
    const scene = buildScene(m, o, lut);
    const pixels = Buffer.from(composeDirect(scene));
    const viaZlib = await encodePng(scene, m.map.geometry.clip);
    const viaSharp = await encodePng(scene, m.map.geometry.clip, 'direct', {
      encoder: 'sharp',
      compressionLevel: 3,
      adaptiveFiltering: false,
    });
    expect((await rawPixels(viaZlib)).equals(pixels)).toBe(true);
    expect((await rawPixels(viaSharp)).equals(pixels)).toBe(true);
    expect(viaZlib.length).toBeLessThan(pixels.length / 4);
  });

  it('keeps at most MAX_PLANS plans, most recently used first', () => {
    const cache = createPlanCache();
    const g = m.map.geometry;
    const sizes = Array.from({ length: MAX_PLANS + 3 }, (_, i) => 64 + i);
    const plans = sizes.map((size) => planFor(makeLayout(g, plainOptions(size)), g, cache));
    expect(cache.entries.size).toBe(MAX_PLANS);
    const last = sizes[sizes.length - 1]!;
    expect(planFor(makeLayout(g, plainOptions(last)), g, cache)).toBe(plans[plans.length - 1]);
    expect(planFor(makeLayout(g, plainOptions(64)), g, cache)).not.toBe(plans[0]); // evicted, planned again
  });
});

/** A deep copy of a map's geometry with `change` applied: another object, maybe the same content. */
function withGeometry(m: RenderableMap, change: (g: TopomapGeometry) => void = () => {}): RenderableMap {
  const geometry = structuredClone(m.map.geometry);
  change(geometry);
  return { ...m, map: { ...m.map, geometry } };
}

describe.each(KINDS)('plan and decor cache keyed by content (%s map)', (kind) => {
  const gold = loadGolden(kind);
  const m = toMap(gold);
  const lut = toLut(gold.lut);
  const o = OPTIONS[0]![1];

  it('serves an equal geometry (another object) the same plan and decor, and the same bytes', async () => {
    const cache = newCache();
    const first = buildScene(m, o, lut, cache);
    const twin = withGeometry(m);
    expect(twin.map.geometry).not.toBe(m.map.geometry);
    const second = buildScene(twin, o, lut, cache);
    expect(second.plan).toBe(first.plan);
    expect(second.decor).toBe(first.decor);
    expect(cache.entries.size).toBe(1);
    const cached = await renderPng(twin, o, { lut: gold.lut, cache });
    expect(cached.equals(await renderPng(twin, o, { lut: gold.lut }))).toBe(true);
  });

  it('plans again when the grid resolution changes', () => {
    const cache = newCache();
    const first = buildScene(m, o, lut, cache);
    const finer = withGeometry(m, (g) => (g.res *= 2));
    const grid = new Float64Array(finer.map.geometry.res ** 2);
    const second = buildScene({ ...finer, map: { ...finer.map, grid } }, o, lut, cache);
    expect(second.plan).not.toBe(first.plan);
    expect(second.plan.res).toBe(2 * first.plan.res);
  });

  const planChanges: [string, (g: TopomapGeometry) => void][] = [
    ['the extent', (g) => (g.extent[1] += 1e-9)],
    [
      'the clip shape',
      (g) => {
        if (g.clip.kind === 'polygon') g.clip.points[0]![0] += 1e-9;
        else g.clip.radii[0] += 1e-9;
      },
    ],
  ];
  it.each(planChanges)(
    'plans again when %s changes, and draws what an uncached render draws',
    async (_, change) => {
      const cache = newCache();
      const first = buildScene(m, o, lut, cache);
      const changed = withGeometry(m, change);
      expect(buildScene(changed, o, lut, cache).plan).not.toBe(first.plan);
      expect(cache.entries.size).toBe(2);
      const cached = await renderPng(changed, o, { lut: gold.lut, cache });
      expect(cached.equals(await renderPng(changed, o, { lut: gold.lut }))).toBe(true);
    },
  );

  it('plans again for another canvas size', () => {
    const cache = newCache();
    const first = buildScene(m, o, lut, cache);
    expect(buildScene(m, { ...o, size: o.size + 1 }, lut, cache).plan).not.toBe(first.plan);
  });

  const decorChanges: [string, (g: TopomapGeometry) => void][] = [
    ['a sensor position', (g) => (g.pos2d[0]![1] += 1e-9)],
    ['the head outline', (g) => (g.outlines.head[0]![0] += 1e-9)],
    ['the nose', (g) => (g.outlines.nose[0]![0] += 1e-9)],
  ];
  it.each(decorChanges)('keeps the plan but draws a new decor when %s changes', async (_, change) => {
    const cache = newCache();
    const first = buildScene(m, o, lut, cache);
    const changed = withGeometry(m, change);
    const second = buildScene(changed, o, lut, cache);
    expect(second.plan).toBe(first.plan);
    expect(second.decor).not.toBe(first.decor);
    const cached = await renderPng(changed, o, { lut: gold.lut, cache });
    expect(cached.equals(await renderPng(changed, o, { lut: gold.lut }))).toBe(true);
  });

  it('draws a new decor for other options or names', () => {
    const cache = newCache();
    const named = { ...o, names: true };
    const first = buildScene(m, named, lut, cache);
    expect(buildScene(m, { ...named, sensors: false }, lut, cache).decor).not.toBe(first.decor);
    const renamed = { ...m, channelNames: m.channelNames.map((n) => `${n}x`) };
    expect(buildScene(renamed, named, lut, cache).decor).not.toBe(first.decor);
    expect(buildScene(m, named, lut, cache).decor).toBe(first.decor);
  });

  it('keeps its bytes (plans and blend ops) within the budget, dropping the oldest plans', async () => {
    const probe = newCache();
    const coverage = buildScene(m, o, lut, probe).plan.coverage.byteLength;
    await renderPng(m, o, { lut: gold.lut, cache: probe });
    const oneEntry = probe.bytes;
    expect(oneEntry).toBeGreaterThan(coverage + 10_000); // coverage, taps and the decor's blend ops
    const cache = newCache({ maxBytes: Math.floor(2.5 * oneEntry) });
    for (let k = 0; k < 6; k++)
      await renderPng(
        withGeometry(m, (g) => (g.extent[1] += k * 1e-9)),
        o,
        { lut: gold.lut, cache },
      );
    expect(cache.entries.size).toBe(2);
    expect(cache.bytes).toBeLessThanOrEqual(cache.maxBytes);
    expect(cache.bytes).toBe([...cache.entries.values()].reduce((n, e) => n + e.bytes, 0));
  });
});
