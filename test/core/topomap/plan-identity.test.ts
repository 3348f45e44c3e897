/**
 * Grid plans (geometry-only work done once per geometry: triangle and barycentrics per grid point, gradient
 * system, extra points' neighbours, nearest points) give the same bits as the point-by-point interpolation they
 * replaced (reference/interpolation-4fa6655.ts, kept verbatim): on every MNE golden geometry and option set, with
 * the golden values and others, reusing one plan for several value sets, and on random triangulations.
 */
import fc from 'fast-check';
import {
  cloughTocherEval,
  cloughTocherEvalFinite,
  interpolateGrid,
  makeLocator,
  netIsFinite,
} from '../../../lib/core/topomap/clough-tocher';
import { interpolationTriangulation } from '../../../lib/core/topomap/extrapolate';
import { gridAxes } from '../../../lib/core/topomap/grid';
import { computeGeometry, interpolate, prepareInterpolation } from '../../../lib/core/topomap/index';
import { pairGradSensors } from '../../../lib/core/topomap/channels';
import { triangulate } from '../../../lib/core/topomap/triangulation';
import type { Interp, TopomapGeometry, Vec2, Vec3 } from '../../../lib/core/topomap/types';
import * as reference from './reference/interpolation-4fa6655';
import { GOLDEN_FILES, loadGolden, type GoldenFile } from './golden-helpers';

/** Index of the first element whose bits differ (Object.is: NaN equals NaN, +0 differs from -0), or -1. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectSameBits(ours: Float64Array, oracle: Float64Array): void {
  const at = firstDifference(ours, oracle);
  if (at >= 0) throw new Error(`grid differs at ${at}: ${ours[at]} vs ${oracle[at]} (of ${oracle.length})`);
  expect(ours.length).toBe(oracle.length);
}

/** The point-by-point interpolation of 4fa6655 on the geometry. */
function oracleGrid(
  geometry: TopomapGeometry,
  values: readonly number[],
  interp: Exclude<Interp, 'spline'>,
  border: 'mean' | number,
) {
  const tri = interpolationTriangulation(geometry.pos2d, geometry.extraPoints, geometry.extrapolate);
  const extra = reference.extraPointValues(
    { tri, points: geometry.extraPoints },
    values.length,
    values,
    border,
  );
  const all = Float64Array.from([...values, ...extra]);
  const { xs, ys } = gridAxes(geometry.extent, geometry.res);
  return interp === 'nearest'
    ? reference.nearestGrid(tri.points, all, xs, ys)
    : reference.interpolateGrid(reference.makeLocator(tri), all, xs, ys, interp);
}

/** The golden recording's sensors (grads: first of each pair) and values in the units the service uses. */
function sensors(g: GoldenFile): { locs: Vec3[]; values: number[] } {
  const { ch_names: names, loc3d, bads } = g.inputs;
  const keep =
    g.ch_type === 'grad'
      ? pairGradSensors(
          names.map((name) => ({ name })),
          bads,
        ).picks.filter((_, k) => k % 2 === 0)
      : names.map((_, i) => i).filter((i) => !bads.includes(names[i]!));
  const display = g.ch_type === 'eeg' ? 1e6 : g.ch_type === 'mag' ? 1e15 : 1e13;
  return { locs: keep.map((i) => loc3d[i]!), values: g.data.map((v) => v * display) };
}

/**
 * Deterministic other value sets: a smooth field, an alternating one, SI-sized, a constant, all zeros and
 * signed zeros (zero sums, whose sign the full Clough–Tocher sum decides), and one infinite value (non-finite
 * control nets).
 */
function otherValues(n: number, base: readonly number[]): number[][] {
  return [
    base.map((_, i) => Math.sin(i * 0.37) * 40 + Math.cos(i * 1.3) * 7),
    base.map((v, i) => (i % 2 === 0 ? v : -v)),
    base.map((v) => v * 1e-13),
    Array.from({ length: n }, () => 3.25),
    Array.from({ length: n }, () => 0),
    Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -0 : 0)),
    base.map((v, i) => (i === n >> 1 ? Infinity : v)),
  ];
}

