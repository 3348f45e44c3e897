/**
 * The map image: the res×res grid resampled bilinearly to panel pixels as matplotlib's
 * `imshow(Z, origin='lower', extent, interpolation='bilinear')` does (grid samples sit at cell centres), colour
 * mapped with Normalize + a 256-entry LUT, and clipped with anti-aliased coverage. Everything that depends only on
 * geometry and size lives in a `RasterPlan`, so a warm map is a single pass over the panel.
 */
import type { Clip, TopomapGeometry } from '../topomap/types';
import { clipCoverage } from './clip';
import { LUT_SIZE } from './colormap';
import type { Layout, Lut, RowBand } from './types';

/** Per panel column (or row): the two grid cells blended, the weight of the second, and whether imshow covers it. */
interface AxisTaps {
  lo: Int32Array;
  hi: Int32Array;
  w: Float64Array;
  inside: Uint8Array;
}

export interface RasterPlan {
  layout: Layout;
  res: number;
  cols: AxisTaps;
  rows: AxisTaps;
  /** Clip coverage 0…255 per panel pixel, already 0 where the image does not reach. */
  coverage: Uint8Array;
  /**
   * The same coverage per canvas pixel (width × height, 0 outside the panel), which clipped strokes look up by
   * canvas index: finding a pixel's panel row and column per pixel took 12 % of the stroke drawing.
   */
  strokeCoverage: Uint8Array;
  /** The covered pixels, row by row: runs of full coverage and single edge pixels (see CoveredPixels). */
  covered: CoveredPixels;
}

/**
 * Per panel row py, the pixels with coverage 255 as runs of columns [runs[2k], runs[2k + 1]) for k from
 * rowRuns[py] to rowRuns[py + 1], and the pixels of partial coverage as columns edges[k] with coverage edgeCov[k]
 * for k from rowEdges[py] to rowEdges[py + 1].
 */
export interface CoveredPixels {
  rowRuns: Int32Array;
  runs: Int32Array;
  rowEdges: Int32Array;
  edges: Int32Array;
  edgeCov: Uint8Array;
}

/**
 * Taps along one axis, following matplotlib's `_make_image` + Agg: the image spans `ceil(width)` whole pixels
 * starting at the rounded pixel of its first edge (content stretched to fill them), each output pixel centre is
 * mapped to a continuous cell-centre coordinate and clamped at the borders.
 * `start` is the image's first edge in panel pixels along the axis, `span` its length in pixels; `flip` counts
 * grid cells from the far end (rows: grid row 0 is at the bottom, panel rows grow downwards).
 */
function axisTaps(n: number, res: number, start: number, span: number, flip: boolean): AxisTaps {
  const taps: AxisTaps = {
    lo: new Int32Array(n),
    hi: new Int32Array(n),
    w: new Float64Array(n),
    inside: new Uint8Array(n),
  };
  const pixels = span % 1 === 0 ? span : Math.ceil(span);
  const first = Math.round(start);
  for (let p = 0; p < n; p++) {
    const q = p - first;
    taps.inside[p] = q >= 0 && q < pixels ? 1 : 0;
    const centre = flip ? pixels - q - 0.5 : q + 0.5;
    const u = Math.min(Math.max((centre * res) / pixels - 0.5, 0), res - 1);
    const lo = Math.min(Math.floor(u), res - 1);
    const w = u - lo;
    taps.lo[p] = lo;
    taps.hi[p] = w > 0 ? lo + 1 : lo;
    taps.w[p] = w;
  }
  return taps;
}

