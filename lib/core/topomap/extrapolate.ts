/**
 * Extra (extrapolation) points around the sensors and the clip shape, as MNE 1.3's `_get_extra_points`, and the
 * values given to them (`_GridData.set_values`, border = 'mean' or a number).
 */
import { ApiError, badRequest } from '../errors';
import { crCosSin } from './correct-rounding';
import { mean, median, roundHalfEven, uniqueRows } from './numeric';
import { qhullTriangles } from './qhull-delaunay';
import { DEFAULT_DELAUNAY, qhullVertexIds, type QhullVertexIds } from './qhull-order';
import {
  fromTriangles,
  hullEdges,
  triangleEdgeLengths,
  triangulate,
  vertexNeighbors,
  type Triangulation,
} from './triangulation';
import type { Clip, Extrapolate, MapChannelType, Vec2 } from './types';

export type Border = 'mean' | number;
export type ExtrapolateMode = Exclude<Extrapolate, 'auto'>;

export interface ExtraPoints {
  extrapolate: ExtrapolateMode;
  /** Median inter-sensor distance used to place the points (not used by 'box'). */
  distance: number;
  points: Vec2[];
  clip: Clip;
  /** Delaunay triangulation of sensors followed by extra points. */
  tri: Triangulation;
}

export interface ExtraPointsOptions {
  /**
   * MNE takes the median over edges (v0,v1) and (v1,v2) of qhull's simplices, which depends on qhull's vertex
   * order: we reproduce it (qhull-order.ts, qhull-delaunay.ts) and fall back to all three edges of each triangle
   * (up to 10.7 % off) only where the simulation declines (precision paths qhull takes rarely). Callers holding
   * MNE's value may pass it here.
   */
  medianDistance?: number;
}

/** Upper bound on extra points; spacing tiny against the head or hull (near-coincident sensors) would exceed it. */
export const MAX_EXTRA_POINTS = 20000;

const tooManyExtraPoints = (n: number): ApiError =>
  new ApiError(
    422,
    'degenerate_positions',
    `Sensor spacing is too small for the layout (${n} extrapolation points)`,
  );

/** `_check_extrapolate`: 'auto' is 'local' for MEG and 'head' otherwise. */
export const resolveExtrapolate = (mode: Extrapolate, chType: MapChannelType): ExtrapolateMode =>
  mode !== 'auto' ? mode : chType === 'mag' || chType === 'grad' ? 'local' : 'head';

/** MNE's collinearity test: all consecutive slopes equal, or all infinite. */
function isCollinear(pos: readonly Vec2[]): boolean {
  const slopes = pos.slice(1).map((p, i) => (p[1] - pos[i]![1]) / (p[0] - pos[i]![0]));
  if (slopes.length === 0) return true;
  return slopes.every((s) => s === slopes[0]) || slopes.every((s) => !Number.isFinite(s) && !Number.isNaN(s));
}

/** Indices sorted along the dominant axis and the median spacing there (collinear / fewer than 4 sensors). */
function sortedAxisSpacing(pos: readonly Vec2[]): { sorting: number[]; distance: number } {
  let sumX = 0;
  let sumY = 0;
  pos.slice(1).forEach((p, i) => {
    sumX += p[0] - pos[i]![0];
    sumY += p[1] - pos[i]![1];
  });
  const dim = sumY > sumX ? 1 : 0;
  const sorting = pos.map((_, i) => i).sort((a, b) => pos[a]![dim] - pos[b]![dim]);
  const gaps = sorting.slice(1).map((idx, k) => {
    const a = pos[sorting[k]!]!;
    const b = pos[idx]!;
    return Math.hypot(b[0] - a[0], b[1] - a[1]);
  });
  return { sorting, distance: median(gaps) };
}

function boxPoints(pos: readonly Vec2[]): Vec2[] {
  const lo = [Math.min(...pos.map((p) => p[0])), Math.min(...pos.map((p) => p[1]))] as Vec2;
  const hi = [Math.max(...pos.map((p) => p[0])), Math.max(...pos.map((p) => p[1]))] as Vec2;
  const span = [hi[0] - lo[0], hi[1] - lo[1]];
  const a: Vec2 = [lo[0] - span[0]!, lo[1] - span[1]!];
  const b: Vec2 = [hi[0] + span[0]!, hi[1] + span[1]!];
  return [
    [a[0], a[1]],
    [a[0], b[1]],
    [b[0], a[1]],
    [b[0], b[1]],
  ];
}