describe.each(GOLDEN_FILES)('%s: planned interpolation is bit-identical to 4fa6655', (name) => {
  const g = loadGolden(name);
  const { locs, values } = sensors(g);
  const options = [...new Set(g.cases.map((c) => `${c.extrapolate_option}|${c.res}`))];

  test.each(options)('extrapolate|res %s, cubic, linear and nearest, borders mean and 0', (option) => {
    const [extrapolate, res] = option.split('|') as [GoldenFile['cases'][0]['extrapolate_option'], string];
    const geometry = computeGeometry({
      locs3d: locs,
      chType: g.ch_type,
      dig: g.inputs.dig.map((d) => ({ kind: d.kind, r: d.r })),
      devHeadT: g.inputs.dev_head_t,
      extrapolate,
      res: Number(res),
    });
    for (const interp of ['cubic', 'linear', 'nearest'] as const) {
      const prepared = prepareInterpolation(geometry, interp);
      // one plan, several value sets in turn (as a warm service reuses it)
      for (const v of [values, ...otherValues(values.length, values)]) {
        for (const border of ['mean', 0] as const) {
          const ours = interpolate(geometry, v, interp, border, prepared).grid;
          expectSameBits(ours, oracleGrid(geometry, v, interp, border));
        }
      }
    }
  });
});

const pointSet = fc
  .uniqueArray(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })), {
    minLength: 4,
    maxLength: 60,
    selector: (p) => `${p[0]},${p[1]}`,
  })
  .map((pts) => pts.map(([x, y]) => [x / 50, y / 50] as Vec2));

test('random triangulations (co-circular and collinear points included): same bits as 4fa6655', () => {
  // a coarse lattice makes grid points fall on edges and vertices, where the search's path decides the triangle
  const axis = Array.from({ length: 23 }, (_, i) => -1.1 + i * 0.1);
  fc.assert(
    fc.property(
      pointSet,
      fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 60, maxLength: 60 }),
      (pts, raw) => {
        const tri = triangulate(pts);
        fc.pre(tri.triangles.length > 0);
        const values = pts.map((_, i) => raw[i]!);
        for (const method of ['cubic', 'linear'] as const) {
          const ours = interpolateGrid(makeLocator(tri), values, axis, axis, method);
          expectSameBits(
            ours,
            reference.interpolateGrid(reference.makeLocator(tri), values, axis, axis, method),
          );
        }
      },
    ),
    { numRuns: 150 },
  );
});

describe('cloughTocherEvalFinite (10 of the 19 Bernstein terms) against cloughTocherEval', () => {
  const net19 = fc.array(
    fc.oneof(fc.constantFrom(0, -0, 1, -1), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
    { minLength: 19, maxLength: 19 },
  );
  const coordinate = fc.oneof(
    fc.constantFrom(0, -0, 1, 0.5, -1e-16, 1e-16),
    fc.double({ min: -1e-14, max: 1 }),
  );

  test('same bits for finite nets and any barycentrics (ties, points on edges, slightly outside)', () => {
    fc.assert(
      fc.property(net19, coordinate, coordinate, (values, c0, c1) => {
        const net = Float64Array.from(values);
        const b = [c0, c1, 1 - c0 - c1];
        expect(Object.is(cloughTocherEvalFinite(net, 0, b), cloughTocherEval(net, 0, b))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  test('a zero sum is recomputed in full: the dropped ±0 terms decide its sign', () => {
    // b1 = 0 exactly and b4 = 3·min < 0: every kept term is −0 (sign of coefficient × sign of zero), a dropped one +0
    const b = [-1e-16, 0.6, 0.4 + 1e-16];
    const net = new Float64Array(19).fill(-0);
    for (const k of [10, 12, 11, 18]) net[k] = 0; // kept terms with a negative coefficient (odd power of b4)
    net[0] = 1; // dropped term b1³·1 = +0
    expect(Object.is(cloughTocherEval(net, 0, b), 0)).toBe(true);
    expect(Object.is(cloughTocherEvalFinite(net, 0, b), 0)).toBe(true);
  });

  test('nets with a non-finite value are not for it (0·∞ in a dropped term is NaN)', () => {
    const net = new Float64Array(19).fill(1);
    net[0] = Infinity;
    const b = [0, 0.5, 0.5];
    expect(netIsFinite(net, 0)).toBe(false);
    expect(cloughTocherEval(net, 0, b)).toBeNaN();
    expect(netIsFinite(new Float64Array(19).fill(2), 0)).toBe(true);
  });
});
