/**
 * Everything drawn over the image as a display list of pen strokes in canvas pixels: head outline, nose and ears,
 * contour lines, sensors, channel names, colour-bar frame, ticks and labels, title. The SVG writer and the
 * direct rasteriser both consume this list, so both outputs show the same thing.
 */
import type { RenderableMap, RenderOptions, Vec2 } from '../topomap/types';
import type { ContourPaths } from './contours';
import { penWidth, textStrokes, type Anchor } from './font';
import { toPixel } from './layout';
import { autoBins, colorbarRange, colorbarTicks } from './ticks';
import type { FlatStrokes, Layout, Pen, Stroke } from './types';

type Kind = Stroke['kind'];

const stroke = (points: Vec2[], width: number, kind: Kind, closed = false, clipped = false): Stroke => ({
  points,
  width,
  closed,
  clipped,
  grey: 0,
  kind,
});

function text(s: string, x: number, y: number, size: number, anchor: Anchor): Stroke[] {
  return textStrokes(s, x, y, size, anchor).map((line) => stroke(line, penWidth(size), 'text'));
}

/** matplotlib at MNE's dpi (100): one point is 100/72 pixels, whatever the canvas size (MNE's look at that size). */
export const PX_PER_PT = 100 / 72;
/** MNE 1.3 `_draw_outlines`: head, nose and ears with linewidth=1 (pt), colour axes.edgecolor (black). */
export const OUTLINE_WIDTH_PT = 1;
/** MNE 1.3 `plot_topomap`: `contour(..., colors='k', linewidths=mask_params['markeredgewidth'] / 2)` = 0.5 pt. */
export const CONTOUR_WIDTH_PT = 0.5;
/** matplotlib's `lines.dashed_pattern` (on, off in line widths; `lines.scale_dashes`) for negative contours. */
const DASH_PATTERN = [3.7, 1.6];
/**
 * MNE 1.3 `_topomap_plot_sensors`: `scatter(s=0.25, marker='o', facecolor='none', edgecolor='k')` — a 0.5-pt
 * ring drawn with the collection's default 1-pt edge (`patch.linewidth`; 'o' is a filled marker): a solid black
 * dot 1.5 pt across.
 */
const SENSOR_RING_DIAMETER_PT = 0.5;
const SENSOR_EDGE_PT = 1;

function outlineStrokes(layout: Layout, m: RenderableMap): Stroke[] {
  const o = m.map.geometry.outlines;
  return [o.head, o.nose, o.earLeft, o.earRight].map((line) =>
    stroke(
      line.map((p) => toPixel(layout, p)),
      OUTLINE_WIDTH_PT * PX_PER_PT,
      'outline',
    ),
  );
}

/**
 * Flat strokes being built (kept across calls: overlay building is synchronous): `points` points of `xy` and
 * `strokes` strokes of `starts` in use, starts[strokes] the start of the stroke being built.
 */
interface FlatBuilder {
  xy: Float64Array;
  points: number;
  starts: Int32Array;
  strokes: number;
  /** Drop strokes with a non-finite coordinate as they end (as `drawable` does). */
  drawableOnly: boolean;
}

const flatBuilder = (drawableOnly: boolean): FlatBuilder => ({
  xy: new Float64Array(4096),
  points: 0,
  starts: new Int32Array(256),
  strokes: 0,
  drawableOnly,
});

function restart(b: FlatBuilder): FlatBuilder {
  b.points = 0;
  b.strokes = 0;
  b.starts[0] = 0;
  return b;
}

/** Makes room for `more` points. */
function room(b: FlatBuilder, more: number): void {
  if (2 * (b.points + more) <= b.xy.length) return;
  const grown = new Float64Array(Math.max(4 * (b.points + more), 2 * b.xy.length));
  grown.set(b.xy.subarray(0, 2 * b.points));
  b.xy = grown;
}

