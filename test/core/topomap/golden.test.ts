/**
 * The engine against MNE 1.3 on real recordings (test-ave.fif.gz EEG/mag/grad, test.bdf with standard_1005,
 * test_ctf_comp_raw.fif CTF mag): every intermediate value and the interpolated grids, from golden JSON only.
 */
import { pairGradSensors, mergeGradValues } from '../../../lib/core/topomap/channels';
import { makeLocator, interpolateGrid } from '../../../lib/core/topomap/clough-tocher';
import {
  delaunayMedianDistance,
  extraPointValues,
  getExtraPoints,
  resolveExtrapolate,
} from '../../../lib/core/topomap/extrapolate';
import { gridAxes, gridExtent } from '../../../lib/core/topomap/grid';
import { computeGeometry, interpolate } from '../../../lib/core/topomap/index';
import { nearestGrid } from '../../../lib/core/topomap/nearest';
import { makeHeadOutlines } from '../../../lib/core/topomap/outlines';
import { adjustMegSphere, projectPositions } from '../../../lib/core/topomap/projection';
import { contourLevels, setupVminVmax } from '../../../lib/core/topomap/scale';
import { checkSphere } from '../../../lib/core/topomap/sphere';
import type { Vec2, Vec3 } from '../../../lib/core/topomap/types';
import { compareGrid, GOLDEN_FILES, loadGolden, maxAbsDiff, report, type GoldenFile } from './golden-helpers';

const REL = 1e-9;
const GRID_REL = 1e-12; // measured ≤ 4e-14 × range with our own (qhull-order) median spacing

/** The channels MNE picks from the golden inputs (bads excluded; grads paired) and their values. */
function pick(g: GoldenFile): { names: string[]; locs: Vec3[]; values: number[] } {
  const { ch_names: names, loc3d, values, bads } = g.inputs;
  if (g.ch_type === 'grad') {
    const pairs = pairGradSensors(
      names.map((name) => ({ name })),
      bads,
    );
    return {
      names: pairs.picks.map((i) => names[i]!),
      locs: pairs.picks.filter((_, k) => k % 2 === 0).map((i) => loc3d[i]!),
      values: mergeGradValues(values, pairs.picks, 'rms'),
    };
  }
  const keep = names.map((_, i) => i).filter((i) => !bads.includes(names[i]!));
  return {
    names: keep.map((i) => names[i]!),
    locs: keep.map((i) => loc3d[i]!),
    values: keep.map((i) => values[i]!),
  };
}

afterAll(() => console.log(`topomap golden figures:\n${report.join('\n')}`));

