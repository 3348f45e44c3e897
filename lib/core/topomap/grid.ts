/** The interpolation grid of MNE 1.3's `_setup_interp`: extent from the mask and clip circle, res×res linspace. */
import { linspace } from './outlines';
import type { Outlines } from './types';

export type Extent = [number, number, number, number];

export function gridExtent(outlines: Outlines): Extent {
  const xs = outlines.mask.map((p) => p[0]);
  const ys = outlines.mask.map((p) => p[1]);
  const [cx, cy] = outlines.clipOrigin;
  const [rx, ry] = outlines.clipRadius;
  return [
    Math.min(...xs, cx - rx),
    Math.max(...xs, cx + rx),
    Math.min(...ys, cy - ry),
    Math.max(...ys, cy + ry),
  ];
}

/** Grid coordinates: x varies along columns, y along rows; row 0 is ymin (matplotlib origin='lower'). */
export function gridAxes(extent: Extent, res: number): { xs: number[]; ys: number[] } {
  return { xs: linspace(extent[0], extent[1], res), ys: linspace(extent[2], extent[3], res) };
}
