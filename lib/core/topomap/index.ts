/**
 * The topomap engine: geometry (sphere, 2-D positions, outlines, extra points, grid) from channel locations, and
 * interpolated grids from values — MNE 1.3's `plot_topomap` pipeline without drawing. Pure functions; callers may
 * keep prepared interpolators in an `Lru` (lru.ts) under keys they build.
 */
import { badRequest } from '../errors';
import { makeLocator, interpolatePlanned, planGrid, type GridPlan, type Locator } from './clough-tocher';
import {
  extraPointSensors,
  extraPointValues,
  getExtraPoints,
  interpolationTriangulation,
  resolveExtrapolate,
  type Border,
} from './extrapolate';
import { gridAxes, gridExtent } from './grid';
import { vertexNeighbors } from './triangulation';
import { nearestIndices, valuesAt } from './nearest';
import { makeHeadOutlines } from './outlines';
import { adjustMegSphere, projectPositions, type Transform4 } from './projection';
import { checkSphere, type ChannelPositions, type DigPoint, type SphereOption } from './sphere';
import { applySpline, buildSplineInterpolator, type SplineInterpolator } from './spline';
import type { Extrapolate, Interp, MapChannelType, TopomapGeometry, TopomapGrid, Vec3 } from './types';

export const ENGINE_LIMITS = { minRes: 2, maxRes: 1024, maxSensors: 10000, maxSplineSensors: 1024 } as const;

export interface GeometryInput {
  /** loc[:3] of the picked channels: head frame for EEG, device frame for MEG (metres). */
  locs3d: Vec3[];
  chType: MapChannelType;
  names?: string[];
  /** Default: MNE's choice (fit to ≥ 4 'extra' dig points, else 0.095 m at the origin). */
  sphere?: SphereOption;
  dig?: DigPoint[];
  devHeadT?: Transform4 | null;
  /** Channel positions by name, for sphere='eeglab'. */
  positions?: ChannelPositions;
  extrapolate?: Extrapolate;
  res?: number;
  /** Override of the median sensor spacing (see extrapolate.ts). */
  medianDistance?: number;
}

function checkInput(input: GeometryInput): number {
  const res = input.res ?? 64;
  if (!Number.isInteger(res) || res < ENGINE_LIMITS.minRes || res > ENGINE_LIMITS.maxRes) {
    throw badRequest(`res must be an integer from ${ENGINE_LIMITS.minRes} to ${ENGINE_LIMITS.maxRes}`);
  }
  const n = input.locs3d.length;
  if (n < 1 || n > ENGINE_LIMITS.maxSensors)
    throw badRequest(`A topomap needs 1 to ${ENGINE_LIMITS.maxSensors} sensors`);
  return res;
}

/** Sphere, 2-D positions, outlines, extra points, clip and grid extent for a set of sensors. */
export function computeGeometry(input: GeometryInput): TopomapGeometry {
  const res = checkInput(input);
  const headSphere = checkSphere(input.sphere, input.dig ?? [], input.positions ?? {});
  const { sphere, clipOrigin } = adjustMegSphere(headSphere, input.chType, input.devHeadT ?? null);
  const pos2d = projectPositions(input.locs3d, sphere, input.names);
  const outlines = makeHeadOutlines(sphere, pos2d, clipOrigin);
  const extrapolate = resolveExtrapolate(input.extrapolate ?? 'auto', input.chType);
  const extra = getExtraPoints(pos2d, extrapolate, outlines.clipOrigin, outlines.clipRadius, {
    medianDistance: input.medianDistance,
  });
  return {
    sphere,
    pos2d,
    outlines,
    extrapolate,
    extraPoints: extra.points,
    extent: gridExtent(outlines),
    clip: extra.clip,
    res,
    chType: input.chType,
    locs3d: input.locs3d.map((p) => [p[0], p[1], p[2]] as Vec3),
    distance: extra.distance,
    triangulation: extra.tri,
  };
}

