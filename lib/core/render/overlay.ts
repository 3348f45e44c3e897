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
import type { Layout, Stroke } from './types';

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
  const dashes: Vec2[][] = [];
  dashFlat(xy, line.length, pattern, (dash) => dashes.push(dash));
  return dashes;
}

/** `dashed` over the first n points of flat coordinates (x0, y0, x1, y1, …), handing each dash to `emit`. */
function dashFlat(
  xy: Float64Array,
  n: number,
  pattern: readonly [number, number],
  emit: (dash: Vec2[]) => void,
): void {
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
    while (seg > left) {
      const t = left / seg;
      const cutX = x0 + (x1 - x0) * t;
      const cutY = y0 + (y1 - y0) * t;
      if (drawing) emit(dashOf(xy, startX, startY, from, i, [cutX, cutY]));
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
  if (drawing && n - from > 0) emit(dashOf(xy, startX, startY, from, n));
}

/** [start, point from, …, point to − 1, end] as an array of its exact length (end omitted when not given). */
function dashOf(
  xy: Float64Array,
  startX: number,
  startY: number,
  from: number,
  to: number,
  end?: Vec2,
): Vec2[] {
  const dash = new Array<Vec2>(to - from + (end ? 2 : 1));
  dash[0] = [startX, startY];
  for (let j = from; j < to; j++) dash[j - from + 1] = [xy[2 * j] as number, xy[2 * j + 1] as number];
  if (end) dash[dash.length - 1] = end;
  return dash;
}

/** Pixel coordinates of toPixel, kept across calls for dashed lines (overlay building is synchronous). */
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

/** toPixel of points from…to − 1 of `xy` (data coordinates). */
function pixelPoints(layout: Layout, xy: Float64Array, from: number, to: number): Vec2[] {
  const { panel, view, scale } = layout;
  const points = new Array<Vec2>(to - from);
  for (let j = from; j < to; j++)
    points[j - from] = [
      panel.x + ((xy[2 * j] as number) - view[0]) * scale,
      panel.y + (view[3] - (xy[2 * j + 1] as number)) * scale,
    ];
  return points;
}

/** Contours as MNE draws them: black, 0.5 pt; negative levels dashed (matplotlib's `contour.negative_linestyle`). */
function contourStrokes(layout: Layout, contours: readonly ContourPaths[]): Stroke[] {
  const width = CONTOUR_WIDTH_PT * PX_PER_PT;
  const pattern: [number, number] = [DASH_PATTERN[0]! * width, DASH_PATTERN[1]! * width];
  const strokes: Stroke[] = [];
  const emit = (dash: Vec2[]): void => {
    strokes.push(stroke(dash, width, 'contour', false, true));
  };
  for (const c of contours) {
    const { xy, starts } = c;
    for (let k = 0; k + 1 < starts.length; k++) {
      const from = starts[k] as number;
      const to = starts[k + 1] as number;
      if (c.level >= 0) {
        strokes.push(stroke(pixelPoints(layout, xy, from, to), width, 'contour', false, true));
        continue;
      }
      if (pixelScratch.length < 2 * (to - from)) pixelScratch = new Float64Array(4 * (to - from));
      pixelsInto(layout, xy, from, to, pixelScratch);
      dashFlat(pixelScratch, to - from, pattern, emit);
    }
  }
  return strokes;
}

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
  below: Stroke[];
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
  const below = o.contours ? contourStrokes(layout, contours) : [];
  const above = colorbarLabels(layout, m);
  if (o.title && layout.title)
    above.push(...text(o.title, layout.title.x, layout.title.y, layout.title.fontSize, 'middle'));
  return { below: drawable(below), above: drawable(above) };
}

/** The full display list, in drawing order (contours under outlines under sensors under text). */
export function buildOverlay(
  layout: Layout,
  m: RenderableMap,
  o: RenderOptions,
  contours: readonly ContourPaths[],
): Stroke[] {
  const { below, above } = dataStrokes(layout, m, o, contours);
  return [...below, ...decorStrokes(layout, m, o), ...above];
}