/** Ends the stroke being built (dropping it if it cannot be drawn and only drawable strokes are kept). */
function endStroke(b: FlatBuilder): void {
  const first = b.starts[b.strokes] as number;
  if (b.drawableOnly) {
    for (let k = 2 * first; k < 2 * b.points; k++) {
      if (!Number.isFinite(b.xy[k] as number)) {
        b.points = first;
        return;
      }
    }
  }
  if (b.strokes + 2 > b.starts.length) {
    const grown = new Int32Array(2 * b.starts.length);
    grown.set(b.starts);
    b.starts = grown;
  }
  b.strokes++;
  b.starts[b.strokes] = b.points;
}

/** Appends point j of flat coordinates `xy` to the stroke being built (room made by the caller). */
function copyPoint(b: FlatBuilder, xy: Float64Array, j: number): void {
  b.xy[2 * b.points] = xy[2 * j] as number;
  b.xy[2 * b.points + 1] = xy[2 * j + 1] as number;
  b.points++;
}

/**
 * Cuts a polyline into dashes: `pattern` = [on, off] lengths in pixels, starting with a dash at the first point
 * (matplotlib restarts the pattern on every path). A dash is its start (the first point or a cut), the line's
 * points line[from…] passed while drawing, and its end (a cut, or the last point).
 */
export function dashed(line: readonly Vec2[], pattern: readonly [number, number]): Vec2[][] {
  const xy = new Float64Array(2 * line.length);
  line.forEach((p, k) => {
    xy[2 * k] = p[0];
    xy[2 * k + 1] = p[1];
  });
  const b = flatBuilder(false);
  dashFlat(xy, line.length, pattern, b);
  return Array.from({ length: b.strokes }, (_, k) =>
    flatPoints(b.xy, b.starts[k] as number, b.starts[k + 1] as number),
  );
}

/** Longest segment dashFlat cuts, in pixels: images are at most a few thousand pixels across. */
const MAX_DASHED_SEGMENT_PX = 65536;

/** `dashed` over the first n points of flat coordinates (x0, y0, x1, y1, …), each dash a stroke of `out`. */
function dashFlat(xy: Float64Array, n: number, pattern: readonly [number, number], out: FlatBuilder): void {
  const [on, off] = pattern;
  let drawing = true;
  let left = on;
  let startX = xy[0] as number;
  let startY = xy[1] as number;
  let from = 1;
  for (let i = 1; i < n; i++) {
    let x0 = xy[2 * i - 2] as number;
    let y0 = xy[2 * i - 1] as number;
    const x1 = xy[2 * i] as number;
    const y1 = xy[2 * i + 1] as number;
    let seg = Math.hypot(x1 - x0, y1 - y0);
    // A segment no canvas holds (infinite or absurdly long coordinates) would cut without end: the line stops here.
    if (!(seg <= MAX_DASHED_SEGMENT_PX) && !Number.isNaN(seg)) return;
    while (seg > left) {
      const t = left / seg;
      const cutX = x0 + (x1 - x0) * t;
      const cutY = y0 + (y1 - y0) * t;
      if (drawing) {
        // [start, line[from…i − 1], cut]
        room(out, i - from + 2);
        dashStart(out, startX, startY);
        for (let j = from; j < i; j++) copyPoint(out, xy, j);
        dashStart(out, cutX, cutY);
        endStroke(out);
      }
      startX = cutX;
      startY = cutY;
      from = i;
      drawing = !drawing;
      seg -= left;
      x0 = cutX;
      y0 = cutY;
      left = drawing ? on : off;
    }
    left -= seg;
  }
  if (drawing && n - from > 0) {
    room(out, n - from + 1);
    dashStart(out, startX, startY);
    for (let j = from; j < n; j++) copyPoint(out, xy, j);
    endStroke(out);
  }
}

/** Appends (x, y) to the stroke being built (room made by the caller). */
function dashStart(b: FlatBuilder, x: number, y: number): void {
  b.xy[2 * b.points] = x;
  b.xy[2 * b.points + 1] = y;
  b.points++;
}

/** Points from…to − 1 of flat coordinates as Vec2s. */
function flatPoints(xy: Float64Array, from: number, to: number): Vec2[] {
  const points = new Array<Vec2>(to - from);
  for (let j = from; j < to; j++) points[j - from] = [xy[2 * j] as number, xy[2 * j + 1] as number];
  return points;
}

