/** Typed access to the MNE 1.3 golden values in test/golden/dsp (written by scripts/golden/make_dsp_golden.py). */
import { readFileSync } from 'node:fs';
import { goldenPath } from '../../helpers/testdata';

export const readGolden = <T>(name: string): T =>
  JSON.parse(readFileSync(goldenPath('dsp', name), 'utf8')) as T;

export const f64 = (values: number[]): Float64Array => Float64Array.from(values);

/** Largest |a − b| over two equally long sequences (Infinity when lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

export function range(values: ArrayLike<number>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i] as number);
    hi = Math.max(hi, values[i] as number);
  }
  return hi - lo;
}

export const maxAbs = (values: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i] as number));
  return m;
};
