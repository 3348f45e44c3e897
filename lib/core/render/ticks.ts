/**
 * Colour-bar ticks as matplotlib 3.6 places and labels them on a colour bar's long axis: `AutoLocator`
 * (`MaxNLocator(nbins='auto', steps=[1, 2, 2.5, 5, 10])`) and `ScalarFormatter` (as many decimals as the ticks
 * need, so two labels are never equal; an offset and/or power of ten shown once, above the bar). Ported from
 * matplotlib's ticker.py (`scale_range`, `_Edge_integer`, `MaxNLocator._raw_ticks`, `ScalarFormatter`); golden
 * labels from matplotlib itself: scripts/golden/make_colorbar_ticks_golden.py. The locator is lib/core/ticker.ts.
 */
import { maxNLocatorTicks, nonsingular, pow10, pyDivmod } from '../ticker';

/** matplotlib's default `axes.formatter.limits`: scientific notation outside 10^-5 … 10^6. */
const POWER_LIMITS: [number, number] = [-5, 6];
/** `axes.formatter.offset_threshold`: an offset is used when it saves at least this many digits. */
const OFFSET_THRESHOLD = 4;
/** AutoLocator's steps. */
const AUTO_STEPS = [1, 2, 2.5, 5, 10];
/** U+2212, matplotlib's `axes.unicode_minus`. */
export const MINUS = '\u2212';

/** numpy's `round(x, decimals)`: `rint(x · 10^d) / 10^d`, ties to even. */
function npRound(x: number, decimals: number): number {
  const p = pow10(decimals);
  const y = x * p;
  let r = Math.round(y);
  if (Math.abs(y % 1) === 0.5 && r % 2 !== 0) r -= 1;
  return r / p;
}

/** `ScalarFormatter._compute_offset`: a common leading part of the visible ticks, when it saves digits. */
function computeOffset(visible: readonly number[]): number {
  if (visible.length === 0) return 0;
  const lmin = Math.min(...visible);
  const lmax = Math.max(...visible);
  if (lmin === lmax || (lmin <= 0 && lmax >= 0)) return 0;
  const [absMin, absMax] = [Math.abs(lmin), Math.abs(lmax)].sort((a, b) => a - b) as [number, number];
  const sign = lmin < 0 ? -1 : 1;
  const oomMax = Math.ceil(Math.log10(absMax));
  let oom = oomMax;
  while (pyDivmod(absMin, pow10(oom))[0] === pyDivmod(absMax, pow10(oom))[0]) oom--;
  oom += 1;
  if ((absMax - absMin) / pow10(oom) <= 1e-2) {
    oom = oomMax;
    while (!(absMax - absMin > pow10(oom))) oom--;
    oom += 1;
  }
  const lead = pyDivmod(absMax, pow10(oom))[0];
  return lead >= pow10(OFFSET_THRESHOLD - 1) ? sign * lead * pow10(oom) : 0;
}

/** `ScalarFormatter._set_order_of_magnitude`: the power of ten factored out, outside the power limits. */
function orderOfMagnitude(visible: readonly number[], offset: number, vmin: number, vmax: number): number {
  if (visible.length === 0) return 0;
  let oom: number;
  if (offset) oom = Math.floor(Math.log10(vmax - vmin));
  else {
    const val = Math.max(...visible.map(Math.abs));
    oom = val === 0 ? 0 : Math.floor(Math.log10(val));
  }
  return oom <= POWER_LIMITS[0] || oom >= POWER_LIMITS[1] ? oom : 0;
}

/** `ScalarFormatter._set_format`: the fewest decimals that still tell every tick apart. */
function decimalsFor(locs: readonly number[]): number {
  let range = Math.max(...locs) - Math.min(...locs);
  if (range === 0) range = Math.max(...locs.map(Math.abs));
  if (range === 0) range = 1;
  const rangeOom = Math.floor(Math.log10(range));
  let sigfigs = Math.max(0, 3 - rangeOom);
  const thresh = 1e-3 * pow10(rangeOom);
  while (sigfigs >= 0) {
    const s = sigfigs;
    if (Math.max(...locs.map((l) => Math.abs(l - npRound(l, s)))) < thresh) sigfigs -= 1;
    else break;
  }
  return sigfigs + 1;
}

/** matplotlib's `ScalarFormatter.format_data` for the offset: `1e3`, `-2.5e6`, … */
function formatData(value: number): string {
  const e = Math.floor(Math.log10(Math.abs(value)));
  const s = npRound(value / pow10(e), 10);
  const significand = s % 1 === 0 ? s.toFixed(0) : s.toFixed(10);
  return e === 0 ? significand : `${significand}e${e}`;
}

const fixMinus = (s: string): string => s.replace(/-/g, MINUS);

export interface ColorbarTicks {
  /** Tick values inside [vmin, vmax], ascending. */
  ticks: number[];
  /** Their labels, as matplotlib writes them (U+2212 minus). */
  labels: string[];
  /** matplotlib's offset text ('', '1e6', '+1e3', '1e−7'), shown above the bar. */
  offset: string;
}

/** matplotlib's `YAxis.get_tick_space` → `MaxNLocator(nbins='auto')`: clip(⌊bar height / (2 × font size)⌋, 1, 9). */
export function autoBins(barHeight: number, fontSize: number): number {
  const n = fontSize > 0 ? Math.floor(barHeight / (2 * fontSize)) : 9;
  return Math.min(9, Math.max(1, n));
}

/**
 * The range a matplotlib colour bar spans for the norm's [vmin, vmax] (`Colorbar._process_values`: nonsingular
 * with expander 0.1): a flat map's bar spans ±10 % around its value (±0.1 around 0).
 */
export function colorbarRange(vmin: number, vmax: number): [number, number] {
  return nonsingular(vmin, vmax, 0.1, 1e-15);
}

/** The ticks and labels a matplotlib colour bar shows for [vmin, vmax] with `nbins` bins. */
export function colorbarTicks(vmin: number, vmax: number, nbins: number): ColorbarTicks {
  if (!Number.isFinite(vmin) || !Number.isFinite(vmax)) return { ticks: [], labels: [], offset: '' };
  const locs = maxNLocatorTicks(vmin, vmax, nbins, { steps: AUTO_STEPS });
  const [lo, hi] = vmin <= vmax ? [vmin, vmax] : [vmax, vmin];
  const visible = locs.filter((l) => l >= lo && l <= hi);
  const offset = computeOffset(visible);
  const oom = orderOfMagnitude(visible, offset, lo, hi);
  const scaled = (x: number): number => (x - offset) / pow10(oom);
  // fewer than two ticks: the formatter adds the axis ends to measure the range
  const forFormat = locs.length < 2 ? [...locs, lo, hi] : locs;
  const decimals = decimalsFor(forFormat.map(scaled));
  const labels = visible.map((x) => {
    let xp = scaled(x);
    if (Math.abs(xp) < 1e-8) xp = 0;
    return fixMinus(xp.toFixed(decimals));
  });
  let offsetText = '';
  if (visible.length > 0 && (oom || offset)) {
    const sci = oom ? `1e${oom}` : '';
    const off = offset ? `${offset > 0 ? '+' : ''}${formatData(offset)}` : '';
    offsetText = fixMinus(sci + off);
  }
  return { ticks: visible, labels, offset: offsetText };
}
