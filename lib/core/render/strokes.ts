/**
 * Draws the overlay's pen strokes straight into the RGBA canvas with anti-aliasing (coverage from the distance of
 * each pixel centre to the polyline, round caps and joins), so PNG output does not need librsvg.
 * Within one stroke the coverage of overlapping segments is max-combined, then the stroke is blended once; only the
 * pixels a stroke actually reaches are visited when blending.
 */
import type { Vec2 } from '../topomap/types';
import { blendPixel } from './raster';
import type { FlatStrokes, Layout, Pen, RowBand, Stroke } from './types';

/**
 * Scratch space of one drawing pass: per-pixel coverage, the pixels the current stroke reached (`count` of them),
 * and the canvas rows the pass draws (rowFrom…rowTo − 1: all of them, or a band).
 */
interface Scratch {
  acc: Float32Array;
  touched: Int32Array;
  count: number;
  rowFrom: number;
  rowTo: number;
}

/**
 * The list of reached pixels, shared by every drawing pass (drawing is synchronous): it grows to the most pixels one
 * stroke has reached, at most the canvas's pixel count, and stays that size.
 */
let sharedTouched = new Int32Array(1024);

function recordTouched(scratch: Scratch, i: number): void {
  if (scratch.count === scratch.touched.length) {
    const grown = new Int32Array(2 * scratch.touched.length);
    grown.set(scratch.touched);
    scratch.touched = grown;
    sharedTouched = grown;
  }
  scratch.touched[scratch.count++] = i;
}

/**
 * Columns a row visits for segments with every coordinate within ±BOUNDED_COORD pixels: only those strictly inside
 * the reach, x + 0.5 ∈ (min x − band, max x + band) of the row's part of the segment. A pixel can only make a blend
 * op with coverage ≥ 1/510 (less rounds to 0 of 255), so when it lies at least 0.0019 px inside the pen's reach; the
 * float64 rounding of the row reach is below 1e-8 px at these magnitudes, far inside that and the band's own 1e-6
 * slack. Other segments (far off-canvas points) keep a pixel of margin beyond floor/ceil on each side.
 */
const BOUNDED_COORD = 1e6;

/**
 * Max-accumulates the coverage of segment a→b, points i and j of flat coordinates `xy` (the pen's width, pixel
 * centres) into `acc`, recording newly reached pixels. Per row only the columns that can lie within the pen's reach are visited (the part of the segment within
 * reach of the row centre, widened by the reach), and pixels at or beyond the reach are skipped before the square
 * root (their coverage would be 0).
 */
