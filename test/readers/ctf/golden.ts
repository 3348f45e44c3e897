/** Loads the MNE-generated CTF golden files (scripts/golden/make_ctf_golden.py). */
import { readFileSync } from 'node:fs';
import { goldenPath } from '../../helpers/testdata';

export interface GoldenChannel {
  name: string;
  type: string;
  kind: number;
  coil_type: number;
  coil_type_raw: number;
  unit: number;
  cal: number;
  coord_frame: number;
  /** NaN stored as null. */
  loc: (number | null)[];
  head_pos: (number | null)[];
  head_ori: number[] | null;
}

export interface GoldenRecording {
  sfreq: number;
  n_times: number;
  first_samp: number;
  compensation_grade: number;
  bads: string[];
  dev_head_t: number[][];
  ctf_head_t: number[][];
  channels: GoldenChannel[];
  dig: { kind: string; ident: number; r: number[]; coord_frame: string }[];
  picks: number[];
  pick_names: string[];
  windows: { start: number; stop: number; data: number[][] }[];
  annotations: unknown[];
}

export const loadGolden = (file: 'ds.json' | 'ds_raw_fif.json'): GoldenRecording =>
  JSON.parse(readFileSync(goldenPath('ctf', file), 'utf8')) as GoldenRecording;

export const DS_PATH_PARTS = ['ctf', 'testdata_ctf_short_discontinuous.ds'] as const;

/** FIFF unit codes as the golden stores them. */
export const UNIT_NAMES: Record<number, string> = { 107: 'V', 112: 'T', 201: 'T/m' };

/** |a - b| <= rtol·|b| + atol, element-wise, with a readable failure. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number | null>,
  rtol: number,
  atol: number,
  what: string,
): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] ?? Number.NaN;
    const a = actual[i] ?? Number.NaN;
    if (Number.isNaN(e)) {
      if (!Number.isNaN(a)) throw new Error(`${what}[${i}]: expected NaN, got ${a}`);
      continue;
    }
    if (!(Math.abs(a - e) <= rtol * Math.abs(e) + atol))
      throw new Error(`${what}[${i}]: expected ${e}, got ${a}`);
  }
}
