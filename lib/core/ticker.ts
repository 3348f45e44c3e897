/**
 * The pieces of matplotlib 3.6's ticker.py that both the contour levels (MNE's `_set_contour_locator`) and the
 * colour bar's ticks rest on, ported exactly: Python's float divmod, `transforms.nonsingular`, `scale_range`,
 * `_Edge_integer.closeto` and `MaxNLocator.tick_values` (its `_staircase` of steps, autolimit 'data').
 */

/** 10^k for an integer k, correctly rounded (as C's pow gives for exact powers of ten). */
export const pow10 = (k: number): number => Number(`1e${k}`);

/** Python's float divmod (floor division with the remainder taking the divisor's sign, signed zeros kept). */
export function pyDivmod(x: number, y: number): [number, number] {
  let mod = x % y;
  let div = (x - mod) / y;
  if (mod !== 0) {
    if (y < 0 !== mod < 0) {
      mod += y;
      div -= 1;
    }
  } else {
    mod = y < 0 ? -0 : 0;
  }
  let floordiv: number;
  if (div !== 0) {
    floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1;
  } else {
    floordiv = x / y < 0 ? -0 : 0;
  }
  return [floordiv, mod];
}

/** `transforms.nonsingular(vmin, vmax, expander, tiny)`: widens an empty or vanishing range, keeping its order. */
export function nonsingular(vmin: number, vmax: number, expander = 1e-13, tiny = 1e-14): [number, number] {
  if (!Number.isFinite(vmin) || !Number.isFinite(vmax)) return [-expander, expander];
  let lo = Math.min(vmin, vmax);
  let hi = Math.max(vmin, vmax);
  const maxAbs = Math.max(Math.abs(lo), Math.abs(hi));
  if (maxAbs < (1e6 / tiny) * 2.2250738585072014e-308) return [-expander, expander];
  if (hi - lo <= maxAbs * tiny) {
    if (hi === 0 && lo === 0) return [-expander, expander];
    lo -= expander * Math.abs(lo);
    hi += expander * Math.abs(hi);
  }
  return vmin <= vmax ? [lo, hi] : [hi, lo];
}

/** `scale_range(vmin, vmax, n)`: the power of ten of one bin, and an offset when the range is far from 0. */
function scaleRange(vmin: number, vmax: number, n: number): [number, number] {
  const dv = Math.abs(vmax - vmin);
  const meanv = (vmax + vmin) / 2;
  const offset =
    Math.abs(meanv) / dv < 100 ? 0 : Math.sign(meanv) * pow10(Math.floor(Math.log10(Math.abs(meanv))));
  return [pow10(Math.floor(Math.log10(dv / n))), offset];
}

/** `_Edge_integer.closeto`: more slop when the offset is large against the step. */
function closeTo(ms: number, edge: number, step: number, offset: number): boolean {
  const tol = offset > 0 ? Math.min(0.4999, Math.max(1e-10, 10 ** (Math.log10(offset / step) - 12))) : 1e-10;
  return Math.abs(ms - edge) < tol;
}

/** MaxNLocator's default steps; AutoLocator (colour bars, axes) uses [1, 2, 2.5, 5, 10]. */
export const DEFAULT_STEPS: readonly number[] = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** `MaxNLocator._staircase`: the steps a decade down and one beyond. */
const staircase = (steps: readonly number[]): number[] => [
  ...steps.slice(0, -1).map((s) => 0.1 * s),
  ...steps,
  10 * (steps[1] ?? 1),
];

/** Ticks one candidate step lays over [lo, hi] (the one just beyond each end included), at most 10 000. */
function ticksOfStep(lo: number, hi: number, step: number, absOffset: number): number[] {
  const bestVmin = pyDivmod(lo, step)[0] * step;
  const [dl, ml] = pyDivmod(lo - bestVmin, step);
  const low = closeTo(ml / step, 1, step, absOffset) ? dl + 1 : dl;
  const [dh, mh] = pyDivmod(hi - bestVmin, step);
  const high = closeTo(mh / step, 0, step, absOffset) ? dh : dh + 1;
  const count = Math.min(Math.max(0, Math.ceil(high + 1 - low)), 10000);
  return Array.from({ length: count }, (_, k) => (low + k) * step + bestVmin);
}

/**
 * `MaxNLocator(nbins, steps, min_n_ticks).tick_values(vmin, vmax)`: every tick of the largest step that still
 * puts `minNTicks` inside the range, including the one just beyond each end (a formatter sees those too).
 */
export function maxNLocatorTicks(
  vmin0: number,
  vmax0: number,
  nbins: number,
  options: { steps?: readonly number[]; minNTicks?: number } = {},
): number[] {
  const { steps: base = DEFAULT_STEPS, minNTicks = 2 } = options;
  const [vmin, vmax] = nonsingular(vmin0, vmax0);
  const [scale, offset] = scaleRange(vmin, vmax, nbins);
  const lo = vmin - offset;
  const hi = vmax - offset;
  const rawStep = (hi - lo) / nbins;
  const steps = staircase(base).map((s) => s * scale);
  let istep = steps.findIndex((s) => s >= rawStep);
  if (istep < 0) istep = steps.length - 1;
  let ticks: number[] = [];
  for (let i = istep; i >= 0; i--) {
    ticks = ticksOfStep(lo, hi, steps[i]!, Math.abs(offset));
    if (ticks.filter((t) => t <= hi && t >= lo).length >= minNTicks) break;
  }
  return ticks.map((t) => t + offset);
}
