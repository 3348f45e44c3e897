/**
 * Draws the overlay's pen strokes straight into the RGBA canvas with anti-aliasing (coverage from the distance of
 * each pixel centre to the polyline, round caps and joins), so PNG output does not need librsvg.
 * Within one stroke the coverage of overlapping segments is max-combined, then the stroke is blended once; only the
 * pixels a stroke actually reaches are visited when blending.
 */
import type { Vec2 } from '../topomap/types';
import { blendPixel } from './raster';
import type { Layout, Stroke } from './types';

/** Scratch space of one drawing pass: per-pixel coverage and the list of pixels the current stroke reached. */
interface Scratch {
  acc: Float32Array;
  touched: number[];
}

/**
 * Columns [from, to] of row centre `py` that can lie within `limit` of segment a + t·v (t in 0…1): the part of the
 * segment within `limit` of the row, widened by `limit` and a pixel of margin; `from > to` when none can.
 */
function rowReach(
  py: number,
  ax: number,
  ay: number,
  vx: number,
  vy: number,
  limit: number,
): [number, number] {
  const band = limit + 1e-6;
  let t0 = 0;
  let t1 = 1;
  if (vy !== 0) {
    const ta = (py - band - ay) / vy;
    const tb = (py + band - ay) / vy;
    t0 = Math.max(0, Math.min(ta, tb));
    t1 = Math.min(1, Math.max(ta, tb));
  } else if (!(Math.abs(py - ay) < band)) {
    return [1, 0];
  }
  if (t0 > t1) return [1, 0];
  const xa = ax + vx * t0;
  const xb = ax + vx * t1;
  return [Math.floor(Math.min(xa, xb) - band - 0.5) - 1, Math.ceil(Math.max(xa, xb) + band - 0.5) + 1];
}

/**
 * Max-accumulates the coverage of segment a→b (pen `width`, pixel centres) into `acc`, recording newly reached
 * pixels. Only pixels that can lie within the pen's reach are visited, and those at or beyond it are skipped
 * before the square root (their coverage would be 0).
 */
function accumulateSegment(a: Vec2, b: Vec2, width: number, w: number, h: number, scratch: Scratch): void {
  const { acc, touched } = scratch;
  const [ax, ay] = a;
  const vx = b[0] - ax;
  const vy = b[1] - ay;
  const len2 = vx * vx + vy * vy;
  const thick = width >= 1;
  const edge = width / 2 + 0.5;
  const limit = thick ? edge : 1;
  const limit2 = limit * limit;
  const reach = width / 2 + 1;
  const x0 = Math.max(0, Math.floor(Math.min(ax, b[0]) - reach));
  const x1 = Math.min(w - 1, Math.ceil(Math.max(ax, b[0]) + reach));
  const y0 = Math.max(0, Math.floor(Math.min(ay, b[1]) - reach));
  const y1 = Math.min(h - 1, Math.ceil(Math.max(ay, b[1]) + reach));
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5;
    const [from, to] = rowReach(py, ax, ay, vx, vy, limit);
    const xEnd = Math.min(x1, to);
    for (let x = Math.max(x0, from); x <= xEnd; x++) {
      const px = x + 0.5;
      const tt = len2 === 0 ? 0 : ((px - ax) * vx + (py - ay) * vy) / len2;
      const t = tt < 0 ? 0 : tt > 1 ? 1 : tt;
      const dx = px - ax - t * vx;
      const dy = py - ay - t * vy;
      const d2 = dx * dx + dy * dy;
      if (d2 >= limit2) continue;
      const d = Math.sqrt(d2);
      const c = thick ? Math.min(1, Math.max(0, edge - d)) : width * Math.min(1, Math.max(0, 1 - d));
      const i = y * w + x;
      const before = acc[i] as number;
      if (c > before) {
        if (before === 0) touched.push(i);
        acc[i] = c;
      }
    }
  }
}

/** Max-accumulates one stroke's coverage (closed strokes return to their first point). */
function accumulate(s: Stroke, w: number, h: number, scratch: Scratch): void {
  const pts = s.points;
  const n = pts.length;
  if (n === 0) return;
  if (n === 1) {
    accumulateSegment(pts[0] as Vec2, pts[0] as Vec2, s.width, w, h, scratch);
    return;
  }
  for (let k = 0; k + 1 < n; k++)
    accumulateSegment(pts[k] as Vec2, pts[k + 1] as Vec2, s.width, w, h, scratch);
  if (s.closed && n > 2) accumulateSegment(pts[n - 1] as Vec2, pts[0] as Vec2, s.width, w, h, scratch);
}

/** Clip coverage (0…1) of a canvas pixel: the panel's coverage mask, zero outside the panel. */
function clipAt(layout: Layout, coverage: Uint8Array, x: number, y: number): number {
  const { panel } = layout;
  const lx = x - panel.x;
  const ly = y - panel.y;
  if (lx < 0 || ly < 0 || lx >= panel.width || ly >= panel.height) return 0;
  return (coverage[ly * panel.width + lx] as number) / 255;
}

