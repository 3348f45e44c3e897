/**
 * Anti-aliased coverage of the clip shape (MNE's Ellipse or local-hull Polygon patch) over the map panel:
 * pixel centres decide the interior, and pixels near the boundary are supersampled 4×4.
 */
import type { Clip, Vec2 } from '../topomap/types';
import { toPixel } from './layout';
import type { Layout } from './types';

const SUB = 4;

type Inside = (x: number, y: number) => boolean;

function ellipseTest(center: Vec2, rx: number, ry: number): Inside {
  const [cx, cy] = center;
  return (x, y) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
}

/** Even–odd rule point-in-polygon. */
function polygonTest(poly: readonly Vec2[]): Inside {
  const xs = Float64Array.from(poly, (p) => p[0]);
  const ys = Float64Array.from(poly, (p) => p[1]);
  const n = poly.length;
  return (x, y) => {
    let inside = false;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const yi = ys[i] as number;
      const yj = ys[j] as number;
      if (yi > y !== yj > y) {
        const xi = xs[i] as number;
        const xj = xs[j] as number;
        if (x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
    return inside;
  };
}

interface PixelClip {
  boundary: Vec2[];
  inside: Inside;
  crossings: (y: number) => number[];
}

/** The clip boundary as a closed pixel-space polyline, an inside test and row crossings, in panel-local pixels. */
export function clipInPixels(layout: Layout, clip: Clip): PixelClip {
  const local = (p: Vec2): Vec2 => {
    const [x, y] = toPixel(layout, p);
    return [x - layout.panel.x, y - layout.panel.y];
  };
  if (clip.kind === 'polygon') {
    const boundary = clip.points.map(local);
    return {
      boundary,
      inside: polygonTest(boundary),
      crossings: polygonCrossings(boundary, layout.panel.width),
    };
  }
  const center = local(clip.center);
  const rx = clip.radii[0] * layout.scale;
  const ry = clip.radii[1] * layout.scale;
  const steps = Math.max(64, Math.ceil(2 * Math.PI * Math.max(rx, ry)));
  const boundary: Vec2[] = [];
  for (let k = 0; k < steps; k++) {
    const t = (2 * Math.PI * k) / steps;
    boundary.push([center[0] + rx * Math.cos(t), center[1] + ry * Math.sin(t)]);
  }
  return { boundary, inside: ellipseTest(center, rx, ry), crossings: ellipseCrossings(center, rx, ry) };
}

/** Marks every pixel within about one pixel of the boundary polyline. */
function markBoundary(boundary: readonly Vec2[], side: number): Uint8Array {
  const near = new Uint8Array(side * side);
  const n = boundary.length;
  for (let k = 0; k < n; k++) {
    const [ax, ay] = boundary[k] as Vec2;
    const [bx, by] = boundary[(k + 1) % n] as Vec2;
    const steps = Math.min(4 * side, Math.ceil(2 * Math.hypot(bx - ax, by - ay)) + 1);
    for (let s = 0; s <= steps; s++) {
      const px = Math.floor(ax + ((bx - ax) * s) / steps);
      const py = Math.floor(ay + ((by - ay) * s) / steps);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = px + dx;
          const y = py + dy;
          if (x >= 0 && y >= 0 && x < side && y < side) near[y * side + x] = 1;
        }
      }
    }
  }
  return near;
}

function supersample(inside: Inside, px: number, py: number): number {
  let hits = 0;
  for (let sy = 0; sy < SUB; sy++) {
    for (let sx = 0; sx < SUB; sx++) {
      if (inside(px + (sx + 0.5) / SUB, py + (sy + 0.5) / SUB)) hits++;
    }
  }
  return Math.round((255 * hits) / (SUB * SUB));
}

/** Sorted x positions where the row y crosses a closed polygon (even–odd pairs bound the inside). */
function polygonCrossings(poly: readonly Vec2[], side: number): (y: number) => number[] {
  const edgesAt = edgesByRow(poly, side);
  return (y) => {
    const xs: number[] = [];
    for (const i of edgesAt(y)) {
      const j = i === 0 ? poly.length - 1 : i - 1;
      const [xi, yi] = poly[i] as Vec2;
      const [xj, yj] = poly[j] as Vec2;
      if (yi > y !== yj > y) xs.push(((xj - xi) * (y - yi)) / (yj - yi) + xi);
    }
    return xs.sort((a, b) => a - b);
  };
}