function accumulateSegment(
  xy: Float64Array,
  i: number,
  j: number,
  s: Pen,
  w: number,
  scratch: Scratch,
): void {
  const width = s.width;
  // Coordinates are read here rather than passed: number arguments of a call that is not inlined are boxed.
  const ay = xy[2 * i + 1] as number;
  const by = xy[2 * j + 1] as number;
  const reach = width / 2 + 1;
  const y0 = Math.max(scratch.rowFrom, Math.floor(Math.min(ay, by) - reach));
  const y1 = Math.min(scratch.rowTo - 1, Math.ceil(Math.max(ay, by) + reach));
  if (y0 > y1) return; // outside the rows drawn (a band's other half)
  const { acc } = scratch;
  const ax = xy[2 * i] as number;
  const bx = xy[2 * j] as number;
  const vx = bx - ax;
  const vy = by - ay;
  const len2 = vx * vx + vy * vy;
  const thick = width >= 1;
  const edge = width / 2 + 0.5;
  const limit = thick ? edge : 1;
  const limit2 = limit * limit;
  const band = limit + 1e-6;
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - reach));
  const x1 = Math.min(w - 1, Math.ceil(Math.max(ax, bx) + reach));
  const bounded = Math.max(Math.abs(ax), Math.abs(ay), Math.abs(bx), Math.abs(by)) <= BOUNDED_COORD;
  const margin = bounded ? -1 : 1;
  // The row parts below need not be exact: a rounding of t moves their ends by far less than the band's slack.
  const perVy = 1 / vy;
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5;
    // The part t0…t1 of the segment within `band` of the row centre.
    let t0 = 0;
    let t1 = 1;
    if (vy !== 0) {
      const ta = (py - band - ay) * perVy;
      const tb = (py + band - ay) * perVy;
      t0 = Math.max(0, Math.min(ta, tb));
      t1 = Math.min(1, Math.max(ta, tb));
    } else if (!(Math.abs(py - ay) < band)) continue;
    if (t0 > t1) continue;
    const xa = ax + vx * t0;
    const xb = ax + vx * t1;
    const from = Math.max(x0, Math.floor(Math.min(xa, xb) - band - 0.5) - margin);
    const to = Math.min(x1, Math.ceil(Math.max(xa, xb) + band - 0.5) + margin);
    const ry = py - ay;
    const rowDot = ry * vy;
    const row = y * w;
    // Thin pens on a segment of non-zero length (all contours): the loop below with its per-pixel tests on the
    // pen and the length settled once (limit2 = 1), about 10 % less time per stroke.
    if (!thick && len2 !== 0) {
      for (let x = from; x <= to; x++) {
        const rx = x + 0.5 - ax;
        const tt = (rx * vx + rowDot) / len2;
        const t = tt < 0 ? 0 : tt > 1 ? 1 : tt;
        const dx = rx - t * vx;
        const dy = ry - t * vy;
        const d2 = dx * dx + dy * dy;
        if (d2 >= 1) continue;
        const c = width * (1 - Math.sqrt(d2));
        const i = row + x;
        const before = acc[i] as number;
        if (c > before) {
          if (before === 0) recordTouched(scratch, i);
          acc[i] = c;
        }
      }
      continue;
    }
    for (let x = from; x <= to; x++) {
      const rx = x + 0.5 - ax;
      const tt = len2 === 0 ? 0 : (rx * vx + rowDot) / len2;
      const t = tt < 0 ? 0 : tt > 1 ? 1 : tt;
      const dx = rx - t * vx;
      const dy = ry - t * vy;
      const d2 = dx * dx + dy * dy;
      if (d2 >= limit2) continue;
      const d = Math.sqrt(d2);
      // Thin pens: d2 < 1, so d ≤ 1 and 1 − d needs no clamping.
      const c = thick ? Math.min(1, Math.max(0, edge - d)) : width * (1 - d);
      const i = row + x;
      const before = acc[i] as number;
      if (c > before) {
        if (before === 0) recordTouched(scratch, i);
        acc[i] = c;
      }
    }
  }
}

/** Flat coordinates of the stroke being accumulated, kept across strokes (drawing is synchronous). */
let strokeXy = new Float64Array(64);

/** Max-accumulates one stroke's coverage (closed strokes return to their first point). */
function accumulate(s: Stroke, w: number, scratch: Scratch): void {
  const pts = s.points;
  const n = pts.length;
  if (strokeXy.length < 2 * n) strokeXy = new Float64Array(4 * n);
  for (let k = 0; k < n; k++) {
    const p = pts[k] as Vec2;
    strokeXy[2 * k] = p[0];
    strokeXy[2 * k + 1] = p[1];
  }
  accumulateRange(strokeXy, 0, n, s.closed, s, w, scratch);
}