/**
 * Pixel blends in drawing order: colour grey[k] (as RGB grey) with coverage cov[k] (1…255) over pixel index[k].
 * Replaying them gives exactly what drawing the strokes gives, so static strokes can be rasterised once.
 */
export interface PixelOps {
  index: Int32Array;
  grey: Uint8Array;
  cov: Uint8Array;
  length: number;
}

const emptyOps = (capacity: number): PixelOps => ({
  index: new Int32Array(capacity),
  grey: new Uint8Array(capacity),
  cov: new Uint8Array(capacity),
  length: 0,
});

function pushOp(ops: PixelOps, index: number, grey: number, cov: number): PixelOps {
  let out = ops;
  if (ops.length === ops.index.length) {
    out = emptyOps(2 * ops.index.length);
    out.index.set(ops.index);
    out.grey.set(ops.grey);
    out.cov.set(ops.cov);
    out.length = ops.length;
  }
  out.index[out.length] = index;
  out.grey[out.length] = grey;
  out.cov[out.length] = cov;
  out.length++;
  return out;
}

/** Turns the pixels the stroke reached into blend ops and clears their coverage for the next stroke. */
function emitTouched(
  layout: Layout,
  s: Stroke,
  coverage: Uint8Array,
  scratch: Scratch,
  ops: PixelOps,
): PixelOps {
  const { acc, touched } = scratch;
  const w = layout.width;
  let out = ops;
  for (const i of touched) {
    let c = acc[i] as number;
    acc[i] = 0;
    if (s.clipped) c *= clipAt(layout, coverage, i % w, Math.floor(i / w));
    const cov = c > 0 ? Math.round(c * 255) : 0;
    if (cov > 0) out = pushOp(out, i, s.grey, cov);
  }
  touched.length = 0;
  return out;
}

/**
 * The blend ops of every stroke in order. `coverage` is the clip mask used for clipped strokes. `acc`, when given,
 * is an all-zero width × height accumulator to reuse; it is all zero again on return.
 */
export function strokeOps(
  layout: Layout,
  strokes: readonly Stroke[],
  coverage: Uint8Array,
  acc?: Float32Array,
): PixelOps {
  const { width: w, height: h } = layout;
  const reusable = acc !== undefined && acc.length === w * h;
  const scratch: Scratch = { acc: reusable ? acc : new Float32Array(w * h), touched: [] };
  let ops = emptyOps(1024);
  for (const s of strokes) {
    accumulate(s, w, h, scratch);
    ops = emitTouched(layout, s, coverage, scratch, ops);
  }
  return ops;
}

/** Per coverage c: source alpha c/255, and the weight of an opaque destination and the output alpha, as blendPixel computes them. */
const SRC_ALPHA = Float64Array.from({ length: 256 }, (_, c) => c / 255);
const DST_WEIGHT = SRC_ALPHA.map((sa) => 1 * (1 - sa));
const OUT_ALPHA = SRC_ALPHA.map((sa) => sa + 1 * (1 - sa));

/**
 * Replays blend ops over an RGBA canvas (straight alpha): blendPixel's result, with its arithmetic unrolled for the
 * common cases of an opaque or a fully transparent destination.
 */
export function applyOps(ops: PixelOps, canvas: Uint8Array): void {
  const { index, grey, cov } = ops;
  for (let k = 0; k < ops.length; k++) {
    const g = grey[k] as number;
    const c = cov[k] as number;
    const o = (index[k] as number) * 4;
    const da = canvas[o + 3] as number;
    if (c === 255 || da === 0) {
      canvas[o] = g;
      canvas[o + 1] = g;
      canvas[o + 2] = g;
      canvas[o + 3] = c;
    } else if (da === 255) {
      const sa = SRC_ALPHA[c] as number;
      const kd = DST_WEIGHT[c] as number;
      const oa = OUT_ALPHA[c] as number;
      const gs = g * sa;
      canvas[o] = Math.round((gs + (canvas[o] as number) * kd) / oa);
      canvas[o + 1] = Math.round((gs + (canvas[o + 1] as number) * kd) / oa);
      canvas[o + 2] = Math.round((gs + (canvas[o + 2] as number) * kd) / oa);
    } else {
      blendPixel(canvas, o, g, g, g, c);
    }
  }
}

/** Draws every stroke over the canvas in order. `coverage` is the clip mask used for clipped strokes. */
export function drawStrokes(
  layout: Layout,
  strokes: readonly Stroke[],
  coverage: Uint8Array,
  canvas: Uint8Array,
  acc?: Float32Array,
): void {
  if (strokes.length > 0) applyOps(strokeOps(layout, strokes, coverage, acc), canvas);
}
