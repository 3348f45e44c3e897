/** Engine behaviour outside the golden recordings: sphere options, bad input, degenerate layouts, LRU. */
import { isApiError } from '../../../lib/core/errors';
import { defaultChannelType, mergeGradValues } from '../../../lib/core/topomap/channels';
import { getExtraPoints } from '../../../lib/core/topomap/extrapolate';
import {
  computeGeometry,
  createLru,
  interpolate,
  prepareInterpolation,
  preparedBytes,
} from '../../../lib/core/topomap/index';
import { projectPositions } from '../../../lib/core/topomap/projection';
import { checkSphere, DIG_KIND, eeglabSphere, fitSphere } from '../../../lib/core/topomap/sphere';
import type { Vec2, Vec3 } from '../../../lib/core/topomap/types';
import { loadGolden, maxAbsDiff, type GoldenFile } from './golden-helpers';

/** Points on a sphere (deterministic spiral) for synthetic fits. */
function spherePoints(c: Vec3, r: number, n: number): Vec3[] {
  return Array.from({ length: n }, (_, i) => {
    const z = 1 - (2 * (i + 0.5)) / n;
    const a = i * 2.399963;
    const s = Math.sqrt(1 - z * z);
    return [c[0] + r * s * Math.cos(a), c[1] + r * s * Math.sin(a), c[2] + r * Math.abs(z)] as Vec3;
  });
}

function expectApiError(fn: () => unknown, status: number, code?: string): void {
  try {
    fn();
  } catch (e) {
    expect(isApiError(e)).toBe(true);
    if (isApiError(e)) {
      expect(e.status).toBe(status);
      if (code) expect(e.code).toBe(code);
    }
    return;
  }
  throw new Error('expected an ApiError');
}

describe('sphere', () => {
  test('fitSphere recovers an exact sphere from an upper-hemisphere cap', () => {
    const s = fitSphere(spherePoints([0.003, -0.01, 0.04], 0.09, 60));
    expect(maxAbsDiff(s, [0.003, -0.01, 0.04, 0.09])).toBeLessThan(1e-12);
  });

  test('default: fit needs >= 4 extra points after dropping low frontal ones, else 0.095 m', () => {
    const pts = spherePoints([0, 0, 0.04], 0.09, 8).map((r) => ({ kind: DIG_KIND.extra, r }));
    expect(checkSphere(undefined, pts.slice(0, 3))).toEqual([0, 0, 0, 0.095]);
    const frontalLow = [0, 1, 2, 3].map((i) => ({
      kind: DIG_KIND.extra,
      r: [0.01 * i, 0.05, -0.01] as Vec3,
    }));
    expect(checkSphere(undefined, [...pts.slice(0, 3), ...frontalLow])).toEqual([0, 0, 0, 0.095]);
    expect(checkSphere(undefined, pts)[3]).toBeCloseTo(0.09, 10);
    expect(checkSphere(0.08)).toEqual([0, 0, 0, 0.08]);
  });

  test("'auto' falls back to extra + EEG points; errors without enough", () => {
    const pts = spherePoints([0, 0, 0.04], 0.09, 8);
    const dig = [
      ...pts.slice(0, 2).map((r) => ({ kind: DIG_KIND.extra, r })),
      ...pts.slice(2).map((r) => ({ kind: DIG_KIND.eeg, r })),
    ];
    expect(checkSphere('auto', dig)[3]).toBeCloseTo(0.09, 10);
    expectApiError(() => checkSphere('auto', dig.slice(0, 3)), 400);
  });

  test('collinear head-shape points (a corrupted digitisation) are the recording’s defect: 422, not 400', () => {
    // the default sphere fits the file's extra points: 8 of them on one line, as in a corrupted KIT FIF's dig
    const flat = Array.from({ length: 8 }, (_, i) => ({
      kind: DIG_KIND.extra,
      r: [0.01 * i, 0.02 * i, 0.04] as Vec3,
    }));
    expectApiError(() => checkSphere(undefined, flat), 422, 'unreadable_recording');
    expectApiError(() => checkSphere('auto', flat), 422, 'unreadable_recording');
    expectApiError(() => fitSphere(flat.map((p) => p.r)), 422, 'unreadable_recording');
  });

  test('coincident sensor positions are the recording’s defect: 422 degenerate_positions', () => {
    const same: Vec2[] = Array.from({ length: 6 }, () => [0.01, 0.02]);
    expectApiError(() => getExtraPoints(same, 'head', [0, 0], [0.1, 0.1]), 422, 'degenerate_positions');
  });

  test("'eeglab' matches MNE on test.bdf with standard_1005, with and without Fpz", () => {
    const g = loadGolden<GoldenFile>('bdf_eeg');
    expect(maxAbsDiff(eeglabSphere(g.eeglab!.ch_pos), g.eeglab!.sphere)).toBeLessThan(1e-15);
    expect(maxAbsDiff(eeglabSphere(g.eeglab_no_fpz!.ch_pos), g.eeglab_no_fpz!.sphere)).toBeLessThan(1e-15);
    expectApiError(() => eeglabSphere({ T7: [0.08, 0, 0] }), 400);
  });
});

