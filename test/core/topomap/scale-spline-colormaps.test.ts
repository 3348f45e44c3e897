/** MaxNLocator, _setup_vmin_vmax, spherical splines and colour maps against matplotlib 3.6 / MNE 1.3 tables. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { colorIndex, colormapLut, COLORMAP_NAMES, colorFor } from '../../../lib/core/topomap/colormaps';
import { colorScale, contourLevels, maxNLocatorTicks, setupVminVmax } from '../../../lib/core/topomap/scale';
import { applySpline, buildSplineInterpolator, calcG } from '../../../lib/core/topomap/spline';
import { pairGradSensors } from '../../../lib/core/topomap/channels';
import { projectRoot } from '../../helpers/testdata';
import { loadGolden, maxAbsDiff, type GoldenFile } from './golden-helpers';

interface Tables {
  max_n_locator: { vmin: number; vmax: number; contours: number; levels: number[] }[];
  setup_vmin_vmax: {
    data: number[];
    vmin: number | null;
    vmax: number | null;
    norm: boolean;
    out: [number, number];
  }[];
  calc_g: { x: number[]; g: number[] };
}
const tables = loadGolden<Tables>('tables');

describe('contour levels: matplotlib MaxNLocator(nbins = contours + 1).tick_values', () => {
  test.each(tables.max_n_locator.map((r) => [r.vmin, r.vmax, r.contours, r] as const))(
    '[%p, %p] with %p contours',
    (vmin, vmax, contours, row) => {
      const ours = contourLevels(vmin, vmax, contours);
      expect(ours).toHaveLength(row.levels.length);
      const scale = Math.max(Math.abs(vmin), Math.abs(vmax));
      expect(maxAbsDiff(ours, row.levels)).toBeLessThanOrEqual(1e-9 * scale);
    },
  );

  test('contours = 0 and flat data give no levels; min_n_ticks is honoured', () => {
    expect(contourLevels(-1, 1, 0)).toEqual([]);
    expect(contourLevels(3, 3, 6)).toEqual([]);
    expect(maxNLocatorTicks(-121.72, 121.72, 7)).toEqual([-160, -120, -80, -40, 0, 40, 80, 120, 160]);
  });
});

describe('_setup_vmin_vmax and the default colour map', () => {
  test.each(tables.setup_vmin_vmax.map((r) => [JSON.stringify(r.data), r.vmin, r.vmax, r.norm, r] as const))(
    'data %s vmin %p vmax %p norm %p',
    (_d, vmin, vmax, norm, row) => {
      const lim = setupVminVmax(row.data, vmin, vmax, norm);
      expect([lim.vmin, lim.vmax]).toEqual(row.out);
    },
  );

  test('Reds for non-negative data, RdBu_r otherwise', () => {
    expect(colorScale([0, 1, 2]).cmap).toBe('Reds');
    expect(colorScale([-1, 2]).cmap).toBe('RdBu_r');
    expect(colorScale([-1, 2], { contours: 0 }).contourLevels).toEqual([]);
  });
});

describe('spherical splines (MNE _calc_g, _make_interpolation_matrix)', () => {
  test('g check values from the notes', () => {
    expect(calcG(0.3)).toBeCloseTo(0.00435461, 8);
    expect(calcG(0.9)).toBeCloseTo(0.01366163, 8);
    expect(calcG(-0.5)).toBeCloseTo(-0.00748832, 8);
  });

  test('g over [-1, 1] matches numpy legval to 1e-12 relative', () => {
    const ours = tables.calc_g.x.map(calcG);
    const top = Math.max(...tables.calc_g.g.map(Math.abs));
    expect(maxAbsDiff(ours, tables.calc_g.g)).toBeLessThanOrEqual(1e-12 * top);
  });

  test('EEG spline grid (test-ave, 60 ch, res 32) matches MNE to 1e-9 of the data range', () => {
    const g = loadGolden<GoldenFile>('evoked_eeg_100ms');
    const spline = g.spline!;
    const keep = g.inputs.ch_names
      .map((_, i) => i)
      .filter((i) => !g.inputs.bads.includes(g.inputs.ch_names[i]!));
    const locs = keep.map((i) => g.inputs.loc3d[i]!);
    const s = buildSplineInterpolator(locs, g.sphere_head, spline.extent, spline.res, spline.alpha);
    const row0 = Array.from(s.matrix.subarray(0, s.nSensors));
    const mid = spline.matrix_row_mid_index;
    const rowMid = Array.from(s.matrix.subarray(mid * s.nSensors, (mid + 1) * s.nSensors));
    expect(maxAbsDiff(row0, spline.matrix_row0)).toBeLessThanOrEqual(1e-7);
    expect(maxAbsDiff(rowMid, spline.matrix_row_mid)).toBeLessThanOrEqual(1e-7);
    const grid = applySpline(s, g.data);
    const range = Math.max(...g.data) - Math.min(...g.data);
    const err = maxAbsDiff(Array.from(grid), spline.grid);
    console.log(`spline grid max error ${(err / range).toExponential(2)} × data range`);
    expect(err).toBeLessThanOrEqual(1e-9 * range);
  });
});

describe('colour maps', () => {
  const shared = resolve(projectRoot, '..', 'shared', 'reference', 'golden', 'colormaps.json');
  (existsSync(shared) ? test : test.skip)('RdBu_r and Reds equal the shared reference LUTs', () => {
    const ref = JSON.parse(readFileSync(shared, 'utf8')) as Record<string, { lut_rgb_uint8: number[][] }>;
    expect(colormapLut('RdBu_r')).toEqual(ref.RdBu_r!.lut_rgb_uint8);
    expect(colormapLut('Reds')).toEqual(ref.Reds!.lut_rgb_uint8);
  });

  test('every map has 256 RGB byte triples; known end points', () => {
    for (const name of COLORMAP_NAMES) {
      const lut = colormapLut(name);
      expect(lut).toHaveLength(256);
      expect(
        lut.every((c) => c.length === 3 && c.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)),
      ).toBe(true);
    }
    expect(colormapLut('viridis')[0]).toEqual([68, 1, 84]);
    expect(colormapLut('viridis')[255]).toEqual([253, 231, 37]);
  });

  test('colorIndex follows Normalize + Colormap(N=256)', () => {
    expect(colorIndex(-1, -1, 1)).toBe(0);
    expect(colorIndex(1, -1, 1)).toBe(255);
    expect(colorIndex(0, -1, 1)).toBe(128);
    expect(colorIndex(-0.0039, -1, 1)).toBe(127);
    expect(colorIndex(5, -1, 1)).toBe(255);
    expect(colorIndex(-5, -1, 1)).toBe(0);
    expect(colorIndex(NaN, -1, 1)).toBe(-1);
    expect(colorIndex(3, 3, 3)).toBe(0);
    expect(colorFor('RdBu_r', NaN, 0, 1)).toBeNull();
    expect(colorFor('RdBu_r', 0, 0, 1)).toEqual([5, 48, 97]);
  });
});

describe('Vectorview grad pairing', () => {
  test('complete pairs only, bads drop their pair, first-appearance order, merged names', () => {
    const names = ['MEG 0113', 'MEG 0112', 'MEG 0111', 'MEG 0122', 'MEG 0123', 'MEG 0132', 'EEG 001'];
    const pairs = pairGradSensors(
      names.map((name) => ({ name })),
      ['MEG 0123'],
    );
    expect(pairs.picks).toEqual([0, 1]);
    expect(pairs.names).toEqual(['MEG 011x']);
  });
});