function headPoints(distance: number, origin: Vec2, radii: Vec2): Vec2[] {
  const angle = Math.asin(Math.min(distance / ((radii[0] + radii[1]) / 2), 1));
  const n = Math.max(12, roundHalfEven((2 * Math.PI) / angle));
  if (!(n <= MAX_EXTRA_POINTS)) throw tooManyExtraPoints(n);
  const step = (2 * Math.PI) / n;
  const r: Vec2 = [radii[0] * 1.1 + distance, radii[1] * 1.1 + distance];
  return Array.from({ length: n }, (_, i) => {
    const [cos, sin] = crCosSin(i * step); // numpy's (glibc) rounding
    return [cos * r[0] + origin[0], sin * r[1] + origin[1]] as Vec2;
  });
}

/** 'local' for collinear sensors or fewer than 4: offsets either side of the line and beyond its ends. */
function localLinePoints(pos: readonly Vec2[], sorting: readonly number[], distance: number): Vec2[] {
  const first = pos[sorting[0]!]!;
  const last = pos[sorting[sorting.length - 1]!]!;
  const len = Math.hypot(last[0] - first[0], last[1] - first[1]);
  const u: Vec2 = [((last[0] - first[0]) / len) * distance, ((last[1] - first[1]) / len) * distance];
  const par: Vec2 = [-u[1], u[0]];
  let pts: Vec2[] = [
    ...pos.map((p) => [p[0] + par[0], p[1] + par[1]] as Vec2),
    ...pos.map((p) => [p[0] - par[0], p[1] - par[1]] as Vec2),
    [first[0] - u[0], first[1] - u[1]],
    [last[0] + u[0], last[1] + u[1]],
  ];
  if (pos.length === 3) {
    pts = pts.filter((q) => pos.every((p) => Math.hypot(p[0] - q[0], p[1] - q[1]) > 0.5 * distance));
  }
  return pts;
}

/** 'local': hull vertices pushed out radially by `distance` plus points along long hull edges; mask polygon. */
function localHullPoints(
  pos: readonly Vec2[],
  tri: Triangulation,
  distance: number,
): { points: Vec2[]; mask: Vec2[] } {
  const center: Vec2 = [mean(pos.map((p) => p[0])), mean(pos.map((p) => p[1]))];
  const push = (p: Vec2, by: number): Vec2 => {
    const d: Vec2 = [p[0] - center[0], p[1] - center[1]];
    const n = Math.hypot(d[0], d[1]);
    return [p[0] + (d[0] / n) * by, p[1] + (d[1] / n) * by];
  };
  const edges = hullEdges(tri);
  const extended = edges.flatMap(([i, j]) => [push(pos[i]!, distance), push(pos[j]!, distance)]);
  const maskRaw = uniqueRows(
    edges.flatMap(([i, j]) => [push(pos[i]!, distance * 0.5), push(pos[j]!, distance * 0.5)]),
  );
  const mc: Vec2 = [mean(maskRaw.map((p) => p[0])), mean(maskRaw.map((p) => p[1]))];
  const mask = maskRaw
    .map((p) => [p[0] - mc[0], p[1] - mc[1]] as Vec2)
    .sort((a, b) => Math.atan2(a[1], a[0]) - Math.atan2(b[1], b[0]))
    .map((p) => [p[0] + mc[0], p[1] + mc[1]] as Vec2);
  const along: Vec2[] = [];
  const counts = edges.map(([i, j]) => {
    const d = Math.hypot(pos[j]![0] - pos[i]![0], pos[j]![1] - pos[i]![1]);
    return roundHalfEven((0.25 * d) / distance);
  });
  const total = counts.reduce((a, n) => a + (n >= 2 ? n - 1 : 0), 0);
  if (!(total <= MAX_EXTRA_POINTS)) throw tooManyExtraPoints(total);
  const maxCount = Math.max(0, ...counts);
  for (let n = 2; n <= maxCount; n++) {
    for (let k = 1; k < n; k++) {
      const mult = 1 / n + (k - 1) * (1 / n);
      edges.forEach(([i, j], e) => {
        if (counts[e] !== n) return;
        const start = extended[2 * e]!;
        along.push([
          start[0] + (pos[j]![0] - pos[i]![0]) * mult,
          start[1] + (pos[j]![1] - pos[i]![1]) * mult,
        ]);
      });
    }
  }
  return { points: [...uniqueRows(extended), ...along], mask };
}

