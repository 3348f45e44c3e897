/**
 * Draws the overlay's pen strokes straight into the RGBA canvas with anti-aliasing (coverage from the distance of
 * each pixel centre to the polyline, round caps and joins), so PNG output does not need librsvg.
 */
import type { Vec2 } from '../topomap/types';
import { blendPixel } from './raster';
import type { Layout, Stroke } from './types';

/** Coverage of a pixel at distance d from the centre line of a pen of the given width. */
function penCoverage(d: number, width: number): number {
  if (width >= 1) return Math.min(1, Math.max(0, width / 2 + 0.5 - d));
  return width * Math.min(1, Math.max(0, 1 - d));
}

function segmentDistance(px: number, py: number, a: Vec2, b: Vec2): number {
  const vx = b[0] - a[0];
  const vy = b[1] - a[1];
  const len2 = vx * vx + vy * vy;
  const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, ((px - a[0]) * vx + (py - a[1]) * vy) / len2));
  const dx = px - a[0] - t * vx;
  const dy = py - a[1] - t * vy;
  return Math.sqrt(dx * dx + dy * dy);
}

/** Max-accumulates one stroke's coverage into `acc`, returning the touched pixel box. */
function accumulate(s: Stroke, acc: Float32Array, w: number, h: number): [number, number, number, number] {
  const pts = s.closed && s.points.length > 2 ? [...s.points, s.points[0] as Vec2] : s.points;
  const reach = s.width / 2 + 1;
  let box: [number, number, number, number] = [w, h, -1, -1];
  for (let k = 0; k < pts.length; k++) {
    const a = pts[k] as Vec2;
    const b = (pts[k + 1] ?? a) as Vec2;
    if (k > 0 && k + 1 >= pts.length) break;
    const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0]) - reach));
    const x1 = Math.min(w - 1, Math.ceil(Math.max(a[0], b[0]) + reach));
    const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1]) - reach));
    const y1 = Math.min(h - 1, Math.ceil(Math.max(a[1], b[1]) + reach));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const c = penCoverage(segmentDistance(x + 0.5, y + 0.5, a, b), s.width);
        const i = y * w + x;
        if (c > (acc[i] as number)) acc[i] = c;
      }
    }
    box = [Math.min(box[0], x0), Math.min(box[1], y0), Math.max(box[2], x1), Math.max(box[3], y1)];
  }
  return box;
}

/** Clip coverage (0…1) of a canvas pixel: the panel's coverage mask, zero outside the panel. */
function clipAt(layout: Layout, coverage: Uint8Array, x: number, y: number): number {
  const { panel } = layout;
  const lx = x - panel.x;
  const ly = y - panel.y;
  if (lx < 0 || ly < 0 || lx >= panel.width || ly >= panel.height) return 0;
  return (coverage[ly * panel.width + lx] as number) / 255;
}

/** Draws every stroke over the canvas in order. `coverage` is the clip mask used for clipped strokes. */
export function drawStrokes(layout: Layout, strokes: readonly Stroke[], coverage: Uint8Array, canvas: Uint8Array): void {
  const { width: w, height: h } = layout;
  const acc = new Float32Array(w * h);
  for (const s of strokes) {
    const [x0, y0, x1, y1] = accumulate(s, acc, w, h);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * w + x;
        let c = acc[i] as number;
        if (c <= 0) continue;
        acc[i] = 0;
        if (s.clipped) c *= clipAt(layout, coverage, x, y);
        if (c > 0) blendPixel(canvas, i * 4, s.grey, s.grey, s.grey, Math.round(c * 255));
      }
    }
  }
}