/** The strokes of `flat` as Stroke objects (what the SVG writer and the display list take). */
export function flatStrokeList(flat: FlatStrokes): Stroke[] {
  const { pen, xy, starts } = flat;
  const strokes: Stroke[] = [];
  for (let k = 0; k + 1 < starts.length; k++)
    strokes.push({ ...pen, points: flatPoints(xy, starts[k] as number, starts[k + 1] as number) });
  return strokes;
}

/** Pixel coordinates of a line, kept across calls (overlay building is synchronous). */
let pixelScratch = new Float64Array(1024);

/** Writes toPixel of points from…to − 1 of `xy` (data coordinates) to `out` from its start. */
function pixelsInto(layout: Layout, xy: Float64Array, from: number, to: number, out: Float64Array): void {
  const { panel, view, scale } = layout;
  for (let j = from; j < to; j++) {
    const k = 2 * (j - from);
    out[k] = panel.x + ((xy[2 * j] as number) - view[0]) * scale;
    out[k + 1] = panel.y + (view[3] - (xy[2 * j + 1] as number)) * scale;
  }
}

const contourBuilder = flatBuilder(true);

/**
 * Contours as MNE draws them: black, 0.5 pt; negative levels dashed (matplotlib's `contour.negative_linestyle`).
 * Only drawable strokes are kept.
 */
function contourStrokes(layout: Layout, contours: readonly ContourPaths[]): FlatStrokes {
  const width = CONTOUR_WIDTH_PT * PX_PER_PT;
  const pattern: [number, number] = [DASH_PATTERN[0]! * width, DASH_PATTERN[1]! * width];
  const b = restart(contourBuilder);
  for (const c of contours) {
    const { xy, starts } = c;
    for (let k = 0; k + 1 < starts.length; k++) {
      const from = starts[k] as number;
      const to = starts[k + 1] as number;
      const n = to - from;
      if (pixelScratch.length < 2 * n) pixelScratch = new Float64Array(4 * n);
      pixelsInto(layout, xy, from, to, pixelScratch);
      if (c.level < 0) {
        dashFlat(pixelScratch, n, pattern, b);
        continue;
      }
      room(b, n);
      for (let j = 0; j < n; j++) copyPoint(b, pixelScratch, j);
      endStroke(b);
    }
  }
  return finishedStrokes(b, contourPen(width));
}

const contourPen = (width: number): Pen => ({
  width,
  closed: false,
  clipped: true,
  grey: 0,
  kind: 'contour',
});

/** The strokes built, in arrays of their own. */
const finishedStrokes = (b: FlatBuilder, pen: Pen): FlatStrokes => ({
  pen,
  xy: b.xy.slice(0, 2 * b.points),
  starts: b.starts.slice(0, b.strokes + 1),
});

/** MNE's sensor markers: solid black dots 1.5 pt across (see SENSOR_RING_DIAMETER_PT). */
function sensorStrokes(layout: Layout, m: RenderableMap): Stroke[] {
  const r = (SENSOR_RING_DIAMETER_PT / 2) * PX_PER_PT;
  return m.map.geometry.pos2d.map((p) => {
    const [cx, cy] = toPixel(layout, p);
    const ring: Vec2[] = [];
    for (let k = 0; k < 12; k++)
      ring.push([cx + r * Math.cos((k * Math.PI) / 6), cy + r * Math.sin((k * Math.PI) / 6)]);
    return stroke(ring, SENSOR_EDGE_PT * PX_PER_PT, 'sensor', true);
  });
}

function nameStrokes(layout: Layout, m: RenderableMap): Stroke[] {
  const size = Math.max(6, layout.panel.width * 0.018);
  return m.map.geometry.pos2d.flatMap((p, i) => {
    const [x, y] = toPixel(layout, p);
    return text(m.channelNames[i] ?? '', x, y - size * 0.35, size, 'middle');
  });
}

function colorbarFrame(layout: Layout): Stroke[] {
  const cb = layout.colorbar;
  if (!cb) return [];
  const { bar } = cb;
  const frame: Vec2[] = [
    [bar.x, bar.y],
    [bar.x + bar.width, bar.y],
    [bar.x + bar.width, bar.y + bar.height],
    [bar.x, bar.y + bar.height],
  ];
  return [stroke(frame, 1, 'frame', true)];
}