/** qhull's vertex ids per sensor array (computeGeometry and prepareInterpolation share the geometry's pos2d). */
const idsMemo = new WeakMap<readonly Vec2[], { coords: Float64Array; ids: QhullVertexIds | null }>();

/** `qhullVertexIds(pos)`, remembered for the same array while its coordinates are unchanged. */
export function sensorVertexIds(pos: readonly Vec2[]): QhullVertexIds | null {
  const coords = Float64Array.from(pos.flatMap((p) => [p[0], p[1]]));
  const known = idsMemo.get(pos);
  if (known && known.coords.length === coords.length && known.coords.every((v, i) => Object.is(v, coords[i])))
    return known.ids;
  const ids = qhullVertexIds(pos);
  idsMemo.set(pos, { coords, ids });
  return ids;
}

/**
 * MNE's median inter-sensor distance: over edges (v0,v1) and (v1,v2) of scipy's `Delaunay(pos, incremental=True)`
 * simplices when qhull's vertex ids are reproduced (`ids`), else over all three edges of delaunator's triangles
 * (approximation).
 */
export function delaunayMedianDistance(
  pos: readonly Vec2[],
  tri: Triangulation = triangulate(pos),
  ids: QhullVertexIds | null = sensorVertexIds(pos),
): number {
  if (!ids) return median(triangleEdgeLengths(tri));
  const simplices = ids.simplices;
  const len = (i: number, j: number): number => {
    const dx = pos[i]![0] - pos[j]![0];
    const dy = pos[i]![1] - pos[j]![1];
    return Math.sqrt(dx * dx + dy * dy); // numpy.linalg.norm's arithmetic
  };
  const first: number[] = [];
  const second: number[] = [];
  for (let t = 0; t < simplices.length; t += 3) {
    first.push(len(simplices[t]!, simplices[t + 1]!));
    second.push(len(simplices[t + 1]!, simplices[t + 2]!));
  }
  return median([...first, ...second]);
}

/**
 * The triangulation MNE interpolates on for 'head' and 'local' (sensors ≥ 4, not collinear):
 * `Delaunay(pos, incremental=True)` then `add_points(extra)`. qhull gives the extra points the next vertex ids in
 * order, so qhull's triangles follow from the sensors' ids (qhull-delaunay.ts). Where the sensors' qhull run is
 * not reproduced, delaunator's triangulation (equal to qhull's unless sites are co-circular).
 */
export function incrementalTriangulation(
  pos: readonly Vec2[],
  extra: readonly Vec2[],
  ids: QhullVertexIds | null = sensorVertexIds(pos),
): Triangulation {
  const all = [...pos, ...extra];
  if (!ids) return triangulate(all);
  const rank = new Int32Array(all.length);
  rank.set(ids.ids);
  for (let k = 0; k < extra.length; k++) rank[pos.length + k] = pos.length + 1 + k;
  return fromTriangles(all, qhullTriangles(all, rank, ids.tolerance));
}

/**
 * scipy's `Delaunay(points)` (options "Qbb Qc Qz Q12" + "Qt"), as MNE triangulates sensors and extra points at once
 * ('box'; 'head' and 'local' for collinear sensors or fewer than 4): the
 * same quickhull run with the lifted coordinate rescaled and a point at infinity (qhull-order.ts), its merged
 * co-circular facets triangulated as 'Qt' does; delaunator's triangulation where the run is not reproduced.
 */
export function defaultTriangulation(points: readonly Vec2[]): Triangulation {
  const ids = qhullVertexIds(points, DEFAULT_DELAUNAY);
  return ids ? fromTriangles(points, ids.simplices) : triangulate(points);
}

/**
 * scipy's simplices of `Delaunay(pos, incremental=True)` ('local' takes its hull edges from them, in their order
 * and direction) from the reproduced qhull run; delaunator's triangles where it is not reproduced.
 */
function sensorTriangulation(pos: readonly Vec2[], ids: QhullVertexIds | null): Triangulation {
  return ids ? fromTriangles(pos, ids.simplices) : triangulate(pos);
}

