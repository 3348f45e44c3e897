/**
 * qhullDelaunaySimplices against scipy 1.10's Delaunay(pos, incremental=True).simplices (fixtures from
 * scripts/golden/make_qhull_order_golden.py): the MNE topomap golden layouts, all MNE standard montages and
 * seeded random sets. Where it answers, triangles, their order and the vertex order inside each must be
 * identical; it must decline (null) only on the layouts with co-circular sites listed below (qhull merges
 * facets there). For those, qhullVertexIds + qhullTriangles (qhull's vertex ids, fans of co-circular cells)
 * must give scipy's simplices as ordered vertex triples (facet order aside) and MNE's median spacing exactly.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { goldenPath } from '../../helpers/testdata';
import { delaunayMedianDistance, getExtraPoints } from '../../../lib/core/topomap/extrapolate';
import { qhullTriangles } from '../../../lib/core/topomap/qhull-delaunay';
import {
  DEFAULT_DELAUNAY,
  qhullDelaunaySimplices,
  qhullVertexIds,
} from '../../../lib/core/topomap/qhull-order';
import { cross, triangulate } from '../../../lib/core/topomap/triangulation';
import type { Vec2 } from '../../../lib/core/topomap/types';

interface OrderCase {
  name: string;
  pos: Vec2[];
  simplices: [number, number, number][];
  median_distance: number;
}

const fixture = JSON.parse(readFileSync(goldenPath('topomap', 'qhull-order.json'), 'utf8')) as {
  cases: OrderCase[];
};

/** Symmetric layouts: qhull merges co-circular sites and re-triangulates ('Qt'); no facet-order answer there. */
const DECLINED_MONTAGES = [
  'biosemi16',
  'biosemi32',
  'biosemi64',
  'biosemi128',
  'biosemi160',
  'biosemi256',
  'easycap-M1',
  'easycap-M10',
  'EGI_256',
  'GSN-HydroCel-32',
  'GSN-HydroCel-64_1.0',
  'GSN-HydroCel-65_1.0',
  'GSN-HydroCel-128',
  'GSN-HydroCel-129',
  'GSN-HydroCel-256',
  'GSN-HydroCel-257',
  'brainproducts-RNP-BA-128',
];
const DECLINED = new Set([
  ...DECLINED_MONTAGES.map((m) => `montage:${m}`),
  'recording:eeglab/test_raw_chanloc.set:eeg',
]);

/** Measured: 22 of 60 (all jittered grids and wide-range sets, 2 exact grids; no rings, mirrored pairs or near-duplicates). */
const ANSWERED_STRESS_MIN = 22;

