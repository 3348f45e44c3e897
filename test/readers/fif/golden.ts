/** Golden values written by scripts/golden/make_fif_golden.py (MNE-Python 1.3) and comparison helpers. */
import { readFileSync } from 'node:fs';
import { goldenPath } from '../../helpers/testdata';

export interface GoldenChannel {
  name: string;
  type: string;
  coil_type: number;
  unit: string;
  loc: (number | null)[];
  coord_frame: string;
  head_pos?: number[];
  head_ex?: number[];
  head_ey?: number[];
  head_ez?: number[];
}

export interface GoldenWindow {
  start: number;
  stop: number;
  condition?: number;
  data: number[][];
  data_proj?: number[][];
}

export interface GoldenFif {
  source: string;
  kind: 'raw' | 'evoked';
  sfreq: number;
  nchan: number;
  n_times: number;
  first_samp?: number;
  first?: number;
  tmin?: number;
  buffer_bounds?: number[];
  buffer_is_skip?: boolean[];
  conditions?: { comment: string; nave: number }[];
  channels: GoldenChannel[];
  bads: string[];
  dev_head_t: number[][] | null;
  dig: { kind: string; ident: number; r: number[]; coord_frame: string }[];
  fiducials: { lpa: number[] | null; nasion: number[] | null; rpa: number[] | null };
  projectors: { desc: string; kind: number; active: boolean; ch_names: string[]; vectors: number[][] }[];
  compensation_grade: number | null;
  picks: number[];
  windows: GoldenWindow[];
  /** raw.annotations as [onset − first_time, duration, description]. */
  annotations?: [number, number, string][];
}

export function loadGolden(name: string): GoldenFif {
  return JSON.parse(readFileSync(goldenPath('fif', `${name}.json`), 'utf8')) as GoldenFif;
}

/** Largest |a − b| over two equal-length vectors (NaN in `a` must meet null/NaN in `b`). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number | null>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i];
    if (y === null || y === undefined || Number.isNaN(y)) {
      if (!Number.isNaN(x)) return Infinity;
      continue;
    }
    worst = Math.max(worst, Math.abs(x - y));
  }
  return worst;
}

/**
 * Worst error of `actual` against `expected` in units of the tolerance: |a − e| / max(1e-6·|e|, 1e-6·range),
 * range being the channel's peak-to-peak over the golden windows. ≤ 1 means within float32 precision.
 */
export function worstToleranceRatio(
  actual: ArrayLike<number>,
  expected: readonly number[],
  range: number,
): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const tol = Math.max(1e-6 * Math.abs(e), 1e-6 * range, Number.MIN_VALUE);
    worst = Math.max(worst, Math.abs((actual[i] as number) - e) / tol);
  }
  return actual.length === expected.length ? worst : Infinity;
}

/** Peak-to-peak of each pick over all golden windows. */
export function channelRanges(
  windows: readonly GoldenWindow[],
  key: 'data' | 'data_proj' = 'data',
): number[] {
  const n = windows[0]?.[key]?.length ?? 0;
  return Array.from({ length: n }, (_, k) => {
    const values = windows.flatMap((w) => w[key]?.[k] ?? []);
    return Math.max(...values) - Math.min(...values);
  });
}

/** Head-frame position and orientation of an MEG loc through a 4x4 device→head transform. */
export function megToHead(
  loc: readonly number[],
  t: readonly number[][],
): { pos: number[]; ex: number[]; ey: number[]; ez: number[] } {
  const rot = (v: readonly number[]): number[] =>
    [0, 1, 2].map((r) => [0, 1, 2].reduce((s, c) => s + (t[r]?.[c] ?? NaN) * (v[c] ?? NaN), 0));
  const r0 = loc.slice(0, 3);
  const pos = rot(r0).map((x, r) => x + (t[r]?.[3] ?? NaN));
  return { pos, ex: rot(loc.slice(3, 6)), ey: rot(loc.slice(6, 9)), ez: rot(loc.slice(9, 12)) };
}
