/**
 * The stroke rasteriser visits, per segment and row, only the columns its row reach allows. Against a reference
 * that visits every pixel of the segment's bounding box with the same per-pixel arithmetic, it must make exactly the
 * same blend ops (a pixel the reach skips must be one whose coverage rounds to 0), whatever the segment: random
 * pens, positions (sub-pixel, off-canvas, near-horizontal and near-vertical), and single points.
 */
import fc from 'fast-check';
import '../../helpers/fast-check-seed';
import { strokeOps } from '../../../lib/core/render/strokes';
import type { Layout, Stroke } from '../../../lib/core/render/types';
import type { Vec2 } from '../../../lib/core/topomap/types';

const W = 40;
const H = 30;
const layout: Layout = {
  width: W,
  height: H,
  panel: { x: 0, y: 0, width: W, height: H },
  view: [0, 1, 0, 1],
  scale: W,
};
const noClip = new Uint8Array(W * H).fill(255);

/** Every pixel of each segment's bounding box (widened by the pen), coverage as accumulateSegment computes it. */
function referenceOps(s: Stroke): Map<number, number> {
  const acc = new Float64Array(W * H);
  const f32 = new Float32Array(1);
  const pts = s.points;
  const pairs: [Vec2, Vec2][] = pts.length === 1 ? [[pts[0]!, pts[0]!]] : [];
  for (let k = 0; k + 1 < pts.length; k++) pairs.push([pts[k]!, pts[k + 1]!]);
  if (s.closed && pts.length > 2) pairs.push([pts[pts.length - 1]!, pts[0]!]);
  const width = s.width;
  for (const [[ax, ay], [bx, by]] of pairs) {
    const vx = bx - ax;
    const vy = by - ay;
    const len2 = vx * vx + vy * vy;
    const thick = width >= 1;
    const edge = width / 2 + 0.5;
    const limit = thick ? edge : 1;
    const reach = width / 2 + 1;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - reach));
    const x1 = Math.min(W - 1, Math.ceil(Math.max(ax, bx) + reach));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - reach));
    const y1 = Math.min(H - 1, Math.ceil(Math.max(ay, by) + reach));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        const tt = len2 === 0 ? 0 : ((px - ax) * vx + (py - ay) * vy) / len2;
        const t = tt < 0 ? 0 : tt > 1 ? 1 : tt;
        const dx = px - ax - t * vx;
        const dy = py - ay - t * vy;
        const d2 = dx * dx + dy * dy;
        if (d2 >= limit * limit) continue;
        const d = Math.sqrt(d2);
        const c = thick ? Math.min(1, Math.max(0, edge - d)) : width * Math.min(1, Math.max(0, 1 - d));
        f32[0] = c;
        if (c > acc[y * W + x]!) acc[y * W + x] = f32[0];
      }
    }
  }
  const ops = new Map<number, number>();
  acc.forEach((c, i) => {
    const cov = c > 0 ? Math.round(c * 255) : 0;
    if (cov > 0) ops.set(i, cov);
  });
  return ops;
}

function rasterOps(s: Stroke): Map<number, number> {
  const ops = strokeOps(layout, [s], noClip);
  const out = new Map<number, number>();
  for (let k = 0; k < ops.length; k++) out.set(ops.index[k]!, ops.cov[k]!);
  return out;
}

const coord = (lo: number, hi: number) =>
  fc.oneof(
    fc.double({ min: lo, max: hi, noNaN: true }),
    fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }).map((v) => v + 0.5),
    fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }),
  );
const point = fc.tuple(coord(-5, W + 5), coord(-5, H + 5));
const nearlyAligned = fc
  .tuple(point, coord(-20, 20), fc.double({ min: -1e-7, max: 1e-7, noNaN: true }), fc.boolean())
  .map(([[x, y], run, drift, horizontal]): Vec2[] =>
    horizontal
      ? [
          [x, y],
          [x + run, y + drift],
        ]
      : [
          [x, y],
          [x + drift, y + run],
        ],
  );

const strokeOf = (points: Vec2[], width: number, closed: boolean): Stroke => ({
  points,
  width,
  closed,
  clipped: false,
  grey: 0,
  kind: 'contour',
});

it('makes the same blend ops as visiting every pixel of the bounding box', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.array(point, { minLength: 1, maxLength: 6 }), nearlyAligned),
      fc.oneof(
        fc.double({ min: 0.05, max: 4, noNaN: true }),
        fc.constantFrom(0.6944444444444444, 1, 1.3888888888888888),
      ),
      fc.boolean(),
      (points, width, closed) => {
        const s = strokeOf(points, width, closed);
        expect(rasterOps(s)).toEqual(referenceOps(s));
      },
    ),
    { numRuns: 3000 },
  );
});

it('is checked against a reference that sees a difference (a pen 1 % wider changes the ops)', () => {
  const s = strokeOf(
    [
      [3.2, 4.7],
      [20.9, 11.3],
    ],
    0.7,
    false,
  );
  expect(rasterOps(s)).toEqual(referenceOps(s));
  expect(rasterOps({ ...s, width: 0.707 })).not.toEqual(referenceOps(s));
});