/** Precomputes the pixel→grid taps and clip coverage for one geometry, grid resolution and layout. */
export function planRaster(
  layout: Layout,
  geometry: Pick<TopomapGeometry, 'extent' | 'res'>,
  clip: Clip,
): RasterPlan {
  const { panel, view, scale } = layout;
  const [ex0, ex1, ey0, ey1] = geometry.extent;
  const res = geometry.res;
  const side = panel.width;
  const width = (ex1 - ex0) * scale;
  const height = (ey1 - ey0) * scale;
  const cols = axisTaps(side, res, (ex0 - view[0]) * scale, width, false);
  // matplotlib places the image's bottom edge in y-up pixels; its top row in panel rows is side − bottom − height.
  const bottomUp = (ey0 - view[2]) * scale;
  const rows = axisTaps(
    side,
    res,
    side - bottomUp - (height % 1 === 0 ? height : Math.ceil(height)),
    height,
    true,
  );
  const coverage = clipCoverage(layout, clip);
  // Nothing is painted outside the image: clear the rows and columns its taps do not reach.
  const outsideColumns: number[] = [];
  for (let px = 0; px < side; px++) if (!cols.inside[px]) outsideColumns.push(px);
  for (let py = 0; py < side; py++) {
    const row = py * side;
    if (!rows.inside[py]) coverage.fill(0, row, row + side);
    else for (const px of outsideColumns) coverage[row + px] = 0;
  }
  return {
    layout,
    res,
    cols,
    rows,
    coverage,
    strokeCoverage: canvasCoverage(layout, coverage),
    covered: coveredPixels(coverage, side),
  };
}

/** A panel's coverage mask placed on the canvas (width × height, 0 elsewhere). */
function canvasCoverage(layout: Layout, coverage: Uint8Array): Uint8Array {
  const { width, height, panel } = layout;
  const out = new Uint8Array(width * height);
  const x0 = Math.max(0, panel.x);
  const x1 = Math.min(width, panel.x + panel.width);
  if (x1 <= x0) return out;
  for (let ly = 0; ly < panel.height; ly++) {
    const y = ly + panel.y;
    if (y < 0 || y >= height) continue;
    const from = ly * panel.width + (x0 - panel.x);
    out.set(coverage.subarray(from, from + (x1 - x0)), y * width + x0);
  }
  return out;
}

/** The full-coverage runs and edge pixels of each row of a side × side coverage mask. */
function coveredPixels(coverage: Uint8Array, side: number): CoveredPixels {
  const runs: number[] = [];
  const edges: number[] = [];
  const edgeCov: number[] = [];
  const rowRuns = new Int32Array(side + 1);
  const rowEdges = new Int32Array(side + 1);
  for (let py = 0; py < side; py++) {
    const row = py * side;
    for (let px = 0; px < side; px++) {
      const cov = coverage[row + px] as number;
      if (cov === 255) {
        const from = px;
        while (px + 1 < side && coverage[row + px + 1] === 255) px++;
        runs.push(from, px + 1);
      } else if (cov !== 0) {
        edges.push(px);
        edgeCov.push(cov);
      }
    }
    rowRuns[py + 1] = runs.length / 2;
    rowEdges[py + 1] = edges.length;
  }
  return {
    rowRuns,
    runs: Int32Array.from(runs),
    rowEdges,
    edges: Int32Array.from(edges),
    edgeCov: Uint8Array.from(edgeCov),
  };
}

/**
 * Work space of paintMap (the normalised grid; two grid rows resampled to panel columns), one growing buffer each,
 * reused by every call (painting is synchronous). Kept only up to MAX_KEPT_VALUES values (2 MB) each; larger
 * grids or panels get buffers of their own.
 */
const MAX_KEPT_VALUES = 256 * 1024;
const kept = { normalised: new Float64Array(0), resampled: new Float64Array(0) };

function workspace(which: keyof typeof kept, length: number): Float64Array {
  if (length > MAX_KEPT_VALUES) return new Float64Array(length);
  if (kept[which].length < length) kept[which] = new Float64Array(length);
  return kept[which];
}

/** Grid values normalised to [0, 1] by the colour limits; NaN and ±inf become NaN (masked, as matplotlib does). */
function normaliseGrid(grid: Float64Array, vmin: number, vmax: number): Float64Array {
  const out = workspace('normalised', grid.length);
  const span = vmax - vmin;
  for (let i = 0; i < grid.length; i++) {
    const v = grid[i] as number;
    out[i] = !Number.isFinite(v) ? NaN : span === 0 ? 0 : (v - vmin) / span;
  }
  return out;
}

