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
  [],
  [[3, 0]],
  [[0, 1]],
  [[3, 1]],
  [[1, 2]],
  [
    [3, 0],
    [1, 2],
  ],
  [[0, 2]],
  [[3, 2]],
  [[2, 3]],
  [[2, 0]],
  [
    [0, 1],
    [2, 3],
  ],
  [[2, 1]],
  [[1, 3]],
  [[1, 0]],
  [[0, 3]],
  [],
];

/** Diagonal of cell (r, c): kind 0 joins (r,c)–(r+1,c+1), kind 1 joins (r,c+1)–(r+1,c); ids follow the edges. */
const diagEdge = (res: number, r: number, c: number, kind: number): number =>
  2 * res * res + 2 * (r * res + c) + kind;

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

/** Edge id of side k (0 B, 1 R, 2 T, 3 L) of cell (r, c). */
function cellEdge(res: number, r: number, c: number, side: number): number {
  if (side === 0) return hEdge(res, r, c);
  if (side === 1) return vEdge(res, r, c + 1);
  if (side === 2) return hEdge(res, r + 1, c);
  return vEdge(res, r, c);
}

/** Grid value at corner k (0 BL, 1 BR, 2 TR, 3 TL) of cell (r, c). */
function cornerValue(spec: GridSpec, r: number, c: number, k: number): number {
  const { grid, res } = spec;
  const row = k < 2 ? r : r + 1;
  const col = k === 0 || k === 3 ? c : c + 1;
  return grid[row * res + col] as number;
}

/**
 * The segment of a cell with exactly one non-finite corner, contoured as the triangle of the other three: its
 * vertices v0..v2 follow the ring from the NaN corner, edges v0–v1 and v1–v2 are cell edges (sides v0 and v1) and
 * v2–v0 is the diagonal. The segment cuts off the vertex on its own side. Appended to `segments` if there is one.
 */
function triangleCell(spec: GridSpec, r: number, c: number, level: number, segments: number[]): void {
  const { res } = spec;
  let nan = 0;
  while (nan < 3 && Number.isFinite(cornerValue(spec, r, c, nan))) nan++;
  const v0 = (nan + 1) % 4;
  const v1 = (nan + 2) % 4;
  const v2 = (nan + 3) % 4;
  const above0 = cornerValue(spec, r, c, v0) > level;
  const above1 = cornerValue(spec, r, c, v1) > level;
  const above2 = cornerValue(spec, r, c, v2) > level;
  if (above0 === above1 && above1 === above2) return;
  const diagonal = diagEdge(res, r, c, nan % 2 === 0 ? 1 : 0);
  const e01 = cellEdge(res, r, c, v0);
  const e12 = cellEdge(res, r, c, v1);
  if (above1 === above2) segments.push(diagonal, e01);
  else if (above0 === above2) segments.push(e01, e12);
  else segments.push(e12, diagonal);
}

/** Per cell (r·(res − 1) + c): the smallest and largest corner value, and how many corners are non-finite. */
interface CellRanges {
  lo: Float64Array;
  hi: Float64Array;
  masked: Uint8Array;
}

function cellRanges(spec: GridSpec): CellRanges {
  const { grid, res } = spec;
  const n = (res - 1) * (res - 1);
  const ranges: CellRanges = { lo: new Float64Array(n), hi: new Float64Array(n), masked: new Uint8Array(n) };
  for (let r = 0; r + 1 < res; r++) {
    for (let c = 0; c + 1 < res; c++) {
      const z0 = grid[r * res + c] as number;
      const z1 = grid[r * res + c + 1] as number;
      const z2 = grid[(r + 1) * res + c + 1] as number;
      const z3 = grid[(r + 1) * res + c] as number;
      const k = r * (res - 1) + c;
      // matplotlib masks ±inf like NaN
      ranges.masked[k] =
        +!Number.isFinite(z0) + +!Number.isFinite(z1) + +!Number.isFinite(z2) + +!Number.isFinite(z3);
      ranges.lo[k] = Math.min(z0, z1, z2, z3);
      ranges.hi[k] = Math.max(z0, z1, z2, z3);
    }
  }
  return ranges;
}

/**
 * All cell segments of one level as a flat list of edge-id pairs, cell by cell (rows bottom to top). Cells whose
 * corners are all above or all at/below the level have none and are skipped on their range.
 */