/**
 * The edges (j = i − 1 → i, closing edge first) that can cross a row y: an edge crosses y only when
 * min(yi, yj) ≤ y < max(yi, yj), so only when floor(y) lies in [floor(min), floor(max)]; edges are listed per
 * pixel row once, in polygon order. Rows outside the panel, or any non-finite vertex, get every edge.
 */
function edgesByRow(poly: readonly Vec2[], side: number): (y: number) => readonly number[] {
  const n = poly.length;
  const all = Array.from({ length: n }, (_, i) => i);
  if (!poly.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y))) return () => all;
  const rows: number[][] = Array.from({ length: side }, () => []);
  for (let i = 0; i < n; i++) {
    const yi = (poly[i] as Vec2)[1];
    const yj = (poly[i === 0 ? n - 1 : i - 1] as Vec2)[1];
    const from = Math.max(0, Math.floor(Math.min(yi, yj)));
    const to = Math.min(side - 1, Math.floor(Math.max(yi, yj)));
    for (let r = from; r <= to; r++) (rows[r] as number[]).push(i);
  }
  return (y) => {
    const r = Math.floor(y);
    return r >= 0 && r < side ? (rows[r] as number[]) : all;
  };
}

function ellipseCrossings(center: Vec2, rx: number, ry: number): (y: number) => number[] {
  return (y) => {
    const t = 1 - ((y - center[1]) / ry) ** 2;
    if (!(t >= 0)) return [];
    const half = rx * Math.sqrt(t);
    return [center[0] - half, center[0] + half];
  };
}

/** Scanline fill of the pixels whose centres lie inside. */
function fillInterior(crossings: (y: number) => number[], side: number, cover: Uint8Array): void {
  for (let py = 0; py < side; py++) {
    const xs = crossings(py + 0.5);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const from = Math.max(0, Math.ceil((xs[k] as number) - 0.5));
      const to = Math.min(side, Math.ceil((xs[k + 1] as number) - 0.5));
      if (to > from) cover.fill(255, py * side + from, py * side + to);
    }
  }
}

/**
 * Supersampled coverage of the boundary pixels of a polygon clip, a row at a time: the crossings of each sub-row
 * are found once (the same arithmetic as `polygonTest`, so every sample agrees with it), then each sample of a
 * marked pixel is inside when an odd number of crossings lie to its right.
 */
function supersamplePolygonRows(
  crossings: (y: number) => number[],
  near: Uint8Array,
  side: number,
  cover: Uint8Array,
): void {
  const subRows: number[][] = [];
  for (let py = 0; py < side; py++) {
    const row = py * side;
    const first = near.indexOf(1, row);
    if (first < 0) return;
    if (first >= row + side) {
      py = Math.floor(first / side) - 1;
      continue;
    }
    for (let sy = 0; sy < SUB; sy++) subRows[sy] = crossings(py + (sy + 0.5) / SUB);
    for (let px = first - row; px < side; px++) {
      if (!near[row + px]) continue;
      let hits = 0;
      for (const xs of subRows) {
        for (let sx = 0; sx < SUB; sx++) {
          const x = px + (sx + 0.5) / SUB;
          let right = 0;
          for (const c of xs) if (x < c) right++;
          hits += right & 1;
        }
      }
      cover[row + px] = Math.round((255 * hits) / (SUB * SUB));
    }
  }
}

/** Coverage 0…255 of each panel pixel (row-major, panel-local). */
export function clipCoverage(layout: Layout, clip: Clip): Uint8Array {
  const side = layout.panel.width;
  const { boundary, inside, crossings } = clipInPixels(layout, clip);
  const near = markBoundary(boundary, side);
  const cover = new Uint8Array(side * side);
  fillInterior(crossings, side, cover);
  if (clip.kind === 'polygon') {
    supersamplePolygonRows(crossings, near, side, cover);
    return cover;
  }
  for (let i = 0; i < near.length; i++)
    if (near[i]) cover[i] = supersample(inside, i % side, Math.floor(i / side));
  return cover;
}
