/** Loading and comparing the MNE 1.3 golden topomap fixtures (test/golden/topomap, made by make_topomap_golden.py). */
import { readFileSync } from 'node:fs';
import { goldenPath } from '../../helpers/testdata';
import type { Vec2, Vec3 } from '../../../lib/core/topomap/types';

export interface GoldenCase {
  extrapolate_option: 'auto' | 'head' | 'local' | 'box';
  extrapolate: 'head' | 'local' | 'box';
  border: 'mean' | number;
  res: number;
  interp: 'cubic' | 'linear' | 'nearest';
  extra_points: Vec2[];
  mask_pts: Vec2[] | null;
  n_triangles: number;
  extent: [number, number, number, number];
  clip_radius: Vec2;
  clip_origin: Vec2;
  mask_pos: Vec2[];
  head: Vec2[];
  nose: Vec2[];
  ear_left: Vec2[];
  ear_right: Vec2[];
  vmin: number;
  vmax: number;
  contour_levels: number[];
  grid: (number | null)[];
  n_nan: number;
}

export interface GoldenFile {
  source: string;
  ch_type: 'eeg' | 'mag' | 'grad';
  inputs: {
    ch_names: string[];
    loc3d: Vec3[];
    values: number[];
    bads: string[];
    dig: { kind: number; ident: number; frame: number; r: Vec3 }[];
    dev_head_t: number[][] | null;
  };
  sphere_head: [number, number, number, number];
  sphere: [number, number, number, number];
  clip_origin: Vec2;
  merge: boolean;
  median_distance: number;
  picked_names: string[];
  pos2d: Vec2[];
  data: number[];
  cases: GoldenCase[];
  spline?: {
    res: number;
    extent: [number, number, number, number];
    alpha: number;
    grid: number[];
    matrix_row0: number[];
    matrix_row_mid: number[];
    matrix_row_mid_index: number;
  };
  eeglab?: { ch_pos: Record<string, Vec3>; sphere: [number, number, number, number] };
  eeglab_no_fpz?: { ch_pos: Record<string, Vec3>; sphere: [number, number, number, number] };
}

export const GOLDEN_FILES = [
  'evoked_eeg_100ms',
  'evoked_eeg_50ms',
  'evoked_mag_100ms',
  'evoked_mag_50ms',
  'evoked_grad_100ms',
  'evoked_grad_50ms',
  'bdf_eeg',
  'ctf_mag',
] as const;

export const loadGolden = <T = GoldenFile>(name: string): T =>
  JSON.parse(readFileSync(goldenPath('topomap', `${name}.json`), 'utf8')) as T;

/** Largest |a − b| over paired number arrays (flattened); Infinity when shapes differ. */
export function maxAbsDiff(
  a: readonly (readonly number[] | number)[],
  b: readonly (readonly number[] | number)[],
): number {
  const fa = a.flat();
  const fb = b.flat();
  if (fa.length !== fb.length) return Infinity;
  return fa.reduce((m, v, i) => Math.max(m, Math.abs(v - fb[i]!)), 0);
}

/** Grid comparison: max |ours − MNE| over cells MNE defines, and cells where NaN-ness differs. */
export function compareGrid(
  ours: Float64Array,
  mne: readonly (number | null)[],
): { maxErr: number; nanMismatch: number } {
  let maxErr = 0;
  let nanMismatch = ours.length === mne.length ? 0 : Infinity;
  mne.forEach((v, i) => {
    const m = ours[i]!;
    if (v === null || Number.isNaN(m)) {
      if ((v === null) !== Number.isNaN(m)) nanMismatch++;
      return;
    }
    maxErr = Math.max(maxErr, Math.abs(m - v));
  });
  return { maxErr, nanMismatch };
}

/** Collected figures, printed once per test file so the achieved accuracy is visible in the test log. */
export const report: string[] = [];