/** Max-accumulates the polyline of points from…to − 1 of `xy` (closed: back to its first point). */
function accumulateRange(
  xy: Float64Array,
  from: number,
  to: number,
  closed: boolean,
  pen: Pen,
  w: number,
  scratch: Scratch,
): void {
  const n = to - from;
  if (n === 0) return;
  if (n === 1) {
    accumulateSegment(xy, from, from, pen, w, scratch);
    return;
  }
  for (let k = from; k + 1 < to; k++) accumulateSegment(xy, k, k + 1, pen, w, scratch);
  if (closed && n > 2) accumulateSegment(xy, to - 1, from, pen, w, scratch);
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

function grow(ops: PixelOps): PixelOps {
  const out = emptyOps(2 * ops.index.length);
  out.index.set(ops.index);
  out.grey.set(ops.grey);
  out.cov.set(ops.cov);
  out.length = ops.length;
  return out;
}

/** k / 255 for each clip coverage byte k (the same doubles as dividing). */
const COVERAGE_FRACTION = Float64Array.from({ length: 256 }, (_, k) => k / 255);

/**
 * The blend op coverage (0…255) of pixel i reached with stroke coverage c: c times the clip mask's for clipped
 * strokes (`coverage`, per canvas pixel: RasterPlan.strokeCoverage), rounded (c > 0, so no sign test is needed).
 */
function opCoverage(s: Pen, coverage: Uint8Array, i: number, c: number): number {
  return s.clipped
    ? Math.round(c * (COVERAGE_FRACTION[coverage[i] as number] as number) * 255)
    : Math.round(c * 255);
}

/**
 * Appends a blend op for each pixel the stroke reached (coverage 1…255, see opCoverage) and clears their
 * accumulated coverage for the next stroke.
 */
function emitTouched(s: Stroke, coverage: Uint8Array, scratch: Scratch, ops: PixelOps): PixelOps {
  const { acc, touched, count } = scratch;
  let out = ops;
  for (let k = 0; k < count; k++) {
    const i = touched[k] as number;
    const cov = opCoverage(s, coverage, i, acc[i] as number);
    acc[i] = 0;
    if (cov === 0) continue;
    if (out.length === out.index.length) out = grow(out);
    out.index[out.length] = i;
    out.grey[out.length] = s.grey;
    out.cov[out.length] = cov;
    out.length++;
  }
  scratch.count = 0;
  return out;
}

/** Blends the ops emitTouched would append straight into the canvas, in the same order, and clears the coverage. */
function blendTouched(s: Pen, coverage: Uint8Array, scratch: Scratch, canvas: Uint8Array): void {
  const { acc, touched, count } = scratch;
  const g = s.grey;
  const table = opaqueTable(g);
  for (let k = 0; k < count; k++) {
    const i = touched[k] as number;
    const cov = opCoverage(s, coverage, i, acc[i] as number);
    acc[i] = 0;
    if (cov !== 0) blendOp(canvas, i * 4, g, cov, table);
  }
  scratch.count = 0;
}

/**
 * A drawing pass's scratch: `acc` when it is an all-zero accumulator of the canvas size, else a new one; over the
 * rows of `band` (default all).
 */
function scratchFor(layout: Layout, acc?: Float32Array, band?: RowBand): Scratch {
  const pixels = layout.width * layout.height;
  return {
    acc: acc !== undefined && acc.length === pixels ? acc : new Float32Array(pixels),
    touched: sharedTouched,
    count: 0,
    rowFrom: Math.max(0, band?.from ?? 0),
    rowTo: Math.min(layout.height, band?.to ?? layout.height),
  };
}

/** Appends the blend ops of every stroke in order to `ops` (returned, grown if it had to). */
function appendOps(
  layout: Layout,
  strokes: readonly Stroke[],
  coverage: Uint8Array,
  scratch: Scratch,
  ops: PixelOps,
): PixelOps {
  let out = ops;
  for (const s of strokes) {
    accumulate(s, layout.width, scratch);
    out = emitTouched(s, coverage, scratch, out);
  }
  return out;
}

/**
 * The blend ops of every stroke in order. `coverage` is the clip mask used for clipped strokes, per canvas pixel
 * (RasterPlan.strokeCoverage). `acc`, when given, is an all-zero width × height accumulator to reuse; it is all
 * zero again on return.
 */
export function strokeOps(
  layout: Layout,
  strokes: readonly Stroke[],
  coverage: Uint8Array,
  acc?: Float32Array,
): PixelOps {
  return appendOps(layout, strokes, coverage, scratchFor(layout, acc), emptyOps(1024));
}

/** Per coverage c: source alpha c/255, and the weight of an opaque destination and the output alpha, as blendPixel computes them. */
const SRC_ALPHA = Float64Array.from({ length: 256 }, (_, c) => c / 255);
const DST_WEIGHT = SRC_ALPHA.map((sa) => 1 * (1 - sa));
const OUT_ALPHA = SRC_ALPHA.map((sa) => sa + 1 * (1 - sa));

/** Channel value of grey `g` at coverage `c` over an opaque channel value `d` (blendPixel's arithmetic). */
const overOpaque = (g: number, c: number, d: number): number =>
  Math.round((g * (SRC_ALPHA[c] as number) + d * (DST_WEIGHT[c] as number)) / (OUT_ALPHA[c] as number));

/**
 * Per grey level drawn, overOpaque for every coverage and destination value, `table[c << 8 | d]` (64 kB each),
 * made on first use. Bounded: at most MAX_GREY_TABLES grey levels get a table (strokes are all black today);
 * others are computed per pixel.
 */
const MAX_GREY_TABLES = 4;
const greyTables = new Map<number, Uint8Array>();

function opaqueTable(g: number): Uint8Array | undefined {
  const hit = greyTables.get(g);
  if (hit || greyTables.size >= MAX_GREY_TABLES) return hit;
  const table = new Uint8Array(256 * 256);
  for (let c = 0; c < 256; c++) for (let d = 0; d < 256; d++) table[(c << 8) | d] = overOpaque(g, c, d);
  greyTables.set(g, table);
  return table;
}

/**
 * One blend op over an RGBA canvas (straight alpha): blendPixel's result, with its arithmetic replaced by a table
 * (or unrolled) for the common cases of an opaque or a fully transparent destination.
 */
function blendOp(canvas: Uint8Array, o: number, g: number, c: number, table: Uint8Array | undefined): void {
  const da = canvas[o + 3] as number;
  if (c === 255 || da === 0) {
    canvas[o] = g;
    canvas[o + 1] = g;
    canvas[o + 2] = g;
    canvas[o + 3] = c;
  } else if (da === 255) {
    const row = c << 8;
    if (table) {
      canvas[o] = table[row | (canvas[o] as number)] as number;
      canvas[o + 1] = table[row | (canvas[o + 1] as number)] as number;
      canvas[o + 2] = table[row | (canvas[o + 2] as number)] as number;
    } else {
      canvas[o] = overOpaque(g, c, canvas[o] as number);
      canvas[o + 1] = overOpaque(g, c, canvas[o + 1] as number);
      canvas[o + 2] = overOpaque(g, c, canvas[o + 2] as number);
    }
  } else {
    blendPixel(canvas, o, g, g, g, c);
  }
}

/**
 * Replays blend ops over an RGBA canvas (straight alpha), as blendPixel would blend each; only those on pixels
 * from…to − 1 when given (a band's rows).
 */
export function applyOps(
  ops: PixelOps,
  canvas: Uint8Array,
  pixels: { from: number; to: number } = { from: 0, to: Infinity },
): void {
  const { index, grey, cov } = ops;
  const { from, to } = pixels;
  let g = -1;
  let table: Uint8Array | undefined;
  for (let k = 0; k < ops.length; k++) {
    const i = index[k] as number;
    if (i < from || i >= to) continue;
    const gk = grey[k] as number;
    if (gk !== g) {
      g = gk;
      table = opaqueTable(g);
    }
    blendOp(canvas, i * 4, g, cov[k] as number, table);
  }
}

/**
 * Draws every stroke over the canvas in order (only the rows of `band` when given). `coverage` is the clip mask
 * used for clipped strokes, per canvas pixel (RasterPlan.strokeCoverage).
 */
export function drawStrokes(
  layout: Layout,
  strokes: readonly Stroke[],
  coverage: Uint8Array,
  canvas: Uint8Array,
  acc?: Float32Array,
  band?: RowBand,
): void {
  if (strokes.length === 0) return;
  const scratch = scratchFor(layout, acc, band);
  for (const s of strokes) {
    accumulate(s, layout.width, scratch);
    blendTouched(s, coverage, scratch, canvas);
  }
}

/**
 * Draws every stroke of `strokes` over the canvas in order, each as drawStrokes draws a Stroke of the same points
 * and pen (the same pixels as drawing `flatStrokeList(strokes)`).
 */
export function drawFlatStrokes(
  layout: Layout,
  strokes: FlatStrokes,
  coverage: Uint8Array,
  canvas: Uint8Array,
  acc?: Float32Array,
  band?: RowBand,
): void {
  const { xy, starts, pen } = strokes;
  if (starts.length < 2) return;
  const scratch = scratchFor(layout, acc, band);
  for (let k = 0; k + 1 < starts.length; k++) {
    accumulateRange(xy, starts[k] as number, starts[k + 1] as number, pen.closed, pen, layout.width, scratch);
    blendTouched(pen, coverage, scratch, canvas);
  }
}