describe('qhull vertex order of scipy Delaunay simplices', () => {
  it('covers the golden layouts, montages and random sets', () => {
    expect(fixture.cases.filter((c) => c.name.startsWith('golden:'))).toHaveLength(8);
    expect(fixture.cases.filter((c) => c.name.startsWith('recording:'))).toHaveLength(7);
    expect(fixture.cases.filter((c) => c.name.startsWith('montage:')).length).toBeGreaterThanOrEqual(27);
    expect(fixture.cases.filter((c) => /^(?:uniform|disc|unit-scale):/.test(c.name))).toHaveLength(30);
  });

  const named = fixture.cases.filter((c) => !c.name.startsWith('stress'));
  const stress = fixture.cases.filter((c) => c.name.startsWith('stress'));

  it.each(named.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const ours = qhullDelaunaySimplices(c.pos);
    if (DECLINED.has(name)) {
      expect(ours).toBeNull();
      return;
    }
    expect(Array.from(ours ?? [])).toEqual(c.simplices.flat());
  });

  it.each(stress.map((c) => [c.name, c] as const))(
    '%s (near-degenerate): declines or agrees exactly',
    (_name, c) => {
      const ours = qhullDelaunaySimplices(c.pos);
      if (ours) expect(Array.from(ours)).toEqual(c.simplices.flat());
    },
  );

  it('answers on some near-degenerate sets (jittered grids, wide range, near-coincident)', () => {
    const answered = stress.filter((c) => qhullDelaunaySimplices(c.pos) !== null).map((c) => c.name);
    expect(answered.length).toBeGreaterThanOrEqual(ANSWERED_STRESS_MIN);
  });

  it.each(named.filter((c) => !DECLINED.has(c.name)).map((c) => [c.name, c] as const))(
    '%s: median spacing bit-identical to MNE',
    (_name, c) => {
      expect(delaunayMedianDistance(c.pos)).toBe(c.median_distance);
    },
  );

  /** Triangles as "v0,v1,v2" strings, for comparison as sets of ordered triples. */
  const tripleSet = (s: ArrayLike<number>): Set<string> => {
    const out = new Set<string>();
    for (let t = 0; t + 2 < s.length; t += 3) out.add(`${s[t]},${s[t + 1]},${s[t + 2]}`);
    return out;
  };

  // measured: all but the 10 near-coincident stress sets (stress4:*, sites 1e-12 apart) are answered, all exactly
  const NEAR_COINCIDENT = /^stress4:/;
  it.each(fixture.cases.map((c) => [c.name, c] as const))(
    '%s: qhull vertex ids give scipy simplices (ordered triples) and MNE median spacing',
    (name, c) => {
      const ids = qhullVertexIds(c.pos);
      if (NEAR_COINCIDENT.test(name)) {
        expect(ids).toBeNull();
        return;
      }
      expect(ids).not.toBeNull();
      if (!ids) return;
      const ours = tripleSet(qhullTriangles(c.pos, ids.ids, ids.tolerance));
      const theirs = tripleSet(c.simplices.flat());
      expect(ours.size).toBe(theirs.size);
      expect([...theirs].filter((k) => !ours.has(k))).toEqual([]);
      expect(delaunayMedianDistance(c.pos)).toBe(c.median_distance);
      if (DECLINED.has(name)) expect(ids.merges).toBeGreaterThan(0);
    },
  );

  // the triangles of the simulated run itself ('Qt' of its merged facets), scipy's order included
  it.each(fixture.cases.filter((c) => !NEAR_COINCIDENT.test(c.name)).map((c) => [c.name, c] as const))(
    "%s: the run's triangulated facets are scipy's simplices",
    (name, c) => {
      const ids = qhullVertexIds(c.pos);
      expect(ids).not.toBeNull();
      if (!ids) return;
      const ours = tripleSet(ids.simplices);
      expect(ours.size).toBe(c.simplices.length);
      expect(c.simplices.map((t) => t.join(',')).filter((k) => !ours.has(k))).toEqual([]);
      expect(Array.from(ids.simplices)).toEqual(c.simplices.flat());
    },
  );

  it('any input: qhull vertex ids are null or give CCW triangles covering the hull, lowest id last', () => {
    const coord = fc.oneof(
      fc.double({ min: -1, max: 1, noNaN: true }),
      fc.integer({ min: -3, max: 3 }).map((v) => v / 4),
    );
    const ring = (k: number, r: number): Vec2[] =>
      Array.from({ length: k }, (_, i) => [
        r * Math.cos((2 * Math.PI * i) / k),
        r * Math.sin((2 * Math.PI * i) / k),
      ]);
    const area = (p: readonly Vec2[], a: number, b: number, c: number): number =>
      cross(p[a]![0], p[a]![1], p[b]![0], p[b]![1], p[c]![0], p[c]![1]) / 2;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(coord, coord), { minLength: 0, maxLength: 40 }),
        fc.integer({ min: 0, max: 16 }),
        fc.double({ min: 1e-6, max: 1e3, noNaN: true }),
        (pts, k, scale) => {
          const pos = [...pts.map(([x, y]) => [x, y] as Vec2), ...ring(k, 0.6), ...ring(k, 1.3)]
            .map(([x, y]) => [x * scale, y * scale] as Vec2)
            .filter((p, i, all) => all.findIndex((q) => q[0] === p[0] && q[1] === p[1]) === i);
          const ids = qhullVertexIds(pos);
          if (!ids) return;
          const s = qhullTriangles(pos, ids.ids, ids.tolerance);
          let sum = 0;
          for (let t = 0; t < s.length; t += 3) {
            const [a, b, c] = [s[t]!, s[t + 1]!, s[t + 2]!];
            expect(area(pos, a, b, c)).toBeGreaterThanOrEqual(0); // flat only at underflow
            expect(ids.ids[c]!).toBeLessThan(Math.min(ids.ids[a]!, ids.ids[b]!));
            sum += area(pos, a, b, c);
          }
          const tri = triangulate(pos);
          let hull = 0;
          for (let t = 0; t < tri.triangles.length; t += 3)
            hull += area(pos, tri.triangles[t]!, tri.triangles[t + 1]!, tri.triangles[t + 2]!);
          expect(Math.abs(sum - hull)).toBeLessThanOrEqual(1e-9 * hull);
        },
      ),
      { numRuns: 1000, seed: 7 },
    );
  });

  it('any input: null or a counter-clockwise triangulation covering the convex hull, never an exception', () => {
    const coord = fc.oneof(
      fc.double({ min: -1, max: 1, noNaN: true }),
      fc.integer({ min: -3, max: 3 }).map((v) => v / 4),
    );
    const area = (p: readonly Vec2[], a: number, b: number, c: number): number =>
      cross(p[a]![0], p[a]![1], p[b]![0], p[b]![1], p[c]![0], p[c]![1]) / 2;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(coord, coord), { minLength: 0, maxLength: 40 }),
        fc.double({ min: 1e-6, max: 1e3, noNaN: true }),
        (pts, scale) => {
          const pos = pts.map(([x, y]) => [x * scale, y * scale] as Vec2);
          const s = qhullDelaunaySimplices(pos);
          if (!s) return;
          const areas = Array.from({ length: s.length / 3 }, (_, t) =>
            area(pos, s[3 * t]!, s[3 * t + 1]!, s[3 * t + 2]!),
          );
          expect(Math.min(...areas)).toBeGreaterThan(0);
          const tri = triangulate(pos);
          let hull = 0;
          for (let t = 0; t < tri.triangles.length; t += 3)
            hull += area(pos, tri.triangles[t]!, tri.triangles[t + 1]!, tri.triangles[t + 2]!);
          expect(Math.abs(areas.reduce((a, b) => a + b, 0) - hull)).toBeLessThanOrEqual(1e-9 * hull);
        },
      ),
      { numRuns: 2000, seed: 42 },
    );
  });
});

