/**
 * Layouts with co-circular sensors (qhull merges facets and triangulates them in its own order) against MNE 1.3's
 * plot_topomap (fixtures from scripts/golden/make_cocircular_golden.py): standard_1020/1005, biosemi16–256,
 * GSN-HydroCel-64/128/129/256/257 as MNE places them, and the BrainVision recording with a [Coordinates] section.
 * From the 3-D locations: positions, MNE's median spacing, extra points, scipy's simplices, and the 64×64
 * Clough–Tocher grid within 1e-4 of the colour range (MNE's grid is stored as float32), with extrapolate='head',
 * 'box' and 'local'.
 */
import { readFileSync } from 'node:fs';
import { openBrainVision } from '../../../lib/readers/brainvision';
import { memoryFs } from '../../../lib/readers/source';
import { describeWithData, goldenPath, testDataPath } from '../../helpers/testdata';
import { delaunayMedianDistance } from '../../../lib/core/topomap/extrapolate';
import { computeGeometry, interpolate, prepareInterpolation } from '../../../lib/core/topomap/index';
import { qhullTriangles } from '../../../lib/core/topomap/qhull-delaunay';
import { qhullVertexIds } from '../../../lib/core/topomap/qhull-order';
import type { Vec2, Vec3 } from '../../../lib/core/topomap/types';
import { maxAbsDiff } from './golden-helpers';

/** MNE's result with extrapolate='box' or 'local' (same sensors, values and extent as the 'head' case). */
interface ModeResult {
  extra_points: Vec2[];
  n_triangles: number;
  /** scipy's simplices of the final triangulation (sensors, then extra points). */
  simplices: [number, number, number][];
  /** 'local': MNE's clip polygon. */
  mask?: Vec2[];
  range: number;
  grid: (number | null)[];
}

interface CocircularCase {
  name: string;
  ch_names: string[];
  loc3d: Vec3[];
  sphere: [number, number, number, number];
  pos2d: Vec2[];
  values: number[];
  extent: [number, number, number, number];
  median_distance: number;
  simplices: [number, number, number][];
  extra_points: Vec2[];
  n_triangles: number;
  res: number;
  range: number;
  grid: (number | null)[];
  box: ModeResult;
  local: ModeResult;
}

const fixture = JSON.parse(readFileSync(goldenPath('topomap', 'cocircular.json'), 'utf8')) as {
  cases: CocircularCase[];
};

const GRID_TOL = 1e-4; // of the colour range (issue 12); measured ≤ 3.3e-8 (float32 rounding of MNE's grid)
const report: string[] = [];
afterAll(() => console.log(`co-circular layouts against MNE 1.3:\n${report.join('\n')}`));

/** max |grid − MNE| / range and the NaN-pattern mismatches. */
function gridError(
  grid: Float64Array,
  c: Pick<CocircularCase, 'grid' | 'range'>,
): { rel: number; nanMismatch: number } {
  let err = 0;
  let nanMismatch = 0;
  grid.forEach((v, i) => {
    const m = c.grid[i];
    if (m === null || m === undefined) nanMismatch += Number.isNaN(v) ? 0 : 1;
    else if (Number.isNaN(v)) nanMismatch++;
    else err = Math.max(err, Math.abs(v - m));
  });
  return { rel: err / c.range, nanMismatch };
}

const tripleSet = (s: ArrayLike<number>): Set<string> => {
  const out = new Set<string>();
  for (let t = 0; t + 2 < s.length; t += 3) out.add(`${s[t]},${s[t + 1]},${s[t + 2]}`);
  return out;
};

