/**
 * Everything drawn over the image as a display list of pen strokes in canvas pixels: head outline, nose and ears,
 * contour lines, sensors, channel names, colour-bar frame, ticks and labels, title. The SVG writer and the
 * direct rasteriser both consume this list, so both outputs show the same thing.
 */
import type { RenderableMap, RenderOptions, Vec2 } from '../topomap/types';
import type { ContourLine } from './contours';
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
 * points line[from…] passed while drawing, and its end (a cut, or the last point); its points are the line's own
 * Vec2s where they are the line's points.
 */
export function dashed(line: readonly Vec2[], pattern: readonly [number, number]): Vec2[][] {
  const [on, off] = pattern;
  const dashes: Vec2[][] = [];
  let drawing = true;
  let left = on;
  let start = line[0];
  let from = 1;
  for (let i = 1; i < line.length; i++) {
    const a = line[i - 1]!;
    const to = line[i]!;
    let x0 = a[0];
    let y0 = a[1];
    const x1 = to[0];
    const y1 = to[1];
    let seg = Math.hypot(x1 - x0, y1 - y0);
    while (seg > left) {
      const t = left / seg;
      const cut: Vec2 = [x0 + (x1 - x0) * t, y0 + (y1 - y0) * t];
      if (drawing) dashes.push(dashOf(line, start!, from, i, cut));
      start = cut;
      from = i;
      drawing = !drawing;
      seg -= left;
      x0 = cut[0];
      y0 = cut[1];
      left = drawing ? on : off;
    }
    left -= seg;
  }
  if (drawing && line.length - from > 0) dashes.push(dashOf(line, start!, from, line.length));
  return dashes;
}

/** [start, line[from], …, line[to − 1], end] as an array of its exact length (end omitted when not given). */
function dashOf(line: readonly Vec2[], start: Vec2, from: number, to: number, end?: Vec2): Vec2[] {
  const dash = line.slice(from - 1, end ? to + 1 : to);
  dash[0] = start;
  if (end) dash[dash.length - 1] = end;
  return dash;
}

/** Contours as MNE draws them: black, 0.5 pt; negative levels dashed (matplotlib's `contour.negative_linestyle`). */
function contourStrokes(layout: Layout, contours: readonly ContourLine[]): Stroke[] {
  const width = CONTOUR_WIDTH_PT * PX_PER_PT;
  const pattern: [number, number] = [DASH_PATTERN[0]! * width, DASH_PATTERN[1]! * width];
  const strokes: Stroke[] = [];
  for (const c of contours) {
    for (const line of c.lines) {
      const px = line.map((p) => toPixel(layout, p));
      if (c.level >= 0) strokes.push(stroke(px, width, 'contour', false, true));
      else
        for (const piece of dashed(px, pattern)) strokes.push(stroke(piece, width, 'contour', false, true));
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

/** Non-finite positions (bad channel locations) cannot be drawn. */
const drawable = (strokes: Stroke[]): Stroke[] => strokes.filter((s) => finitePoints(s.points));

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
  contours: readonly ContourLine[],
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
  contours: readonly ContourLine[],
): Stroke[] {
  const { below, above } = dataStrokes(layout, m, o, contours);
  return [...below, ...decorStrokes(layout, m, o), ...above];
}