/** Horizontal pass of grid row r of the normalised grid t, resampled to the panel's columns into out[at…]. */
function resampleRow(
  t: Float64Array,
  res: number,
  r: number,
  cols: AxisTaps,
  out: Float64Array,
  at: number,
): void {
  const side = cols.lo.length;
  const row = r * res;
  for (let p = 0; p < side; p++) {
    const w = cols.w[p] as number;
    const a = t[row + (cols.lo[p] as number)] as number;
    out[at + p] = w === 0 ? a : a + ((t[row + (cols.hi[p] as number)] as number) - a) * w;
  }
}

/**
 * Grid rows resampled on demand into two slots of `side` values: panel rows walk the grid rows in order, so each
 * is resampled once per map while the work space stays a few kilobytes (it stays in cache).
 */
interface ResampledRows {
  t: Float64Array;
  res: number;
  cols: AxisTaps;
  values: Float64Array;
  /** Grid row held by each slot, -1 for none. */
  slots: [number, number];
}

/** Offset in `values` of grid row r resampled, computing it into the slot that does not hold row `keep`. */
function resampledRow(rows: ResampledRows, r: number, keep: number): number {
  const side = rows.cols.lo.length;
  const { slots } = rows;
  if (slots[0] === r) return 0;
  if (slots[1] === r) return side;
  const slot = slots[0] === keep ? 1 : 0;
  resampleRow(rows.t, rows.res, r, rows.cols, rows.values, slot * side);
  slots[slot] = r;
  return slot * side;
}

export interface PaintInput {
  grid: Float64Array;
  vmin: number;
  vmax: number;
  lut: Lut;
}

/** The LUT as opaque RGBA pixels packed in the platform's byte order, for 32-bit writes. */
function packLut(lut: Lut): Uint32Array {
  const packed = new Uint32Array(LUT_SIZE);
  const bytes = new Uint8Array(packed.buffer);
  for (let k = 0; k < LUT_SIZE; k++) {
    bytes[4 * k] = lut[3 * k] as number;
    bytes[4 * k + 1] = lut[3 * k + 1] as number;
    bytes[4 * k + 2] = lut[3 * k + 2] as number;
    bytes[4 * k + 3] = 255;
  }
  return packed;
}

/** A 32-bit-per-pixel view of an RGBA canvas, or null when its bytes are not 4-aligned. */
export function pixelView(canvas: Uint8Array): Uint32Array | null {
  return canvas.byteOffset % 4 === 0 && canvas.length % 4 === 0
    ? new Uint32Array(canvas.buffer, canvas.byteOffset, canvas.length / 4)
    : null;
}

/**
 * LUT row of a normalised value (matplotlib's rule: t·N floored, clamped to [0, N − 1]); -1 for NaN. The common
 * case, x inside (0, N − 1), is tested first; NaN fails both comparisons.
 */
function lutIndex(t: number): number {
  const x = t * LUT_SIZE;
  return x >= LUT_SIZE - 1 ? LUT_SIZE - 1 : x > 0 ? x | 0 : t !== t ? -1 : 0; // x | 0 floors x in (0, N − 1)
}

/**
 * Paints the map into the panel of `canvas` (RGBA, layout.width × layout.height, straight alpha) over whatever
 * background it holds: transparent pixels stay untouched, fully covered pixels are written whole (one 32-bit
 * store), edge pixels are blended by coverage. Each panel row blends two resampled grid rows lo and hi with the
 * row's weight w of hi (w = 0: row lo alone).
 */
