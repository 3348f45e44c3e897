/**
 * Contour lines of the interpolated grid (marching squares with linear interpolation along cell edges, as
 * matplotlib's `contour(Xi, Yi, Zi, levels)` on MNE's meshgrid Xi = linspace(xmin, xmax, res)). NaN corners follow
 * matplotlib's corner_mask=True: a cell with one NaN corner is contoured as the triangle of its other three corners,
 * a cell with more is skipped. Segments are joined into polylines through the cell edges they share.
 */
import type { Vec2 } from '../topomap/types';

export interface ContourLine {
  level: number;
  /** Polylines in data coordinates (metres); closed rings repeat their first point at the end. */
  lines: Vec2[][];
}

interface GridSpec {
  grid: Float64Array;
  res: number;
  extent: readonly [number, number, number, number];
}

/** More levels than this would only paint the map black; extra levels are ignored (bounds work per request). */
export const MAX_LEVELS = 100;

/** Levels matplotlib actually draws: strictly between the finite minimum and maximum of the grid. */
export function drawableLevels(grid: Float64Array, levels: readonly number[]): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of grid) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return [];
  return levels.slice(0, MAX_LEVELS).filter((l) => Number.isFinite(l) && l > lo && l < hi);
}

/** Edge ids: 2·(r·res + c) for the edge (r,c)–(r,c+1); 2·(r·res + c) + 1 for (r,c)–(r+1,c). */
const hEdge = (res: number, r: number, c: number): number => 2 * (r * res + c);
const vEdge = (res: number, r: number, c: number): number => 2 * (r * res + c) + 1;

/**
 * Segment table per case (bit 0: (r,c), 1: (r,c+1), 2: (r+1,c+1), 3: (r+1,c) above the level); edges B, R, T, L
 * = 0..3. Saddles (5, 10) are listed with a low centre: the high corners are cut off.
 */
const CASES: readonly (readonly [number, number][])[] = [
  [], [[3, 0]], [[0, 1]], [[3, 1]], [[1, 2]], [[3, 0], [1, 2]], [[0, 2]], [[3, 2]],
  [[2, 3]], [[2, 0]], [[0, 1], [2, 3]], [[2, 1]], [[1, 3]], [[1, 0]], [[0, 3]], [],
];

/** Diagonal of cell (r, c): kind 0 joins (r,c)–(r+1,c+1), kind 1 joins (r,c+1)–(r+1,c); ids follow the edges. */
const diagEdge = (res: number, r: number, c: number, kind: number): number => 2 * res * res + 2 * (r * res + c) + kind;

/** Grid end points [r1, c1, r2, c2] of an edge id. */
function edgeEnds(res: number, edge: number): [number, number, number, number] {
  const diagonal = edge >= 2 * res * res;
  const id = diagonal ? edge - 2 * res * res : edge;
  const cell = id >> 1;
  const r = Math.floor(cell / res);
  const c = cell % res;
  if (!diagonal) return id & 1 ? [r, c, r + 1, c] : [r, c, r, c + 1];
  return id & 1 ? [r, c + 1, r + 1, c] : [r, c, r + 1, c + 1];
}

/** The crossing point of `level` on an edge, in data coordinates. */
function crossing(spec: GridSpec, edge: number, level: number): Vec2 {
  const { grid, res, extent } = spec;
  const [r, c, r2, c2] = edgeEnds(res, edge);
  const za = grid[r * res + c] as number;
  const zb = grid[r2 * res + c2] as number;
  const t = (level - za) / (zb - za);
  const dx = (extent[1] - extent[0]) / (res - 1);
  const dy = (extent[3] - extent[2]) / (res - 1);
  return [extent[0] + (c + (c2 - c) * t) * dx, extent[2] + (r + (r2 - r) * t) * dy];
}

