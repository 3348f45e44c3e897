/**
 * Colour limits and contour levels: MNE 1.3 `_setup_vmin_vmax` and `_set_contour_locator`, the latter through an
 * exact port of matplotlib 3.6's `MaxNLocator(nbins).tick_values` (steps 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10).
 */
import type { ColorScale } from './types';

export interface VLim {
  vmin: number;
  vmax: number;
}

const maxOf = (d: ArrayLike<number>): number => {
  let m = -Infinity;
  for (let i = 0; i < d.length; i++) m = Math.max(m, d[i]!);
  return m;
};
const minOf = (d: ArrayLike<number>): number => {
  let m = Infinity;
  for (let i = 0; i < d.length; i++) m = Math.min(m, d[i]!);
  return m;
};

/**
 * `_setup_vmin_vmax(data, vmin, vmax, norm)`: with no limits, ±max|data| (or 0..max|data| when `norm`); with one
 * limit given, the other is 0 (vmin, when norm) or the data's min / max.
 */
export function setupVminVmax(
  data: ArrayLike<number>,
  vmin?: number | null,
  vmax?: number | null,
  norm = false,
): VLim {
  if ((vmin === undefined || vmin === null) && (vmax === undefined || vmax === null)) {
    const top = Math.max(Math.abs(maxOf(data)), Math.abs(minOf(data)));
    return { vmin: norm ? 0 : -top, vmax: top };
  }
  return {
    vmin: vmin ?? (norm ? 0 : minOf(data)),
    vmax: vmax ?? maxOf(data),
  };
}

/** MNE's default colormap: 'Reds' for non-negative (norm) data, else 'RdBu_r'. */
export const defaultColormap = (norm: boolean): string => (norm ? 'Reds' : 'RdBu_r');

/** Python's float divmod (floor division with the remainder taking the divisor's sign). */
function pyDivmod(x: number, y: number): [number, number] {
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

/** 10**k for integer k, correctly rounded (as C's pow). */
const pow10 = (k: number): number => Number.parseFloat(`1e${k}`);

/** matplotlib.transforms.nonsingular(vmin, vmax, expander=1e-13, tiny=1e-14). */
function nonsingular(vmin: number, vmax: number): [number, number] {
  const expander = 1e-13;
  const tiny = 1e-14;
  if (!Number.isFinite(vmin) || !Number.isFinite(vmax)) return [-expander, expander];
  let [lo, hi] = vmax < vmin ? [vmax, vmin] : [vmin, vmax];
  const maxAbs = Math.max(Math.abs(lo), Math.abs(hi));
  if (maxAbs < (1e6 / tiny) * 2.2250738585072014e-308) return [-expander, expander];
  if (hi - lo <= maxAbs * tiny) {
    if (hi === 0 && lo === 0) return [-expander, expander];
    lo -= expander * Math.abs(lo);
    hi += expander * Math.abs(hi);
  }
  return [lo, hi];
}

function scaleRange(vmin: number, vmax: number, n: number): [number, number] {
  const dv = Math.abs(vmax - vmin);
  const meanv = (vmax + vmin) / 2;
  const offset =
    Math.abs(meanv) / dv < 100 ? 0 : Math.sign(meanv) * pow10(Math.floor(Math.log10(Math.abs(meanv))));
  return [pow10(Math.floor(Math.log10(dv / n))), offset];
}

/** matplotlib `_Edge_integer.closeto`. */
function closeTo(ms: number, edge: number, step: number, offset: number): boolean {
  let tol = 1e-10;
  if (offset > 0) tol = Math.min(0.4999, Math.max(1e-10, 10 ** (Math.log10(offset / step) - 12)));
  return Math.abs(ms - edge) < tol;
}

const BASE_STEPS = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
const EXTENDED_STEPS = [...BASE_STEPS.slice(0, -1).map((s) => 0.1 * s), ...BASE_STEPS, 10 * BASE_STEPS[1]!];

/** `MaxNLocator(nbins=nbins, min_n_ticks=minNTicks).tick_values(vmin, vmax)` (matplotlib 3.6, autolimit 'data'). */
export function maxNLocatorTicks(vmin0: number, vmax0: number, nbins: number, minNTicks = 2): number[] {
  const [vmin, vmax] = nonsingular(vmin0, vmax0);
  const [scale, offset] = scaleRange(vmin, vmax, nbins);
  const lo = vmin - offset;
  const hi = vmax - offset;
  const rawStep = (hi - lo) / nbins;
  const steps = EXTENDED_STEPS.map((s) => s * scale);
  let istep = steps.findIndex((s) => s >= rawStep);
  if (istep < 0) istep = steps.length - 1;
  const absOffset = Math.abs(offset);
  let ticks: number[] = [];
  for (let i = istep; i >= 0; i--) {
    const step = steps[i]!;
    const bestVmin = pyDivmod(lo, step)[0] * step;
    const [dl, ml] = pyDivmod(lo - bestVmin, step);
    const low = closeTo(ml / step, 1, step, absOffset) ? dl + 1 : dl;
    const [dh, mh] = pyDivmod(hi - bestVmin, step);
    const high = closeTo(mh / step, 0, step, absOffset) ? dh : dh + 1;
    const count = Math.min(Math.max(0, Math.ceil(high + 1 - low)), 10000);
    ticks = Array.from({ length: count }, (_, k) => (low + k) * step + bestVmin);
    const shown = ticks.filter((t) => t <= hi && t >= lo).length;
    if (shown >= minNTicks) break;
  }
  return ticks.map((t) => t + offset);
}

/** `_set_contour_locator(vmin, vmax, contours)`: MaxNLocator(nbins = contours + 1); none for 0 or flat data. */
export function contourLevels(vmin: number, vmax: number, contours: number): number[] {
  if (!(contours > 0) || !(vmax > vmin)) return [];
  return maxNLocatorTicks(vmin, vmax, Math.floor(contours) + 1);
}

/** The colour scale MNE's `plot_topomap` uses for `data`. */
export function colorScale(
  data: ArrayLike<number>,
  opts: { vmin?: number | null; vmax?: number | null; norm?: boolean; contours?: number; cmap?: string } = {},
): ColorScale {
  const norm = opts.norm ?? minOf(data) >= 0;
  const lim = setupVminVmax(data, opts.vmin, opts.vmax, norm);
  return {
    ...lim,
    cmap: opts.cmap ?? defaultColormap(norm),
    contourLevels: contourLevels(lim.vmin, lim.vmax, opts.contours ?? 6),
  };
}
