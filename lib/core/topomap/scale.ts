/**
 * Colour limits and contour levels: MNE 1.3 `_setup_vmin_vmax` and `_set_contour_locator`, the latter through an
 * exact port of matplotlib 3.6's `MaxNLocator(nbins).tick_values` (lib/core/ticker.ts, default steps).
 */
import { maxNLocatorTicks } from '../ticker';
import type { ColorScale } from './types';

export { maxNLocatorTicks };

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