/**
 * The triangle left when corner `nan` (0 BL, 1 BR, 2 TR, 3 TL) is NaN: its vertices v0..v2 follow the ring, edges
 * v0–v1 and v1–v2 are cell edges and v2–v0 is the diagonal. The segment cuts off the vertex on its own side.
 */
function triangleSegment(z: readonly number[], edges: readonly number[], nan: number, diagonal: number, level: number): [number, number] | null {
  const v = [1, 2, 3].map((k) => (nan + k) % 4);
  const above = v.map((corner) => (z[corner] as number) > level);
  const e01 = edges[v[0]!]!;
  const e12 = edges[v[1]!]!;
  if (above[0] === above[1] && above[1] === above[2]) return null;
  if (above[1] === above[2]) return [diagonal, e01];
  if (above[0] === above[2]) return [e01, e12];
  return [e12, diagonal];
}

/** All cell segments of one level as pairs of edge ids. */
function cellSegments(spec: GridSpec, level: number): [number, number][] {
  const { grid, res } = spec;
  const segments: [number, number][] = [];
  for (let r = 0; r + 1 < res; r++) {
    for (let c = 0; c + 1 < res; c++) {
      const z = [grid[r * res + c], grid[r * res + c + 1], grid[(r + 1) * res + c + 1], grid[(r + 1) * res + c]];
      const edges = [hEdge(res, r, c), vEdge(res, r, c + 1), hEdge(res, r + 1, c), vEdge(res, r, c)];
      const nans = z.map((v) => v === undefined || !Number.isFinite(v)); // matplotlib masks ±inf like NaN
      const nanCount = nans.filter(Boolean).length;
      if (nanCount === 1) {
        const nan = nans.indexOf(true);
        const seg = triangleSegment(z as number[], edges, nan, diagEdge(res, r, c, nan % 2 === 0 ? 1 : 0), level);
        if (seg) segments.push(seg);
      }
      if (nanCount > 0) continue;
      const zs = z as number[];
      let kind = zs.reduce((acc, v, bit) => acc | (v > level ? 1 << bit : 0), 0);
      // Saddles: the cell centre decides which corners connect.
      if ((kind === 5 || kind === 10) && (zs[0]! + zs[1]! + zs[2]! + zs[3]!) / 4 > level) kind = kind === 5 ? 10 : 5;
      for (const [a, b] of CASES[kind] ?? []) segments.push([edges[a]!, edges[b]!]);
    }
  }
  return segments;
}

/** Joins segments sharing an edge into chains of edge ids (open chains first, then rings). */
function joinSegments(segments: readonly [number, number][]): number[][] {
  const links = new Map<number, number[]>();
  segments.forEach(([a, b], i) => {
    for (const e of [a, b]) links.set(e, [...(links.get(e) ?? []), i]);
  });
  const used = new Uint8Array(segments.length);
  const walk = (startSeg: number, startEdge: number): number[] => {
    const chain = [startEdge];
    let seg = startSeg;
    let edge = startEdge;
    while (seg >= 0 && !used[seg]) {
      used[seg] = 1;
      const [a, b] = segments[seg]!;
      edge = a === edge ? b : a;
      chain.push(edge);
      seg = (links.get(edge) ?? []).find((s) => !used[s]) ?? -1;
    }
    return chain;
  };
  const chains: number[][] = [];
  for (const [edge, segs] of links) if (segs.length === 1 && !used[segs[0]!]) chains.push(walk(segs[0]!, edge));
  segments.forEach(([a], i) => {
    if (!used[i]) chains.push(walk(i, a));
  });
  return chains;
}

/** Contour polylines for each level that lies strictly inside the grid's range. */
export function contourLines(spec: GridSpec, levels: readonly number[]): ContourLine[] {
  if (spec.res < 2 || spec.grid.length !== spec.res * spec.res) return [];
  return drawableLevels(spec.grid, levels).map((level) => ({
    level,
    lines: joinSegments(cellSegments(spec, level)).map((chain) => chain.map((e) => crossing(spec, e, level))),
  }));
}