describe('bad input', () => {
  const locs: Vec3[] = [
    [0.05, 0, 0.07],
    [-0.05, 0, 0.07],
    [0, 0.05, 0.07],
    [0, -0.05, 0.07],
    [0, 0, 0.09],
  ];

  test('duplicate positions are a 422 duplicate_positions naming the channels', () => {
    try {
      projectPositions([...locs, [0.05, 0, 0.07]], [0, 0, 0, 0.095], ['A', 'B', 'C', 'D', 'E', 'F']);
      throw new Error('no error');
    } catch (e) {
      expect(isApiError(e) && e.status === 422 && e.code === 'duplicate_positions').toBe(true);
      expect(isApiError(e) && e.message).toContain('A, F');
    }
  });

  test('non-finite locations become 0 (as MNE) and so collide when two are missing', () => {
    expect(projectPositions([[NaN, 0, 0.09], ...locs.slice(0, 2)], [0, 0, 0, 0.095])).toHaveLength(3);
    expectApiError(
      () => projectPositions([[NaN, NaN, NaN], [Infinity, 0, 0], ...locs], [0, 0, 0, 0.095]),
      422,
      'duplicate_positions',
    );
  });

  test('res, sensor count and value count are checked', () => {
    expectApiError(() => computeGeometry({ locs3d: locs, chType: 'eeg', res: 1 }), 400);
    expectApiError(() => computeGeometry({ locs3d: locs, chType: 'eeg', res: 100000 }), 400);
    expectApiError(() => computeGeometry({ locs3d: [], chType: 'eeg' }), 400);
    const geom = computeGeometry({ locs3d: locs, chType: 'eeg', res: 16 });
    expectApiError(() => interpolate(geom, [1, 2, 3]), 400);
  });
});

describe('degenerate layouts and methods', () => {
  test('collinear sensors use the sorted-axis spacing and line offsets (local), as MNE', () => {
    const pos: Vec2[] = [
      [0, 0],
      [0.02, 0],
      [0.04, 0],
      [0.07, 0],
    ];
    const ex = getExtraPoints(pos, 'local', [0, 0], [0.1, 0.1]);
    expect(ex.distance).toBeCloseTo(0.02, 15);
    expect(ex.points).toHaveLength(10);
    expect(ex.clip.kind).toBe('polygon');
    expect(ex.tri.triangles.length).toBeGreaterThan(0);
  });

  test('three sensors with head extrapolation still give a full grid inside the hull', () => {
    const locs: Vec3[] = [
      [0.05, 0, 0.07],
      [-0.05, 0.01, 0.07],
      [0, 0.05, 0.07],
    ];
    const geom = computeGeometry({ locs3d: locs, chType: 'eeg', res: 16 });
    const map = interpolate(geom, [1, 2, 3]);
    expect(map.grid.some(Number.isFinite)).toBe(true);
  });

  test('spline through computeGeometry/interpolate reproduces sensor values on the sphere approximately', () => {
    const g = loadGolden<GoldenFile>('evoked_eeg_100ms');
    const keep = g.inputs.ch_names
      .map((_, i) => i)
      .filter((i) => !g.inputs.bads.includes(g.inputs.ch_names[i]!));
    const locs = keep.map((i) => g.inputs.loc3d[i]!);
    const geom = computeGeometry({ locs3d: locs, chType: 'eeg', sphere: g.sphere_head, res: 32 });
    const map = interpolate(geom, g.data, 'spline');
    expect(map.grid.every(Number.isFinite)).toBe(true);
    const range = Math.max(...g.data) - Math.min(...g.data);
    expect(Math.max(...Array.from(map.grid, Math.abs))).toBeLessThan(2 * range);
  });
});