interface FinalTriangulation {
  extra_points: Vec2[];
  simplices: [number, number, number][];
}

interface DefaultCase {
  name: string;
  box_corners: Vec2[];
  default_simplices: [number, number, number][] | null;
  box_simplices: [number, number, number][] | null;
  head_radius: number;
  head: FinalTriangulation | null;
  local: FinalTriangulation | null;
  /** Only for the synthetic collinear and 3-sensor layouts (the others are qhull-order.json's). */
  pos?: Vec2[];
}

/**
 * scipy's default `Delaunay(pos)` ("Qbb Qc Qz Q12" + "Qt": lifted coordinate rescaled, a point at infinity), the
 * triangulation of MNE's extrapolate='box' (sensors and four corners), on the same layouts (fixtures from
 * scripts/golden/make_qhull_default_golden.py): the simulated run's triangles must be scipy's simplices as ordered
 * vertex triples, in scipy's order, wherever it answers; it declines only on the near-coincident sets.
 */
describe("qhull's default Delaunay (MNE's extrapolate='box')", () => {
  const defaults = JSON.parse(readFileSync(goldenPath('topomap', 'qhull-default.json'), 'utf8')) as {
    cases: DefaultCase[];
  };
  const layouts = new Map(fixture.cases.map((c) => [c.name, c.pos]));
  /** Measured: declined where sites are 1e-12 apart (stress4) and on one wide-range random set without corners. */
  const MAY_DECLINE = /^stress4:|^stress5:23$/;
  const rows = defaults.cases.flatMap((c) => {
    const pos = c.pos ?? layouts.get(c.name) ?? [];
    return [
      [`default:${c.name}`, pos, c.default_simplices] as const,
      [`box:${c.name}`, [...pos, ...c.box_corners], c.box_simplices] as const,
    ];
  });

  it('covers every layout of qhull-order.json', () => {
    expect(defaults.cases.filter((c) => !c.pos).map((c) => c.name)).toEqual(fixture.cases.map((c) => c.name));
  });

  it.each(rows)('%s', (label, points, simplices) => {
    if (!simplices) return; // scipy refused the input
    const ids = qhullVertexIds(points, DEFAULT_DELAUNAY);
    const name = label.slice(label.indexOf(':') + 1);
    if (!ids) {
      if (points.length >= 4) expect(name).toMatch(MAY_DECLINE); // fewer: a single triangle, not simulated
      return;
    }
    const ours = new Set<string>();
    for (let t = 0; t < ids.simplices.length; t += 3)
      ours.add(Array.from(ids.simplices.subarray(t, t + 3)).join());
    expect(ours.size).toBe(simplices.length);
    expect(simplices.map((t) => t.join()).filter((k) => !ours.has(k))).toEqual([]);
    expect(Array.from(ids.simplices)).toEqual(simplices.flat());
  });
});

/**
 * MNE's final triangulations (`_get_extra_points`: sensors, then `add_points` of the extra points) with 'head'
 * (origin 0, radii = the farthest sensor) and 'local', on every layout of qhull-order.json and on collinear and
 * 3-sensor layouts (triangulated at once, default options): the same extra points in the same order, and scipy's
 * simplices as ordered vertex triples. Declined (fallback) only on the sets with
 * sites 1e-12 apart, where the median spacing falls back too.
 */
describe("MNE's final triangulations with extrapolate='head' and 'local'", () => {
  const defaults = JSON.parse(readFileSync(goldenPath('topomap', 'qhull-default.json'), 'utf8')) as {
    cases: DefaultCase[];
  };
  const layouts = new Map(fixture.cases.map((c) => [c.name, c.pos]));
  const rows = defaults.cases
    .filter((c) => !/^stress4:/.test(c.name))
    .flatMap((c) => (['head', 'local'] as const).map((mode) => [`${mode}:${c.name}`, mode, c] as const));

  it.each(rows)('%s', (_label, mode, c) => {
    const mne = c[mode];
    if (!mne) return; // MNE refused the layout
    const pos = c.pos ?? layouts.get(c.name) ?? [];
    const r = c.head_radius;
    const extra = getExtraPoints(pos, mode, [0, 0], [r, r]);
    expect(extra.points).toHaveLength(mne.extra_points.length);
    const off = Math.max(
      0,
      ...extra.points.map((p, k) =>
        Math.hypot(p[0] - mne.extra_points[k]![0], p[1] - mne.extra_points[k]![1]),
      ),
    );
    expect(off).toBeLessThanOrEqual(1e-12 * r);
    const ours = new Set<string>();
    for (let t = 0; t < extra.tri.triangles.length; t += 3)
      ours.add(Array.from(extra.tri.triangles.subarray(t, t + 3)).join());
    expect(ours.size).toBe(mne.simplices.length);
    expect(mne.simplices.map((t) => t.join()).filter((k) => !ours.has(k))).toEqual([]);
  });
});