export function paintMap(plan: RasterPlan, input: PaintInput, canvas: Uint8Array, band?: RowBand): void {
  const { layout, res, rows } = plan;
  if (input.grid.length !== res * res) throw new RangeError(`grid must hold ${res}×${res} values`);
  const { rowRuns, rowEdges } = plan.covered;
  const side = layout.panel.width;
  const resampled: ResampledRows = {
    t: normaliseGrid(input.grid, input.vmin, input.vmax),
    res,
    cols: plan.cols,
    values: workspace('resampled', 2 * side),
    slots: [-1, -1],
  };
  const h = resampled.values;
  const { lut } = input;
  const pixels = pixelView(canvas);
  const packed = packLut(lut);
  let unalignedRow: Uint32Array | undefined; // only for a canvas that is not 4-aligned
  const row: PanelRow = { covered: plan.covered, h, py: 0, lo: 0, hi: 0, w: 0 };
  // Panel rows within the band's canvas rows (all of them without a band).
  const fromRow = Math.max(0, (band?.from ?? 0) - layout.panel.y);
  const toRow = Math.min(side, (band?.to ?? Infinity) - layout.panel.y);
  for (let py = fromRow; py < toRow; py++) {
    if (rowRuns[py] === rowRuns[py + 1] && rowEdges[py] === rowEdges[py + 1]) continue;
    const w = rows.w[py] as number;
    const loRow = rows.lo[py] as number;
    const hiRow = rows.hi[py] as number;
    row.py = py;
    row.w = w;
    row.lo = resampledRow(resampled, loRow, hiRow);
    row.hi = w === 0 ? row.lo : resampledRow(resampled, hiRow, loRow);
    const first = (layout.panel.y + py) * layout.width + layout.panel.x;
    if (pixels) paintFullRuns(row, packed, pixels, first);
    else paintFullRunsUnaligned(row, packed, canvas, first, (unalignedRow ??= new Uint32Array(side)));
    paintEdges(row, lut, canvas, first);
  }
}

/** The panel row being painted: its covered pixels, and resampled grid rows h[lo…] and h[hi…] blended by w. */
interface PanelRow {
  covered: CoveredPixels;
  h: Float64Array;
  py: number;
  lo: number;
  hi: number;
  w: number;
}

/** LUT row of the blend of resampled values h[lo + px] and h[hi + px] by w; -1 where the value is masked. */
function rowBlendIndex(h: Float64Array, lo: number, hi: number, w: number, px: number): number {
  const a = h[lo + px] as number;
  return lutIndex(w === 0 ? a : a + ((h[hi + px] as number) - a) * w);
}

/** The row's full-coverage runs, one 32-bit store per pixel; `first` is the canvas pixel of the row's column 0. */
function paintFullRuns(row: PanelRow, packed: Uint32Array, pixels: Uint32Array, first: number): void {
  const { covered, h, py, lo, hi, w } = row;
  const { rowRuns, runs } = covered;
  const end = rowRuns[py + 1] as number;
  for (let r = rowRuns[py] as number; r < end; r++) {
    const to = runs[2 * r + 1] as number;
    for (let px = runs[2 * r] as number; px < to; px++) {
      const k = rowBlendIndex(h, lo, hi, w, px);
      if (k >= 0) pixels[first + px] = packed[k] as number;
    }
  }
}

/**
 * paintFullRuns for a canvas whose bytes are not 4-aligned: through `scratch`, an aligned copy of the panel row
 * (its width in pixels from canvas pixel `first`), written back whole.
 */
function paintFullRunsUnaligned(
  row: PanelRow,
  packed: Uint32Array,
  canvas: Uint8Array,
  first: number,
  scratch: Uint32Array,
): void {
  const bytes = new Uint8Array(scratch.buffer, scratch.byteOffset, scratch.byteLength);
  bytes.set(canvas.subarray(first * 4, first * 4 + bytes.length));
  paintFullRuns(row, packed, scratch, 0);
  canvas.set(bytes, first * 4);
}

/** The row's pixels of partial coverage, blended by their coverage. */
function paintEdges(row: PanelRow, lut: Lut, canvas: Uint8Array, first: number): void {
  const { covered, h, py, lo, hi, w } = row;
  const { rowEdges, edges, edgeCov } = covered;
  const end = rowEdges[py + 1] as number;
  for (let e = rowEdges[py] as number; e < end; e++) {
    const px = edges[e] as number;
    const k = rowBlendIndex(h, lo, hi, w, px);
    if (k < 0) continue;
    const r = lut[3 * k] as number;
    const g = lut[3 * k + 1] as number;
    const b = lut[3 * k + 2] as number;
    blendPixel(canvas, (first + px) * 4, r, g, b, edgeCov[e] as number);
  }
}