describe('co-circular layouts against MNE 1.3', () => {
  it('covers the layouts of issue 12', () => {
    const names = fixture.cases.map((c) => c.name);
    for (const m of ['standard_1020', 'standard_1005', 'biosemi16', 'biosemi32', 'biosemi64', 'biosemi128'])
      expect(names).toContain(`montage:${m}`);
    for (const m of ['biosemi256', 'GSN-HydroCel-64_1.0', 'GSN-HydroCel-128', 'GSN-HydroCel-129'])
      expect(names).toContain(`montage:${m}`);
    for (const m of ['GSN-HydroCel-256', 'GSN-HydroCel-257']) expect(names).toContain(`montage:${m}`);
    expect(names.filter((n) => n.startsWith('recording:bv__test_coordinates'))).toHaveLength(2);
  });

  describe.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const geometry = computeGeometry({ locs3d: c.loc3d, chType: 'eeg', extrapolate: 'head', res: c.res });
    const R = c.sphere[3];

    it('positions, median spacing, extra points and extent equal MNE', () => {
      expect(geometry.sphere.map((v, k) => Math.abs(v - c.sphere[k]!))).toEqual([0, 0, 0, 0]);
      expect(maxAbsDiff(geometry.pos2d, c.pos2d)).toBeLessThanOrEqual(1e-12 * R);
      // bit-identical from MNE's 2-D positions; from our own projection (positions within ~1e-17 m) to ~1 ulp
      expect(delaunayMedianDistance(c.pos2d)).toBe(c.median_distance);
      expect(Math.abs(geometry.distance! / c.median_distance - 1)).toBeLessThanOrEqual(1e-12);
      expect(geometry.extraPoints).toHaveLength(c.extra_points.length);
      expect(maxAbsDiff(geometry.extraPoints, c.extra_points)).toBeLessThanOrEqual(1e-12 * R);
      expect(maxAbsDiff(geometry.extent, c.extent)).toBeLessThanOrEqual(1e-12 * R);
    });

    it("qhull's simplices of the sensors (ordered vertex triples)", () => {
      const ids = qhullVertexIds(c.pos2d);
      expect(ids).not.toBeNull();
      if (!ids) return;
      const ours = tripleSet(qhullTriangles(c.pos2d, ids.ids, ids.tolerance));
      const theirs = tripleSet(c.simplices.flat());
      expect([...theirs].filter((k) => !ours.has(k))).toEqual([]);
      expect(ours.size).toBe(theirs.size);
    });

    it(`Clough–Tocher grid within ${GRID_TOL} of the colour range, NaN cells identical`, () => {
      const map = interpolate(geometry, c.values, 'cubic', 'mean');
      const { rel, nanMismatch } = gridError(map.grid, c);
      report.push(
        `  ${name}: grid max |ours − MNE| = ${rel.toExponential(2)} × range, NaN mismatches ${nanMismatch}`,
      );
      expect(map.grid).toHaveLength(c.grid.length);
      expect(nanMismatch).toBe(0);
      expect(rel).toBeLessThanOrEqual(GRID_TOL);
    });
  });
});

/**
 * extrapolate='box' (scipy's default `Delaunay(sensors + corners)`, options "Qbb Qc Qz Q12 Qt") and 'local' (MNE's
 * default for MEG: hull edges of the incremental Delaunay in scipy's order and direction, then `add_points`).
 */