function cellSegments(spec: GridSpec, ranges: CellRanges, level: number): number[] {
  const { grid, res } = spec;
  const { lo, hi, masked } = ranges;
  const segments: number[] = [];
  for (let r = 0; r + 1 < res; r++) {
    for (let c = 0; c + 1 < res; c++) {
      const k = r * (res - 1) + c;
      const nanCount = masked[k] as number;
      if (nanCount > 0) {
        if (nanCount === 1) triangleCell(spec, r, c, level, segments);
        continue;
      }
      if (!((lo[k] as number) <= level && level < (hi[k] as number))) continue;
      const z0 = grid[r * res + c] as number;
      const z1 = grid[r * res + c + 1] as number;
      const z2 = grid[(r + 1) * res + c + 1] as number;
      const z3 = grid[(r + 1) * res + c] as number;
      let kind = (z0 > level ? 1 : 0) | (z1 > level ? 2 : 0) | (z2 > level ? 4 : 0) | (z3 > level ? 8 : 0);
      // Saddles: the cell centre decides which corners connect.
      if ((kind === 5 || kind === 10) && (z0 + z1 + z2 + z3) / 4 > level) kind = kind === 5 ? 10 : 5;
      for (const [a, b] of CASES[kind] ?? []) segments.push(cellEdge(res, r, c, a), cellEdge(res, r, c, b));
    }
  }
  return segments;
}

/**
 * Per edge id (4·res² of them, diagonals included): the first and second segment through it, -1 for none. All -1
 * between uses; one pair of arrays is kept for every call (contouring is synchronous) up to MAX_KEPT_EDGES edges
 * (res 256: 2 MB), larger grids get their own.
 */
interface EdgeSlots {
  first: Int32Array;
  second: Int32Array;
}

const MAX_KEPT_EDGES = 4 * 256 * 256;
let keptSlots: EdgeSlots = { first: new Int32Array(0), second: new Int32Array(0) };

function edgeSlots(edges: number): EdgeSlots {
  if (keptSlots.first.length >= edges) return keptSlots;
  const slots = { first: new Int32Array(edges).fill(-1), second: new Int32Array(edges).fill(-1) };
  if (edges <= MAX_KEPT_EDGES) keptSlots = slots;
  return slots;
}

/**
 * Joins segments (flat edge-id pairs) sharing an edge into chains of edge ids: open chains first, in the order their
 * first edge appeared, then rings. An edge belongs to at most two segments (the cells on either side of it).
 * `slots` are all -1 on entry and again on return.
 */
function joinSegments(segments: readonly number[], slots: EdgeSlots): number[][] {
  const { first, second } = slots;
  const count = segments.length / 2;
  const order: number[] = []; // edges in the order they first appear
  for (let i = 0; i < segments.length; i++) {
    const e = segments[i] as number;
    const seg = i >> 1;
    const known = first[e] as number;
    if (known < 0) {
      first[e] = seg;
      order.push(e);
    } else if (known !== seg) second[e] = seg;
  }
  const used = new Uint8Array(count);
  const unusedAt = (edge: number): number => {
    const a = first[edge] as number;
    if (a >= 0 && !used[a]) return a;
    const b = second[edge] as number;
    return b >= 0 && !used[b] ? b : -1;
  };
  const walk = (startSeg: number, startEdge: number): number[] => {
    const chain = [startEdge];
    let seg = startSeg;
    let edge = startEdge;
    while (seg >= 0 && !used[seg]) {
      used[seg] = 1;
      const a = segments[2 * seg] as number;
      edge = a === edge ? (segments[2 * seg + 1] as number) : a;
      chain.push(edge);
      seg = unusedAt(edge);
    }
    return chain;
  };
  const chains: number[][] = [];
  for (const edge of order) {
    const seg = first[edge] as number;
    if ((second[edge] as number) < 0 && !used[seg]) chains.push(walk(seg, edge));
  }
  for (let i = 0; i < count; i++) if (!used[i]) chains.push(walk(i, segments[2 * i] as number));
  for (const edge of order) {
    first[edge] = -1;
    second[edge] = -1;
  }
  return chains;
}

/** Contour polylines for each level that lies strictly inside the grid's range. */
export function contourLines(spec: GridSpec, levels: readonly number[]): ContourLine[] {
  if (spec.res < 2 || spec.grid.length !== spec.res * spec.res) return [];
  const drawable = drawableLevels(spec.grid, levels);
  if (drawable.length === 0) return [];
  const ranges = cellRanges(spec);
  const slots = edgeSlots(4 * spec.res * spec.res);
  return drawable.map((level) => ({
    level,
    lines: joinSegments(cellSegments(spec, ranges, level), slots).map((chain) =>
      chain.map((e) => crossing(spec, e, level)),
    ),
  }));
}
