/**
 * Spherical-spline topomaps (Perrin et al. 1989; MNE 1.3 `_calc_g` and `_make_interpolation_matrix`): the
 * matrix from sensor values to grid pixels depends only on geometry, so build it once and apply it per map.
 */
import { Matrix, pseudoInverse } from 'ml-matrix';
import type { Sphere, Vec3 } from './types';
import type { Extent } from './grid';
import { gridAxes } from './grid';

const N_LEGENDRE = 50;
const STIFFNESS = 4;
export const SPLINE_ALPHA = 1e-5;

const G_COEFFS: number[] = [
  0,
  ...Array.from({ length: N_LEGENDRE }, (_, i) => {
    const n = i + 1;
    return (2 * n + 1) / (n ** STIFFNESS * (n + 1) ** STIFFNESS * 4 * Math.PI);
  }),
];

/** Legendre series Σ c_n P_n(x) by Clenshaw recursion (as numpy.polynomial.legendre.legval). */
function legval(x: number, c: readonly number[]): number {
  let nd = c.length;
  let c0 = c[nd - 2]!;
  let c1 = c[nd - 1]!;
  for (let i = 3; i <= c.length; i++) {
    const tmp = c0;
    nd -= 1;
    c0 = c[c.length - i]! - (c1 * (nd - 1)) / nd;
    c1 = tmp + (c1 * x * (2 * nd - 1)) / nd;
  }
  return c0 + c1 * x;
}

/** g(cos γ) = Σ_{n=1..50} (2n+1) / (4π nᵐ (n+1)ᵐ) Pₙ(cos γ), m = 4 (MNE `_calc_g`). */
export const calcG = (cosang: number): number => legval(cosang, G_COEFFS);

const normalise = (p: Vec3): Vec3 => {
  const n = Math.hypot(p[0], p[1], p[2]);
  return n > 0 ? [p[0] / n, p[1] / n, p[2] / n] : p;
};

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/**
 * `_make_interpolation_matrix(pos_from, pos_to, alpha)`: M (n_to × n_from, row-major) with values_to = M·values.
 * Positions are relative to the sphere centre; they are normalised here.
 */
export function splineMatrix(
  posFrom: readonly Vec3[],
  posTo: readonly Vec3[],
  alpha = SPLINE_ALPHA,
): Float64Array {
  const from = posFrom.map(normalise);
  const n = from.length;
  const c = Matrix.zeros(n + 1, n + 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) c.set(i, j, calcG(dot(from[i]!, from[j]!)) + (i === j ? alpha : 0));
    c.set(i, n, 1);
    c.set(n, i, 1);
  }
  // C⁻¹ without its last column, transposed so each output weight is one contiguous dot product
  const cInv = pseudoInverse(c);
  const cInvT = new Float64Array(n * (n + 1));
  for (let j = 0; j < n; j++) for (let k = 0; k <= n; k++) cInvT[j * (n + 1) + k] = cInv.get(k, j);
  const out = new Float64Array(posTo.length * n);
  const row = new Float64Array(n + 1);
  posTo.forEach((p, r) => {
    const u = normalise(p);
    for (let j = 0; j < n; j++) row[j] = calcG(dot(u, from[j]!));
    row[n] = 1;
    for (let j = 0; j < n; j++) {
      let s = 0;
      const o = j * (n + 1);
      for (let k = 0; k <= n; k++) s += row[k]! * cInvT[o + k]!;
      out[r * n + j] = s;
    }
  });
  return out;
}

/** Grid pixels mapped back onto the unit sphere (inverse of the azimuthal projection), row 0 at ymin. */
export function gridPointsOnSphere(extent: Extent, res: number, sphere: Sphere): Vec3[] {
  const { xs, ys } = gridAxes(extent, res);
  const [cx, cy, , radius] = sphere;
  return ys.flatMap((y) =>
    xs.map((x) => {
      const dx = x - cx;
      const dy = y - cy;
      const theta = (Math.hypot(dx, dy) / radius) * (Math.PI / 2);
      const phi = Math.atan2(dy, dx);
      return [Math.sin(theta) * Math.cos(phi), Math.sin(theta) * Math.sin(phi), Math.cos(theta)] as Vec3;
    }),
  );
}

export interface SplineInterpolator {
  nSensors: number;
  nPixels: number;
  /** nPixels × nSensors, row-major. */
  matrix: Float64Array;
}

/** Builds the (geometry-only) spline matrix for sensors at `locs3d` (same frame as `sphere`) onto the grid. */
export function buildSplineInterpolator(
  locs3d: readonly Vec3[],
  sphere: Sphere,
  extent: Extent,
  res: number,
  alpha = SPLINE_ALPHA,
): SplineInterpolator {
  const rel = locs3d.map((p) => [p[0] - sphere[0], p[1] - sphere[1], p[2] - sphere[2]] as Vec3);
  const pixels = gridPointsOnSphere(extent, res, sphere);
  return { nSensors: rel.length, nPixels: pixels.length, matrix: splineMatrix(rel, pixels, alpha) };
}

/** One map: grid = M · values. */
export function applySpline(s: SplineInterpolator, values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(s.nPixels);
  for (let r = 0; r < s.nPixels; r++) {
    let acc = 0;
    const o = r * s.nSensors;
    for (let j = 0; j < s.nSensors; j++) acc += s.matrix[o + j]! * (values[j] ?? NaN);
    out[r] = acc;
  }
  return out;
}
