/**
 * matplotlib colour maps as 256-entry RGB lookup tables (data from matplotlib 3.6, see colormap-luts.json and
 * scripts/golden/make_colormap_luts.py; matplotlib licence, PSF/BSD-compatible) and matplotlib's
 * Normalize + Colormap(N=256) index rule.
 */
import lutData from './colormap-luts.json';

export type Rgb = [number, number, number];
export const COLORMAP_NAMES = [
  'RdBu_r',
  'Reds',
  'viridis',
  'plasma',
  'inferno',
  'magma',
  'cividis',
  'coolwarm',
] as const;
export type ColormapName = (typeof COLORMAP_NAMES)[number];
export const LUT_SIZE = 256;

const luts = lutData.luts as Record<ColormapName, number[][]>;

export const isColormapName = (name: string): name is ColormapName =>
  (COLORMAP_NAMES as readonly string[]).includes(name);

/** The 256 RGB bytes of a colour map. */
export function colormapLut(name: ColormapName): readonly Rgb[] {
  return luts[name] as Rgb[];
}

/**
 * Index into a 256-entry LUT for value v (matplotlib Normalize then Colormap): floor((v−vmin)/(vmax−vmin)·256),
 * 256 → 255, below range → 0, above → 255, NaN → -1 (transparent). vmin = vmax maps everything to 0.
 */
export function colorIndex(v: number, vmin: number, vmax: number): number {
  if (Number.isNaN(v)) return -1;
  const x = vmin === vmax ? 0 : ((v - vmin) / (vmax - vmin)) * LUT_SIZE;
  if (x < 0) return 0;
  if (x >= LUT_SIZE) return LUT_SIZE - 1;
  return Math.trunc(x);
}

/** RGB for a value, or null where transparent (NaN). */
export function colorFor(name: ColormapName, v: number, vmin: number, vmax: number): Rgb | null {
  const i = colorIndex(v, vmin, vmax);
  return i < 0 ? null : (colormapLut(name)[i] ?? null);
}
