import fc from 'fast-check';
import '../../helpers/fast-check-seed';
import { clipCoverage, clipInPixels } from '../../../lib/core/render/clip';
import type { Layout } from '../../../lib/core/render/types';
import type { Clip, Vec2 } from '../../../lib/core/topomap/types';

/** A 64-pixel panel showing [-1, 1]² (32 px per unit), offset in its canvas as a real layout is. */
const layout: Layout = {
  width: 80,
  height: 72,
  panel: { x: 5, y: 3, width: 64, height: 64 },
  view: [-1, 1, -1, 1],
  scale: 32,
};

/** The definition written out: 4×4 samples per pixel, each tested against the polygon by the even–odd rule. */
function referenceCoverage(clip: Clip): Uint8Array {
  const { inside } = clipInPixels(layout, clip);
  const side = layout.panel.width;
  const out = new Uint8Array(side * side);
  for (let py = 0; py < side; py++) {
    for (let px = 0; px < side; px++) {
      let hits = 0;
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++) if (inside(px + (sx + 0.5) / 4, py + (sy + 0.5) / 4)) hits++;
      out[py * side + px] = Math.round((255 * hits) / 16);
    }
  }
  return out;
}

/** Indices of the pixels whose coverage differs. */
function differing(a: Uint8Array, b: Uint8Array): number[] {
  const bad: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) bad.push(i);
  return bad;
}

const point = fc.tuple(
  fc.double({ min: -0.95, max: 0.95, noNaN: true }),
  fc.double({ min: -0.95, max: 0.95, noNaN: true }),
);

describe('clip coverage of a polygon (local extrapolation hull)', () => {
  it('equals 4×4 point-in-polygon sampling on every pixel, for any polygon (self-intersecting too)', () => {
    fc.assert(
      fc.property(fc.array(point, { minLength: 3, maxLength: 40 }), (pts) => {
        const clip: Clip = { kind: 'polygon', points: pts as Vec2[] };
        const fast = clipCoverage(layout, clip);
        const slow = referenceCoverage(clip);
        expect(differing(slow, fast)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('equals the sampling too for polygons reaching past the panel (edges listed per row, clamped)', () => {
    const wide = fc.tuple(
      fc.double({ min: -1.6, max: 1.6, noNaN: true }),
      fc.double({ min: -1.6, max: 1.6, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(wide, { minLength: 3, maxLength: 40 }), (pts) => {
        const clip: Clip = { kind: 'polygon', points: pts as Vec2[] };
        expect(differing(referenceCoverage(clip), clipCoverage(layout, clip))).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('covers a square exactly: full inside, empty outside, half on a pixel cut in two', () => {
    // The square [-0.5, 0.5]² sits on pixel edges except x = 0.5 + 1/64 cuts a pixel column in half.
    const h = 0.5 + 1 / 64;
    const clip: Clip = {
      kind: 'polygon',
      points: [
        [-0.5, -0.5],
        [h, -0.5],
        [h, 0.5],
        [-0.5, 0.5],
      ],
    };
    const cover = clipCoverage(layout, clip);
    const side = layout.panel.width;
    expect(cover[32 * side + 32]).toBe(255);
    expect(cover[2 * side + 2]).toBe(0);
    expect(cover[32 * side + 48]).toBe(128);
  });
});