/**
 * Ticks and labels where a matplotlib colour bar of this height puts them (`ticks.ts`: AutoLocator, ScalarFormatter
 * labels that are never equal), in display units; the unit above the bar, after matplotlib's offset text if any.
 */
function colorbarLabels(layout: Layout, m: RenderableMap): Stroke[] {
  const cb = layout.colorbar;
  if (!cb) return [];
  const { bar, fontSize } = cb;
  const { vmin, vmax } = m.scale;
  const out: Stroke[] = [];
  const [lo, hi] = colorbarRange(vmin * m.displayScale, vmax * m.displayScale);
  const { ticks, labels, offset } = colorbarTicks(lo, hi, autoBins(bar.height, fontSize));
  ticks.forEach((v, i) => {
    const t = hi === lo ? 0.5 : (v - lo) / (hi - lo);
    const y = bar.y + bar.height * (1 - t);
    out.push(
      stroke(
        [
          [bar.x + bar.width, y],
          [bar.x + bar.width + fontSize * 0.3, y],
        ],
        1,
        'frame',
      ),
    );
    out.push(...text(labels[i] ?? '', cb.labelX + fontSize * 0.2, y + fontSize * 0.36, fontSize, 'start'));
  });
  const title = offset ? `${offset} ${m.displayUnit}` : m.displayUnit;
  out.push(...text(title, bar.x, cb.titleY, fontSize * 1.3, 'start'));
  return out;
}

function finitePoints(points: readonly Vec2[]): boolean {
  for (const p of points) if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) return false;
  return true;
}

const finiteStroke = (s: Stroke): boolean => finitePoints(s.points);

/** Non-finite positions (bad channel locations) cannot be drawn; `strokes` itself when all can. */
const drawable = (strokes: Stroke[]): Stroke[] =>
  strokes.every(finiteStroke) ? strokes : strokes.filter(finiteStroke);

/** The overlay split by what it depends on; drawn in the order below, decor, above. */
export interface OverlayParts {
  /** Contour lines (depend on the data), under everything else. */
  below: FlatStrokes;
  /** Head outline, nose, ears, sensors, channel names, colour-bar frame: fixed by geometry, layout and options. */
  decor: Stroke[];
  /** Colour-bar ticks, tick labels and unit (depend on the scale), then the title. */
  above: Stroke[];
}

/** The options and names the decor strokes depend on (besides geometry and layout), as a cache key. */
export function decorKey(m: RenderableMap, o: RenderOptions): string {
  const names = o.names ? m.channelNames.join('\u0000') : '';
  return [o.outlines, o.sensors, o.names, o.colorbar, names].join('|');
}

/** The strokes that depend only on geometry, layout and `decorKey`. */
export function decorStrokes(layout: Layout, m: RenderableMap, o: RenderOptions): Stroke[] {
  const strokes: Stroke[] = [];
  if (o.outlines === 'head') strokes.push(...outlineStrokes(layout, m));
  if (o.sensors) strokes.push(...sensorStrokes(layout, m));
  if (o.names) strokes.push(...nameStrokes(layout, m));
  strokes.push(...colorbarFrame(layout));
  return drawable(strokes);
}

/** The strokes that change with the data: contours below the decor, colour-bar labels and title above it. */
export function dataStrokes(
  layout: Layout,
  m: RenderableMap,
  o: RenderOptions,
  contours: readonly ContourPaths[],
): Omit<OverlayParts, 'decor'> {
  const below = contourStrokes(layout, o.contours ? contours : []);
  const above = colorbarLabels(layout, m);
  if (o.title && layout.title)
    above.push(...text(o.title, layout.title.x, layout.title.y, layout.title.fontSize, 'middle'));
  return { below, above: drawable(above) };
}

/** The full display list, in drawing order (contours under outlines under sensors under text). */
export function buildOverlay(
  layout: Layout,
  m: RenderableMap,
  o: RenderOptions,
  contours: readonly ContourPaths[],
): Stroke[] {
  const { below, above } = dataStrokes(layout, m, o, contours);
  return [...flatStrokeList(below), ...decorStrokes(layout, m, o), ...above];
}