/** Whether MNE builds the final triangulation incrementally (sensors first): 'head'/'local' with ≥ 4 sensors off a line. */
export const isIncremental = (pos: readonly Vec2[], extrapolate: ExtrapolateMode): boolean =>
  extrapolate !== 'box' && pos.length >= 4 && !isCollinear(pos);

/** The triangulation of sensors followed by extra points, as MNE's `_get_extra_points` returns it. */
export function interpolationTriangulation(
  pos: readonly Vec2[],
  extra: readonly Vec2[],
  extrapolate: ExtrapolateMode,
): Triangulation {
  return isIncremental(pos, extrapolate)
    ? incrementalTriangulation(pos, extra)
    : defaultTriangulation([...pos, ...extra]);
}

/** `_get_extra_points(pos, extrapolate, origin, radii)` plus the Delaunay of sensors and extra points. */
export function getExtraPoints(
  pos: readonly Vec2[],
  extrapolate: ExtrapolateMode,
  origin: Vec2,
  radii: Vec2,
  options: ExtraPointsOptions = {},
): ExtraPoints {
  if (pos.length < 1) throw badRequest('A topomap needs at least one sensor position');
  const ellipse: Clip = { kind: 'ellipse', center: [origin[0], origin[1]], radii: [radii[0], radii[1]] };
  const line = isCollinear(pos) || pos.length < 4;
  const ids = extrapolate === 'box' || line ? null : sensorVertexIds(pos);
  const finish = (points: Vec2[], clip: Clip, distance: number): ExtraPoints => ({
    extrapolate,
    distance,
    points,
    clip,
    tri: isIncremental(pos, extrapolate)
      ? incrementalTriangulation(pos, points, ids)
      : defaultTriangulation([...pos, ...points]),
  });
  if (extrapolate === 'box') return finish(boxPoints(pos), ellipse, NaN);
  // scipy's simplices of the sensors as ordered vertex triples: 'local' takes its hull edges (and their direction)
  const sensorTri = line ? null : sensorTriangulation(pos, ids);
  const axis = line ? sortedAxisSpacing(pos) : null;
  const distance =
    options.medianDistance ?? (axis ? axis.distance : delaunayMedianDistance(pos, sensorTri!, ids));
  // The positions are the recording's (or its montage's): coincident sensors are its defect, not the request's.
  if (!(distance > 0))
    throw new ApiError(422, 'degenerate_positions', 'Sensor positions are degenerate (zero spacing)');
  if (extrapolate === 'head') return finish(headPoints(distance, origin, radii), ellipse, distance);
  if (axis) {
    const pts = localLinePoints(pos, axis.sorting, distance);
    return finish(pts, { kind: 'polygon', points: pts }, distance);
  }
  const local = localHullPoints(pos, sensorTri!, distance);
  return finish(local.points, { kind: 'polygon', points: local.mask }, distance);
}

/** Each extra point's sensor neighbours, from the vertex neighbours of the sensors-then-extra-points triangulation. */
export function extraPointSensors(
  neighbours: readonly (readonly number[])[],
  nSensors: number,
  nExtra: number,
): number[][] {
  return Array.from({ length: nExtra }, (_, e) =>
    (neighbours[nSensors + e] ?? []).filter((v) => v < nSensors),
  );
}

/**
 * Values at the extra points: the mean of each one's sensor neighbours ('mean'), or a constant. `sensors`
 * (extraPointSensors, geometry-only) may be given precomputed.
 */
export function extraPointValues(
  extra: Pick<ExtraPoints, 'tri' | 'points'>,
  nSensors: number,
  values: ArrayLike<number>,
  border: Border,
  sensors: readonly (readonly number[])[] = extraPointSensors(
    vertexNeighbors(extra.tri),
    nSensors,
    extra.points.length,
  ),
): Float64Array {
  const out = new Float64Array(extra.points.length);
  if (border !== 'mean') return out.fill(border);
  const used: boolean[] = [];
  for (let e = 0; e < out.length; e++) {
    const own = sensors[e] ?? [];
    used.push(own.length > 0);
    if (own.length > 0) out[e] = own.reduce((a, v) => a + (values[v] ?? NaN), 0) / own.length;
  }
  const usedValues = [...out].filter((_, e) => used[e]);
  if (usedValues.length > 0 && usedValues.length < out.length) {
    const fill = mean(usedValues);
    used.forEach((u, e) => {
      if (!u) out[e] = fill;
    });
  }
  return out;
}