describe.each(['box', 'local'] as const)(
  "extrapolate='%s' on co-circular layouts against MNE 1.3",
  (mode) => {
    describe.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
      const mne = c[mode];
      const geometry = computeGeometry({ locs3d: c.loc3d, chType: 'eeg', extrapolate: mode, res: c.res });
      const prepared = prepareInterpolation(geometry, 'cubic');
      const R = c.sphere[3];

      it("extra points in MNE's order, clip, and scipy's final simplices (ordered vertex triples)", () => {
        expect(geometry.extraPoints).toHaveLength(mne.extra_points.length);
        expect(maxAbsDiff(geometry.extraPoints, mne.extra_points)).toBeLessThanOrEqual(1e-12 * R);
        if (mode === 'local') {
          expect(geometry.clip.kind).toBe('polygon');
          const clip = geometry.clip.kind === 'polygon' ? geometry.clip.points : [];
          expect(clip).toHaveLength(mne.mask!.length);
          expect(maxAbsDiff(clip, mne.mask!)).toBeLessThanOrEqual(1e-12 * R);
        }
        if (prepared.interp === 'spline') throw new Error('unexpected spline');
        const ours = tripleSet(prepared.locator.tri.triangles);
        const theirs = tripleSet(mne.simplices.flat());
        expect(ours.size).toBe(mne.n_triangles);
        expect([...theirs].filter((k) => !ours.has(k))).toEqual([]);
      });

      it(`Clough–Tocher grid within ${GRID_TOL} of the colour range, NaN cells identical`, () => {
        const map = interpolate(geometry, c.values, 'cubic', 'mean', prepared);
        const { rel, nanMismatch } = gridError(map.grid, mne);
        report.push(
          `  ${name} (${mode}): grid ${rel.toExponential(2)} × range, NaN mismatches ${nanMismatch}`,
        );
        expect(map.grid).toHaveLength(mne.grid.length);
        expect(nanMismatch).toBe(0);
        expect(rel).toBeLessThanOrEqual(GRID_TOL);
      });
    });
  },
);

describeWithData('BrainVision recording with [Coordinates], read by our reader, against MNE 1.3', () => {
  const golden = JSON.parse(readFileSync(goldenPath('eeg', 'bv__test_coordinates.json'), 'utf8')) as {
    vhdr_text: string;
    vmrk_text: string;
  };
  const bvCases = fixture.cases.filter((c) => c.name.startsWith('recording:bv__test_coordinates:sample'));

  it.each(bvCases.map((c) => [c.name, c] as const))('%s: reader → positions → grid', async (name, c) => {
    const enc = new TextEncoder();
    const files = new Map<string, Uint8Array>([
      ['/r/test.vhdr', enc.encode(golden.vhdr_text)],
      ['/r/test.vmrk', enc.encode(golden.vmrk_text)],
      ['/r/test.eeg', new Uint8Array(readFileSync(testDataPath('brainvision', 'test.eeg')))],
    ]);
    const rec = await openBrainVision('/r/test.vhdr', memoryFs(files));
    try {
      const { channels, bads } = rec.info;
      const picks = channels
        .map((ch, i) => ({ ch, i }))
        .filter(({ ch }) => ch.type === 'eeg' && !bads.includes(ch.name))
        .map(({ i }) => i);
      expect(picks.map((i) => channels[i]!.name)).toEqual(c.ch_names);
      const sample = Number(name.slice(name.lastIndexOf('sample') + 6));
      const data = await rec.readWindow(picks, sample, sample + 1);
      const values = data.map((d) => d[0]! * 1e6);
      expect(maxAbsDiff(values, c.values)).toBeLessThanOrEqual(1e-9 * Math.max(...c.values.map(Math.abs)));
      const locs3d = picks.map((i) => channels[i]!.loc.slice(0, 3) as Vec3);
      // dig as the topomap service passes it (head frame, FIFF kind numbers)
      const kind = { cardinal: 1, hpi: 2, eeg: 3, extra: 4 } as const;
      const dig = rec.info.dig
        .filter((d) => d.coordFrame === 'head')
        .map((d) => ({ kind: kind[d.kind], r: d.r }));
      const geometry = computeGeometry({ locs3d, chType: 'eeg', dig, res: c.res });
      expect(maxAbsDiff(geometry.pos2d, c.pos2d)).toBeLessThanOrEqual(1e-12 * c.sphere[3]);
      const { rel, nanMismatch } = gridError(interpolate(geometry, values, 'cubic', 'mean').grid, c);
      report.push(
        `  ${name} (BrainVision reader): grid ${rel.toExponential(2)} × range, NaN mismatches ${nanMismatch}`,
      );
      expect(nanMismatch).toBe(0);
      expect(rel).toBeLessThanOrEqual(GRID_TOL);
    } finally {
      await rec.close();
    }
  });
});
