import { XMLValidator } from 'fast-xml-parser';
import fc from 'fast-check';
import sharp from 'sharp';
import { renderPng, renderSvg } from '../../../lib/core/render';
import type { RenderableMap } from '../../../lib/core/topomap/types';
import { loadGolden, plainOptions, toMap } from './fixture';

const gold = loadGolden('mag');
const base = toMap(gold);
const everything = plainOptions(64, {
  contours: true,
  sensors: true,
  names: true,
  colorbar: true,
  outlines: 'head',
  title: 'Ωmega ∑ 0.1 s',
});
const special = fc.constantFrom(NaN, Infinity, -Infinity, 0, 1e300, -1e-300);

/** Degenerate but type-correct maps: odd colour limits, non-finite grid values, odd positions and names. */
const oddMaps = fc
  .record({
    vmin: fc.oneof(special, fc.double({ min: -1e3, max: 1e3 })),
    vmax: fc.oneof(special, fc.double({ min: -1e3, max: 1e3 })),
    fill: fc.oneof(special, fc.double({ min: -1e3, max: 1e3 })),
    levels: fc.array(fc.oneof(special, fc.double({ min: -1e3, max: 1e3 })), { maxLength: 300 }),
    badPos: fc.boolean(),
    name: fc.string({ maxLength: 12 }),
  })
  .map(({ vmin, vmax, fill, levels, badPos, name }): RenderableMap => {
    const grid = Float64Array.from(base.map.grid, (v, i) => (i % 7 === 0 ? fill : v));
    const geometry = {
      ...base.map.geometry,
      pos2d: badPos
        ? base.map.geometry.pos2d.map(() => [NaN, Infinity] as [number, number])
        : base.map.geometry.pos2d,
    };
    return {
      ...base,
      map: { ...base.map, grid, geometry },
      scale: { ...base.scale, vmin, vmax, contourLevels: levels },
      channelNames: base.channelNames.map(() => name),
    };
  });

describe('rendering degenerate maps', () => {
  it('always yields a well-formed SVG and a decodable PNG of the requested size', async () => {
    await fc.assert(
      fc.asyncProperty(oddMaps, async (m) => {
        const svg = renderSvg(m, everything, { lut: gold.lut });
        expect(XMLValidator.validate(svg)).toBe(true);
        // The embedded PNG's base64 can spell "NaN" by chance: look at the markup only.
        expect(svg.replace(/data:[^"]*/g, '')).not.toMatch(/NaN|Infinity/);
        const meta = await sharp(await renderPng(m, everything, { lut: gold.lut })).metadata();
        expect([meta.width, meta.height]).toEqual([64, 64]);
      }),
      { numRuns: 25 },
    );
  });
});
