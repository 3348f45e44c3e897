/** Places the map panel, colour bar and title on the canvas, and fixes the data window shown by the panel. */
import { badRequest } from '../errors';
import type { Clip, RenderOptions, TopomapGeometry, Vec2 } from '../topomap/types';
import type { Layout, PixelRect } from './types';

/** Margin around the drawn content, as a fraction of the data window (keeps 1-px outlines inside the canvas). */
const VIEW_PAD = 0.03;

export const MIN_SIZE = 16;
/** 2048² RGBA plus scratch buffers stays under ~60 MB. */
export const MAX_SIZE = 2048;

type Box = [number, number, number, number];

function growBox(box: Box, points: readonly Vec2[]): Box {
  let [x0, x1, y0, y1] = box;
  for (const [x, y] of points) {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  return [x0, x1, y0, y1];
}

function clipCorners(clip: Clip): Vec2[] {
  if (clip.kind === 'polygon') return clip.points;
  const [cx, cy] = clip.center;
  const [rx, ry] = clip.radii;
  return [
    [cx - rx, cy - ry],
    [cx + rx, cy + ry],
  ];
}

/** Square data window around the image extent, the clip shape and (when drawn) the head outlines. */
export function viewBox(geometry: TopomapGeometry, withOutlines: boolean): Box {
  const [ex0, ex1, ey0, ey1] = geometry.extent;
  let box: Box = [ex0, ex1, ey0, ey1];
  box = growBox(box, clipCorners(geometry.clip));
  if (withOutlines) {
    const o = geometry.outlines;
    for (const line of [o.head, o.nose, o.earLeft, o.earRight]) box = growBox(box, line);
  }
  const cx = (box[0] + box[1]) / 2;
  const cy = (box[2] + box[3]) / 2;
  const half = (Math.max(box[1] - box[0], box[3] - box[2]) / 2) * (1 + 2 * VIEW_PAD);
  return [cx - half, cx + half, cy - half, cy + half];
}

function colorbarArea(size: number, panel: PixelRect): NonNullable<Layout['colorbar']> {
  const fontSize = Math.max(7, Math.round(size * 0.028));
  const barHeight = Math.round(panel.height * 0.62);
  const bar: PixelRect = {
    x: Math.round(panel.x + panel.width + size * 0.03),
    y: Math.round(panel.y + (panel.height - barHeight) / 2),
    width: Math.max(4, Math.round(size * 0.035)),
    height: barHeight,
  };
  return {
    bar,
    labelX: bar.x + bar.width + Math.max(3, fontSize * 0.4),
    titleY: bar.y - fontSize * 0.9,
    fontSize,
  };
}

/**
 * Canvas `size × size`. With a title the panel loses a band at the top; with a colour bar it loses a band on the
 * right. The panel is always square.
 */
export function makeLayout(geometry: TopomapGeometry, o: RenderOptions): Layout {
  const size = Math.round(o.size);
  if (!(size >= MIN_SIZE && size <= MAX_SIZE))
    throw badRequest(`size must be an integer in [${MIN_SIZE}, ${MAX_SIZE}]`);
  const titleBand = o.title ? Math.round(size * 0.1) : 0;
  const barBand = o.colorbar ? Math.round(size * 0.26) : 0;
  const side = Math.min(size - barBand, size - titleBand);
  // Title band and panel are centred together as one block.
  const top = Math.floor((size - titleBand - side) / 2);
  const panel: PixelRect = {
    x: Math.floor((size - barBand - side) / 2),
    y: top + titleBand,
    width: side,
    height: side,
  };
  const view = viewBox(geometry, o.outlines === 'head');
  const layout: Layout = { width: size, height: size, panel, view, scale: side / (view[1] - view[0]) };
  if (o.colorbar) layout.colorbar = colorbarArea(size, panel);
  if (o.title)
    layout.title = {
      x: panel.x + panel.width / 2,
      y: top + titleBand * 0.7,
      fontSize: Math.max(8, size * 0.05),
    };
  return layout;
}

/** Data coordinates (metres, y up) → canvas pixels (y down). */
export function toPixel(layout: Layout, [x, y]: Vec2): Vec2 {
  const { panel, view, scale } = layout;
  return [panel.x + (x - view[0]) * scale, panel.y + (view[3] - y) * scale];
}