/** Source-over of a colour with coverage `cov` (0…255) onto a straight-alpha RGBA pixel. */
export function blendPixel(
  canvas: Uint8Array,
  o: number,
  r: number,
  g: number,
  b: number,
  cov: number,
): void {
  if (cov >= 255) {
    canvas[o] = r;
    canvas[o + 1] = g;
    canvas[o + 2] = b;
    canvas[o + 3] = 255;
    return;
  }
  const sa = cov / 255;
  const da = (canvas[o + 3] as number) / 255;
  const oa = sa + da * (1 - sa);
  if (oa <= 0) return;
  const k = da * (1 - sa);
  canvas[o] = Math.round((r * sa + (canvas[o] as number) * k) / oa);
  canvas[o + 1] = Math.round((g * sa + (canvas[o + 1] as number) * k) / oa);
  canvas[o + 2] = Math.round((b * sa + (canvas[o + 2] as number) * k) / oa);
  canvas[o + 3] = Math.round(oa * 255);
}

/** A canvas filled with the background. */
export function blankCanvas(width: number, height: number, background: 'transparent' | 'white'): Uint8Array {
  const canvas = new Uint8Array(width * height * 4);
  if (background === 'white') canvas.fill(255);
  return canvas;
}

/**
 * Canvases lent to renders that spend them synchronously (renderPng with synchronous zlib: the overlay is drawn into
 * the canvas and it is deflated before the call returns, so nothing holds it afterwards), by byte length, most
 * recently used last. At most MAX_LENT_SIZES sizes of up to 1024² pixels are kept; larger canvases are new.
 */
const MAX_LENT_SIZES = 2;
const MAX_LENT_BYTES = 1024 * 1024 * 4;
const lentBySize = new Map<number, Uint8Array>();

/**
 * A canvas filled with the background, reused from the last synchronous render of that size when there is one. With
 * `band` only its rows are filled: a band's picture is drawn and deflated from those rows alone.
 */
export function lentCanvas(
  width: number,
  height: number,
  background: 'transparent' | 'white',
  band?: RowBand,
): Uint8Array {
  const bytes = width * height * 4;
  if (bytes > MAX_LENT_BYTES) return blankCanvas(width, height, background);
  const hit = lentBySize.get(bytes);
  if (hit) lentBySize.delete(bytes);
  const canvas = hit ?? new Uint8Array(bytes);
  lentBySize.set(bytes, canvas);
  if (lentBySize.size > MAX_LENT_SIZES) lentBySize.delete(lentBySize.keys().next().value as number);
  const from = band ? Math.max(0, band.from) : 0;
  const to = band ? Math.min(height, band.to) : height;
  return canvas.fill(background === 'white' ? 255 : 0, from * width * 4, to * width * 4);
}

/**
 * Vertical colour bar: bottom row = vmin, top row = vmax, each row coloured by its centre value (only the rows of
 * `band` when given).
 */
export function paintColorbar(layout: Layout, lut: Lut, canvas: Uint8Array, band?: RowBand): void {
  const bar = layout.colorbar?.bar;
  if (!bar) return;
  const fromRow = Math.max(0, (band?.from ?? 0) - bar.y);
  const toRow = Math.min(bar.height, (band?.to ?? Infinity) - bar.y);
  for (let r = fromRow; r < toRow; r++) {
    const t = (bar.height - r - 0.5) / bar.height;
    const k = 3 * Math.min(LUT_SIZE - 1, Math.floor(t * LUT_SIZE));
    let o = ((bar.y + r) * layout.width + bar.x) * 4;
    for (let c = 0; c < bar.width; c++, o += 4) {
      blendPixel(canvas, o, lut[k] as number, lut[k + 1] as number, lut[k + 2] as number, 255);
    }
  }
}