/**
 * What an interpolation needs beyond the geometry; geometry-only, so cacheable per geometry and method: the
 * triangulation's locator, each extra point's sensor neighbours (border='mean'), and the grid plan (cubic,
 * linear: triangle and barycentrics per grid point; nearest: the nearest point per grid point).
 */
export type PreparedInterpolation =
  | { interp: 'cubic' | 'linear'; locator: Locator; extraSensors: number[][]; grid: GridPlan }
  | { interp: 'nearest'; locator: Locator; extraSensors: number[][]; nearest: Int32Array }
  | { interp: 'spline'; spline: SplineInterpolator };

export function prepareInterpolation(geometry: TopomapGeometry, interp: Interp): PreparedInterpolation {
  if (interp === 'spline') {
    const locs = geometry.locs3d;
    if (!locs) throw badRequest('Spline interpolation needs the 3-D sensor locations in the geometry');
    if (locs.length > ENGINE_LIMITS.maxSplineSensors)
      throw badRequest('Too many sensors for spline interpolation');
    return { interp, spline: buildSplineInterpolator(locs, geometry.sphere, geometry.extent, geometry.res) };
  }
  const tri =
    geometry.triangulation ??
    interpolationTriangulation(geometry.pos2d, geometry.extraPoints, geometry.extrapolate);
  const locator = makeLocator(tri);
  const neighbours = vertexNeighbors(tri);
  const extraSensors = extraPointSensors(neighbours, geometry.pos2d.length, geometry.extraPoints.length);
  const { xs, ys } = gridAxes(geometry.extent, geometry.res);
  if (interp === 'nearest')
    return { interp, locator, extraSensors, nearest: nearestIndices(tri.points, xs, ys) };
  return { interp, locator, extraSensors, grid: planGrid(locator, xs, ys, neighbours) };
}

/** Bytes of the typed arrays a prepared interpolation holds (for byte-bounded caches). */
export function preparedBytes(p: PreparedInterpolation): number {
  if (p.interp === 'spline') return p.spline.matrix.byteLength;
  const { tri, transforms } = p.locator;
  const shared =
    tri.points.byteLength + tri.triangles.byteLength + tri.neighbors.byteLength + transforms.byteLength;
  if (p.interp === 'nearest') return shared + p.nearest.byteLength;
  const { triangle, bary, used, g, gradients } = p.grid;
  const plan = [triangle, bary, used, g, ...Object.values(gradients)] as ArrayBufferView[];
  return shared + plan.reduce((sum, a) => sum + a.byteLength, 0);
}

/** Interpolates sensor `values` (one per pos2d) onto the geometry's res×res grid. */
export function interpolate(
  geometry: TopomapGeometry,
  values: readonly number[],
  interp: Interp = 'cubic',
  border: Border = 'mean',
  prepared: PreparedInterpolation = prepareInterpolation(geometry, interp),
): TopomapGrid {
  const n = geometry.pos2d.length;
  if (values.length !== n) throw badRequest(`Expected ${n} values, got ${values.length}`);
  if (prepared.interp !== interp) throw badRequest('Prepared interpolation does not match the method');
  let grid: Float64Array;
  if (prepared.interp === 'spline') {
    grid = applySpline(prepared.spline, values);
  } else {
    const { tri } = prepared.locator;
    const points = { tri, points: geometry.extraPoints };
    const extra = extraPointValues(points, n, values, border, prepared.extraSensors);
    const all = new Float64Array(n + extra.length);
    all.set(values);
    all.set(extra, n);
    grid =
      prepared.interp === 'nearest'
        ? valuesAt(prepared.nearest, all)
        : interpolatePlanned(prepared.locator, all, prepared.grid, prepared.interp);
  }
  return { geometry, values: [...values], grid, interp };
}

export { createLru, type Lru, type LruBytes } from './lru';
export { colorScale, contourLevels, setupVminVmax } from './scale';
export { colorIndex, colormapLut, isColormapName, type ColormapName } from './colormaps';
export { pairGradSensors, mergeGradValues, defaultChannelType } from './channels';
