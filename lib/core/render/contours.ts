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

/**
 * The polylines of one level as flat coordinates: line k is the points starts[k] … starts[k + 1] − 1, point j at
 * xy[2j], xy[2j + 1] (data coordinates, metres; closed rings repeat their first point at the end).
 */
export interface ContourPaths {
  level: number;
  xy: Float64Array;
  /** One more entry than there are lines. */
  starts: Int32Array;
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
 * = 0..3, as flat side pairs. Saddles (5, 10) are listed with a low centre: the high corners are cut off.
 */
const CASES: readonly (readonly number[])[] = [
  [],
  [3, 0],
  [0, 1],
  [3, 1],
  [1, 2],
  [3, 0, 1, 2],
  [0, 2],
  [3, 2],
  [2, 3],
  [2, 0],
  [0, 1, 2, 3],
  [2, 1],
  [1, 3],
  [1, 0],
  [0, 3],
  [],
];

/** Diagonal of cell (r, c): kind 0 joins (r,c)–(r+1,c+1), kind 1 joins (r,c+1)–(r+1,c); ids follow the edges. */
const diagEdge = (res: number, r: number, c: number, kind: number): number =>
  2 * res * res + 2 * (r * res + c) + kind;

/**
 * Writes the crossing point of `level` on an edge, in data coordinates, to xy[2k], xy[2k + 1] (the edge's grid end
 * points (r, c)–(r2, c2) worked out in place, so no point or tuple is allocated).
 */
function crossingInto(spec: GridSpec, edge: number, level: number, xy: Float64Array, k: number): void {
  const { grid, res, extent } = spec;
  const diagonal = edge >= 2 * res * res;
  const id = diagonal ? edge - 2 * res * res : edge;
  const cell = id >> 1;
  const r = Math.floor(cell / res);
  const c = cell % res;
  const odd = (id & 1) === 1;
  // Horizontal (r,c)–(r,c+1), vertical (r,c)–(r+1,c); diagonals (r,c)–(r+1,c+1) and (r,c+1)–(r+1,c).
  const r1 = r;
  const c1 = diagonal && odd ? c + 1 : c;
  const r2 = diagonal || odd ? r + 1 : r;
  const c2 = diagonal ? (odd ? c : c + 1) : odd ? c : c + 1;
  const za = grid[r1 * res + c1] as number;
  const zb = grid[r2 * res + c2] as number;
  const t = (level - za) / (zb - za);
  const dx = (extent[1] - extent[0]) / (res - 1);
  const dy = (extent[3] - extent[2]) / (res - 1);
  xy[2 * k] = extent[0] + (c1 + (c2 - c1) * t) * dx;
  xy[2 * k + 1] = extent[2] + (r1 + (r2 - r1) * t) * dy;
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
function triangleCell(spec: GridSpec, r: number, c: number, level: number, segments: IntList): void {
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
  if (above1 === above2) pushPair(segments, diagonal, e01);
  else if (above0 === above2) pushPair(segments, e01, e12);
  else pushPair(segments, e12, diagonal);
}

/** A growable list of integers kept across calls (contouring is synchronous): `length` of `data` are in use. */
interface IntList {
  data: Int32Array;
  length: number;
}

const intList = (): IntList => ({ data: new Int32Array(1024), length: 0 });

function push(list: IntList, value: number): void {
  if (list.length === list.data.length) {
    const grown = new Int32Array(2 * list.data.length);
    grown.set(list.data);
    list.data = grown;
  }
  list.data[list.length++] = value;
}

function pushPair(list: IntList, a: number, b: number): void {
  push(list, a);
  push(list, b);
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
 * All cell segments of one level as a flat list of edge-id pairs, cell by cell (rows bottom to top), written over
 * `segments`. Cells whose corners are all above or all at/below the level have none and are skipped on their range.
 */
function cellSegments(spec: GridSpec, ranges: CellRanges, level: number, segments: IntList): void {
  const { grid, res } = spec;
  const { lo, hi, masked } = ranges;
  segments.length = 0;
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
      const sides = CASES[kind] as readonly number[];
      for (let j = 0; j < sides.length; j++) push(segments, cellEdge(res, r, c, sides[j] as number));
    }
  }
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

/** Lists and marks kept across calls: segments, edges in order of appearance, chains (edges and starts), used. */
const work = {
  segments: intList(),
  order: intList(),
  chainEdges: intList(),
  chainStarts: intList(),
  used: new Uint8Array(1024),
};

/** An all-zero mark per segment (`work.used`, grown if needed). */
function usedMarks(count: number): Uint8Array {
  if (work.used.length < count) work.used = new Uint8Array(Math.max(count, 2 * work.used.length));
  return work.used;
}

/** A segment through `edge` not yet used, or -1. */
function unusedAt(slots: EdgeSlots, used: Uint8Array, edge: number): number {
  const a = slots.first[edge] as number;
  if (a >= 0 && !used[a]) return a;
  const b = slots.second[edge] as number;
  return b >= 0 && !used[b] ? b : -1;
}

/** Follows segments from `startSeg` through `startEdge`, appending the chain's edges and its start. */
function walk(
  segments: Int32Array,
  slots: EdgeSlots,
  used: Uint8Array,
  startSeg: number,
  startEdge: number,
): void {
  const { chainEdges, chainStarts } = work;
  push(chainStarts, chainEdges.length);
  push(chainEdges, startEdge);
  let seg = startSeg;
  let edge = startEdge;
  while (seg >= 0 && !used[seg]) {
    used[seg] = 1;
    const a = segments[2 * seg] as number;
    edge = a === edge ? (segments[2 * seg + 1] as number) : a;
    push(chainEdges, edge);
    seg = unusedAt(slots, used, edge);
  }
}

/**
 * Joins segments (flat edge-id pairs) sharing an edge into chains of edge ids (work.chainEdges, each starting at its
 * work.chainStarts entry, closed by one more entry): open chains first, in the order their first edge appeared, then
 * rings. An edge belongs to at most two segments (the cells on either side of it). `slots` are all -1 on entry and
 * again on return.
 */
function joinSegments(segmentList: IntList, slots: EdgeSlots): void {
  const { first, second } = slots;
  const { order, chainEdges, chainStarts } = work;
  const segments = segmentList.data;
  const count = segmentList.length / 2;
  order.length = 0; // edges in the order they first appear
  chainEdges.length = 0;
  chainStarts.length = 0;
  for (let i = 0; i < segmentList.length; i++) {
    const e = segments[i] as number;
    const seg = i >> 1;
    const known = first[e] as number;
    if (known < 0) {
      first[e] = seg;
      push(order, e);
    } else if (known !== seg) second[e] = seg;
  }
  const used = usedMarks(count);
  for (let k = 0; k < order.length; k++) {
    const edge = order.data[k] as number;
    const seg = first[edge] as number;
    if ((second[edge] as number) < 0 && !used[seg]) walk(segments, slots, used, seg, edge);
  }
  for (let i = 0; i < count; i++) if (!used[i]) walk(segments, slots, used, i, segments[2 * i] as number);
  push(chainStarts, chainEdges.length);
  for (let k = 0; k < order.length; k++) {
    const edge = order.data[k] as number;
    first[edge] = -1;
    second[edge] = -1;
  }
  used.fill(0, 0, count);
}

/** The polylines of `level` as flat coordinates. */
function levelPaths(spec: GridSpec, ranges: CellRanges, slots: EdgeSlots, level: number): ContourPaths {
  cellSegments(spec, ranges, level, work.segments);
  joinSegments(work.segments, slots);
  const { chainEdges, chainStarts } = work;
  const xy = new Float64Array(2 * chainEdges.length);
  for (let k = 0; k < chainEdges.length; k++) crossingInto(spec, chainEdges.data[k] as number, level, xy, k);
  return { level, xy, starts: chainStarts.data.slice(0, chainStarts.length) };
}

/** Contour polylines, as flat coordinates, for each level that lies strictly inside the grid's range. */
export function contourPaths(spec: GridSpec, levels: readonly number[]): ContourPaths[] {
  if (spec.res < 2 || spec.grid.length !== spec.res * spec.res) return [];
  const drawable = drawableLevels(spec.grid, levels);
  if (drawable.length === 0) return [];
  const ranges = cellRanges(spec);
  const slots = edgeSlots(4 * spec.res * spec.res);
  const paths: ContourPaths[] = [];
  for (const level of drawable) paths.push(levelPaths(spec, ranges, slots, level));
  return paths;
}

/** The points of line k of `paths`. */
export function pathPoints(paths: ContourPaths, k: number): Vec2[] {
  const { xy, starts } = paths;
  const points: Vec2[] = [];
  for (let j = starts[k] as number; j < (starts[k + 1] as number); j++)
    points.push([xy[2 * j] as number, xy[2 * j + 1] as number]);
  return points;
}

/** Contour polylines for each level that lies strictly inside the grid's range. */
export function contourLines(spec: GridSpec, levels: readonly number[]): ContourLine[] {
  return contourPaths(spec, levels).map((paths) => ({
    level: paths.level,
    lines: Array.from({ length: paths.starts.length - 1 }, (_, k) => pathPoints(paths, k)),
  }));
}