describe.each(GOLDEN_FILES)('%s against MNE 1.3', (name) => {
  const g = loadGolden(name);
  const picked = pick(g);
  const R = g.sphere[3];
  const dataRange = Math.max(...g.data.map(Math.abs));

  test('channel selection, grad pairing and RMS merge', () => {
    expect(picked.names).toEqual(g.picked_names);
    expect(maxAbsDiff(picked.values, g.data)).toBeLessThanOrEqual(1e-12 * dataRange);
  });

  test('default sphere: fitted to extra head-shape points (COBYLA tolerance) or 0.095 m', () => {
    const dig = g.inputs.dig.map((d) => ({ kind: d.kind, r: d.r }));
    const ours = checkSphere(undefined, dig);
    const err = maxAbsDiff(ours, g.sphere_head);
    report.push(
      `${name}: sphere fit |ours − MNE| = ${err.toExponential(2)} m (R = ${g.sphere_head[3].toFixed(5)})`,
    );
    // MNE's COBYLA stops at rhoend = R0·1e-6; the exact optimum lies within ~1e-6·R of its answer
    expect(err).toBeLessThanOrEqual(2e-6 * g.sphere_head[3]);
  });

  test('sphere in the map frame (MEG: device frame, z = 0) and 2-D positions, 1e-9 relative', () => {
    const { sphere, clipOrigin } = adjustMegSphere(g.sphere_head, g.ch_type, g.inputs.dev_head_t);
    expect(maxAbsDiff(sphere, g.sphere)).toBeLessThanOrEqual(REL * R);
    expect(maxAbsDiff(clipOrigin, g.clip_origin)).toBeLessThanOrEqual(REL * R);
    const pos = projectPositions(picked.locs, g.sphere);
    const err = maxAbsDiff(pos, g.pos2d);
    report.push(`${name}: positions max error ${err.toExponential(2)} m`);
    expect(err).toBeLessThanOrEqual(REL * R);
  });

  test("median sensor spacing from MNE's 2-D positions is bit-identical to MNE's", () => {
    expect(delaunayMedianDistance(g.pos2d)).toBe(g.median_distance);
  });

  describe.each(
    g.cases.map((c, i) => [`${c.extrapolate_option}/${c.border}/${c.res}/${c.interp}`, i] as const),
  )('case %s', (label, index) => {
    const c = g.cases[index]!;
    const pos = g.pos2d;
    const outlines = makeHeadOutlines(g.sphere, pos, g.clip_origin);
    const mode = resolveExtrapolate(c.extrapolate_option, g.ch_type);
    // our own median spacing (qhull's vertex order reproduced, see qhull-order.ts), not MNE's value
    const extra = getExtraPoints(pos, mode, outlines.clipOrigin, outlines.clipRadius);

    test('outlines, clip, extent (1e-9 relative)', () => {
      expect(mode).toBe(c.extrapolate);
      expect(maxAbsDiff(outlines.head, c.head)).toBeLessThanOrEqual(REL * R);
      expect(maxAbsDiff(outlines.nose, c.nose)).toBeLessThanOrEqual(REL * R);
      expect(maxAbsDiff(outlines.earLeft, c.ear_left)).toBeLessThanOrEqual(REL * R);
      expect(maxAbsDiff(outlines.earRight, c.ear_right)).toBeLessThanOrEqual(REL * R);
      expect(maxAbsDiff(outlines.mask, c.mask_pos)).toBeLessThanOrEqual(REL * R);
      expect(maxAbsDiff(outlines.clipRadius, c.clip_radius)).toBeLessThanOrEqual(REL * R);
      expect(maxAbsDiff(gridExtent(outlines), c.extent)).toBeLessThanOrEqual(REL * R);
    });

    test('extra points, clip polygon and triangulation', () => {
      expect(maxAbsDiff(extra.points, c.extra_points)).toBeLessThanOrEqual(REL * R);
      if (c.mask_pts) {
        expect(extra.clip.kind).toBe('polygon');
        expect(
          extra.clip.kind === 'polygon' && maxAbsDiff(extra.clip.points, c.mask_pts),
        ).toBeLessThanOrEqual(REL * R);
      } else {
        expect(extra.clip).toEqual({
          kind: 'ellipse',
          center: outlines.clipOrigin,
          radii: outlines.clipRadius,
        });
      }
      expect(extra.tri.triangles.length / 3).toBe(c.n_triangles);
    });

    test('vmin/vmax and contour levels (1e-9 relative)', () => {
      const lim = setupVminVmax(g.data, null, null, g.merge);
      const scale = Math.max(Math.abs(c.vmin), Math.abs(c.vmax));
      expect(Math.abs(lim.vmin - c.vmin)).toBeLessThanOrEqual(REL * scale);
      expect(Math.abs(lim.vmax - c.vmax)).toBeLessThanOrEqual(REL * scale);
      expect(maxAbsDiff(contourLevels(lim.vmin, lim.vmax, 6), c.contour_levels)).toBeLessThanOrEqual(
        REL * scale,
      );
    });

    test(`${c.interp} grid within ${GRID_REL} × (vmax − vmin), NaN exactly where MNE has NaN`, () => {
      const values = [...g.data, ...extraPointValues(extra, pos.length, g.data, c.border)];
      const { xs, ys } = gridAxes(c.extent, c.res);
      const grid =
        c.interp === 'nearest'
          ? nearestGrid(extra.tri.points, values, xs, ys)
          : interpolateGrid(makeLocator(extra.tri), values, xs, ys, c.interp);
      const { maxErr, nanMismatch } = compareGrid(grid, c.grid);
      const rel = maxErr / (c.vmax - c.vmin);
      report.push(
        `${name} ${label}: grid max error ${rel.toExponential(2)} × range, NaN mismatches ${nanMismatch} (MNE NaN ${c.n_nan})`,
      );
      expect(nanMismatch).toBe(0);
      expect(rel).toBeLessThanOrEqual(GRID_REL);
    });
  });

  test('end to end from raw inputs (own sphere fit, own median spacing): grids within 1e-5 × range', () => {
    const c = g.cases[0]!;
    const geometry = computeGeometry({
      locs3d: picked.locs,
      chType: g.ch_type,
      dig: g.inputs.dig.map((d) => ({ kind: d.kind, r: d.r })),
      devHeadT: g.inputs.dev_head_t,
      extrapolate: c.extrapolate_option,
      res: c.res,
    });
    const map = interpolate(geometry, picked.values, c.interp === 'nearest' ? 'cubic' : c.interp, c.border);
    const posErr = maxAbsDiff(geometry.pos2d as Vec2[], g.pos2d);
    const distErr = Math.abs((geometry.distance ?? NaN) / g.median_distance - 1);
    const { maxErr, nanMismatch } = compareGrid(map.grid, c.grid);
    const gridErr = maxErr / (c.vmax - c.vmin);
    report.push(
      `${name} end-to-end ${c.extrapolate}: positions ${posErr.toExponential(2)} m, median spacing off by ` +
        `${distErr.toExponential(2)} (relative), extra points ${geometry.extraPoints.length} vs ${c.extra_points.length}, ` +
        `grid max error ${gridErr.toExponential(2)} × range, NaN mismatches ${nanMismatch}`,
    );
    // positions differ only through the fitted head sphere (MNE's COBYLA tolerance, ~1e-7 m on the FIF files)
    expect(posErr).toBeLessThanOrEqual(1e-5 * R);
    expect(distErr).toBeLessThanOrEqual(1e-5);
    expect(geometry.extraPoints.length).toBe(c.extra_points.length);
    expect(nanMismatch).toBe(0);
    expect(gridErr).toBeLessThanOrEqual(1e-5);
  });
});