describe('LRU cache', () => {
  test('bounded, evicts least recently used, getOrCreate computes once', () => {
    const lru = createLru<number>(2);
    let made = 0;
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.size).toBe(2);
    expect(lru.getOrCreate('a', () => ++made)).toBe(1);
    expect(lru.getOrCreate('d', () => ++made)).toBe(1);
    expect(lru.getOrCreate('d', () => ++made)).toBe(1);
    expect(made).toBe(1);
    expect(() => createLru(0)).toThrow(RangeError);
  });

  test('LRU with a byte bound: oldest entries go past maxBytes, the newest always stays', () => {
    const evicted: string[] = [];
    const lru = createLru<Uint8Array>(10, (_, key) => evicted.push(key), {
      maxBytes: 100,
      bytesOf: (v) => v.byteLength,
    });
    lru.set('a', new Uint8Array(40));
    lru.set('b', new Uint8Array(40));
    expect(lru.bytes).toBe(80);
    lru.get('a'); // a is now the most recently used
    lru.set('c', new Uint8Array(40));
    expect(evicted).toEqual(['b']);
    expect(lru.bytes).toBe(80);
    lru.set('big', new Uint8Array(500));
    expect(evicted).toEqual(['b', 'a', 'c']);
    expect(lru.size).toBe(1);
    expect(lru.bytes).toBe(500);
    lru.set('big', new Uint8Array(10)); // replacing counts the new size only
    expect(lru.bytes).toBe(10);
    lru.clear();
    expect([lru.size, lru.bytes]).toEqual([0, 0]);
  });

  test('preparedBytes counts the grid plan (28 B per grid point and more) and the spline matrix', () => {
    const locs: Vec3[] = spherePoints([0, 0, 0], 0.09, 40).filter((p) => p[2] > 0.01);
    const bytes = (res: number, interp: 'cubic' | 'nearest' | 'spline'): number =>
      preparedBytes(prepareInterpolation(computeGeometry({ locs3d: locs, chType: 'eeg', res }), interp));
    expect(bytes(32, 'cubic')).toBeGreaterThanOrEqual(28 * 32 * 32);
    expect(bytes(64, 'cubic')).toBeGreaterThanOrEqual(28 * 64 * 64);
    expect(bytes(64, 'cubic')).toBeGreaterThan(bytes(32, 'cubic'));
    expect(bytes(64, 'nearest') - bytes(32, 'nearest')).toBe(4 * (64 * 64 - 32 * 32));
    expect(bytes(16, 'spline')).toBe(8 * 16 * 16 * locs.length);
  });

  test('a cached prepared interpolation gives the same grid as a fresh one', () => {
    const locs: Vec3[] = spherePoints([0, 0, 0], 0.09, 40).filter((p) => p[2] > 0.01);
    const geom = computeGeometry({ locs3d: locs, chType: 'eeg', res: 24 });
    const values = locs.map((p) => p[0] * 1e3 + p[1] * 500);
    const lru = createLru<ReturnType<typeof prepareInterpolation>>(4);
    const prepared = lru.getOrCreate('k', () => prepareInterpolation(geom, 'cubic'));
    expect(Array.from(interpolate(geom, values, 'cubic', 'mean', prepared).grid)).toEqual(
      Array.from(interpolate(geom, values, 'cubic', 'mean').grid),
    );
  });
});

describe('channel helpers and guards', () => {
  test('default channel type order is mag, grad, eeg; PSD merge is the mean', () => {
    expect(defaultChannelType(['eeg', 'grad', 'stim'])).toBe('grad');
    expect(defaultChannelType(['eeg', 'mag', 'grad'])).toBe('mag');
    expect(defaultChannelType(['stim'])).toBeNull();
    expect(mergeGradValues([3, 4, 1, 1], [0, 1, 2, 3], 'rms')).toEqual([Math.sqrt(12.5), 1]);
    expect(mergeGradValues([3, 4, 1, 1], [0, 1, 2, 3], 'mean')).toEqual([3.5, 1]);
  });

  test('a layout needing an unbounded number of extra points is refused (422), not allocated', () => {
    // two tight clusters far apart: the median spacing is tiny against the hull edges
    const pos: Vec2[] = [];
    for (let i = 0; i < 20; i++) pos.push([i * 1e-9, (i % 3) * 1e-9], [1 + i * 1e-9, (i % 3) * 1e-9]);
    expectApiError(() => getExtraPoints(pos, 'local', [0, 0], [1, 1]), 422, 'degenerate_positions');
    expectApiError(() => getExtraPoints(pos, 'head', [0, 0], [1, 1]), 422, 'degenerate_positions');
  });
});
