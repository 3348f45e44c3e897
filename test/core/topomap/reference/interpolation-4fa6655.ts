/**
 * ORACLE, not engine code: the interpolation of lib/core/topomap as it was before grid plans (commit 4fa6655:
 * clough-tocher.ts verbatim, plus extraPointValues and nearestGrid), a point-by-point triangle search and
 * gradient sweeps rebuilding every geometric term. plan-identity.test.ts checks the planned engine against it
 * bit for bit.
 */
import { mean } from '../../../../lib/core/topomap/numeric';
import {
  triangleCount,
  vertexNeighbors,
  type Triangulation,
} from '../../../../lib/core/topomap/triangulation';

const EPS = 100 * Number.EPSILON;

export interface Locator {
  tri: Triangulation;
  /** Per triangle: inverse of T = [r0−r2, r1−r2] (4 numbers, row-major) then r2 (2 numbers); NaN if degenerate. */
  transforms: Float64Array;
  bounds: [number, number, number, number];
}

export function makeLocator(tri: Triangulation): Locator {
  const p = tri.points;
  const n = triangleCount(tri);
  const transforms = new Float64Array(n * 6);
  for (let t = 0; t < n; t++) {
    const [a, b, c] = [tri.triangles[3 * t]!, tri.triangles[3 * t + 1]!, tri.triangles[3 * t + 2]!];
    const [x2, y2] = [p[2 * c]!, p[2 * c + 1]!];
    const t00 = p[2 * a]! - x2;
    const t01 = p[2 * b]! - x2;
    const t10 = p[2 * a + 1]! - y2;
    const t11 = p[2 * b + 1]! - y2;
    const det = t00 * t11 - t01 * t10;
    // reciprocal 1-norm condition number, as LAPACK dgecon; scipy marks rcond < 1000·DBL_EPSILON degenerate
    const norm1 = Math.max(Math.abs(t00) + Math.abs(t10), Math.abs(t01) + Math.abs(t11));
    const invNorm1 = Math.max(Math.abs(t11) + Math.abs(t10), Math.abs(t01) + Math.abs(t00)) / Math.abs(det);
    const bad = !(1 / (norm1 * invNorm1) >= 1000 * Number.EPSILON);
    const o = 6 * t;
    transforms.set(bad ? [NaN, NaN, NaN, NaN] : [t11 / det, -t01 / det, -t10 / det, t00 / det], o);
    transforms[o + 4] = x2;
    transforms[o + 5] = y2;
  }
  let bounds: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < tri.nPoints; i++) {
    const [x, y] = [p[2 * i]!, p[2 * i + 1]!];
    bounds = [Math.min(bounds[0], x), Math.min(bounds[1], y), Math.max(bounds[2], x), Math.max(bounds[3], y)];
  }
  return { tri, transforms, bounds };
}

/** Barycentric coordinates of (x, y) in triangle t (c2 = 1 − c0 − c1), written into `c`. */
export function barycentric(loc: Locator, t: number, x: number, y: number, c: Float64Array): void {
  const m = loc.transforms;
  const o = 6 * t;
  const dx = x - m[o + 4]!;
  const dy = y - m[o + 5]!;
  c[0] = m[o]! * dx + m[o + 1]! * dy;
  c[1] = m[o + 2]! * dx + m[o + 3]! * dy;
  c[2] = 1 - c[0] - c[1];
}

const inside = (c: Float64Array): boolean =>
  c[0]! >= -EPS && c[0]! <= 1 + EPS && c[1]! >= -EPS && c[1]! <= 1 + EPS && c[2]! >= -EPS && c[2]! <= 1 + EPS;

/**
 * The triangle containing (x, y) within scipy's eps (100·DBL_EPSILON in barycentric coordinates), or -1.
 * Starts at `hint` and walks towards the point; falls back to a scan, as scipy's `_find_simplex` does.
 */
export function findTriangle(loc: Locator, x: number, y: number, c: Float64Array, hint = 0): number {
  const [x0, y0, x1, y1] = loc.bounds;
  if (x < x0 - EPS || x > x1 + EPS || y < y0 - EPS || y > y1 + EPS) return -1;
  const n = triangleCount(loc.tri);
  let t = hint >= 0 && hint < n ? hint : 0;
  for (let step = 0; step < 1 + (n >> 2) && t >= 0; step++) {
    barycentric(loc, t, x, y, c);
    if (inside(c)) return t;
    let next = -2;
    for (let k = 0; k < 3; k++) {
      if (c[k]! < -EPS) {
        next = loc.tri.neighbors[3 * t + k]!;
        break;
      }
    }
    if (next === -2) break;
    if (next === -1) return -1;
    t = next;
  }
  for (let s = 0; s < n; s++) {
    barycentric(loc, s, x, y, c);
    if (inside(c)) return s;
  }
  return -1;
}

export interface GradientResult {
  /** [fx0, fy0, fx1, fy1, …] */
  grad: Float64Array;
  /** Sweeps used, or 0 when maxiter was reached without convergence (as scipy). */
  iterations: number;
}

/** `estimate_gradients_2d_global(tri, values, maxiter=400, tol=1e-6)`. */
export function estimateGradients(
  tri: Triangulation,
  values: ArrayLike<number>,
  maxiter = 400,
  tol = 1e-6,
): GradientResult {
  const neighbours = vertexNeighbors(tri);
  const p = tri.points;
  const y = new Float64Array(2 * tri.nPoints);
  for (let iter = 0; iter < maxiter; iter++) {
    let err = 0;
    for (let i = 0; i < tri.nPoints; i++) {
      let q0 = 0;
      let q1 = 0;
      let q3 = 0;
      let s0 = 0;
      let s1 = 0;
      for (const j of neighbours[i]!) {
        const ex = p[2 * j]! - p[2 * i]!;
        const ey = p[2 * j + 1]! - p[2 * i + 1]!;
        const L = Math.sqrt(ex * ex + ey * ey);
        const L3 = L * L * L;
        const df2 = -ex * y[2 * j]! - ey * y[2 * j + 1]!;
        const w = 6 * ((values[i] ?? NaN) - (values[j] ?? NaN)) - 2 * df2;
        q0 += (4 * ex * ex) / L3;
        q1 += (4 * ex * ey) / L3;
        q3 += (4 * ey * ey) / L3;
        s0 += (w * ex) / L3;
        s1 += (w * ey) / L3;
      }
      const det = q0 * q3 - q1 * q1;
      const r0 = (q3 * s0 - q1 * s1) / det;
      const r1 = (-q1 * s0 + q0 * s1) / det;
      const change = Math.max(Math.abs(y[2 * i]! + r0), Math.abs(y[2 * i + 1]! + r1));
      y[2 * i] = -r0;
      y[2 * i + 1] = -r1;
      err = Math.max(err, change / Math.max(1, Math.abs(r0), Math.abs(r1)));
    }
    if (err < tol) return { grad: y, iterations: iter + 1 };
  }
  return { grad: y, iterations: 0 };
}

/** Interior continuity coefficients g[k] of triangle t (scipy: neighbour centroid in local barycentrics). */
export function cloughTocherG(loc: Locator, t: number): [number, number, number] {
  const { tri } = loc;
  const g: [number, number, number] = [-0.5, -0.5, -0.5];
  const c = new Float64Array(3);
  for (let k = 0; k < 3; k++) {
    const nb = tri.neighbors[3 * t + k]!;
    if (nb === -1) continue;
    let cx = 0;
    let cy = 0;
    for (let v = 0; v < 3; v++) {
      cx += tri.points[2 * tri.triangles[3 * nb + v]!]!;
      cy += tri.points[2 * tri.triangles[3 * nb + v]! + 1]!;
    }
    barycentric(loc, t, cx / 3, cy / 3, c);
    const [a, b, d] = k === 0 ? [c[2]!, c[1]!, 0] : k === 1 ? [c[0]!, c[2]!, 1] : [c[1]!, c[0]!, 2];
    g[d] = (2 * a + b - 1) / (2 - 3 * a - 3 * b);
  }
  return g;
}

/** Number of Bézier control values kept per triangle. */
const NET = 19;

/**
 * The cubic Bézier control net of triangle t's Clough–Tocher patch (scipy `_clough_tocher_2d_single`, first half),
 * written into `net` at offset 19·t in the order c3000, c0300, c0030, c2100, c2010, c1200, c0210, c1020, c0120,
 * c2001, c0201, c0021, c0111, c1011, c1101, c1002, c0102, c0012, c0003.
 */
export function cloughTocherNet(
  tri: Triangulation,
  t: number,
  g: readonly number[],
  values: ArrayLike<number>,
  grad: Float64Array,
  net: Float64Array,
): void {
  const [v0, v1, v2] = [tri.triangles[3 * t]!, tri.triangles[3 * t + 1]!, tri.triangles[3 * t + 2]!];
  const P = tri.points;
  const e12x = P[2 * v1]! - P[2 * v0]!;
  const e12y = P[2 * v1 + 1]! - P[2 * v0 + 1]!;
  const e23x = P[2 * v2]! - P[2 * v1]!;
  const e23y = P[2 * v2 + 1]! - P[2 * v1 + 1]!;
  const e31x = P[2 * v0]! - P[2 * v2]!;
  const e31y = P[2 * v0 + 1]! - P[2 * v2 + 1]!;
  const df12 = +(grad[2 * v0]! * e12x + grad[2 * v0 + 1]! * e12y);
  const df21 = -(grad[2 * v1]! * e12x + grad[2 * v1 + 1]! * e12y);
  const df23 = +(grad[2 * v1]! * e23x + grad[2 * v1 + 1]! * e23y);
  const df32 = -(grad[2 * v2]! * e23x + grad[2 * v2 + 1]! * e23y);
  const df31 = +(grad[2 * v2]! * e31x + grad[2 * v2 + 1]! * e31y);
  const df13 = -(grad[2 * v0]! * e31x + grad[2 * v0 + 1]! * e31y);
  const c3000 = values[v0] ?? NaN;
  const c0300 = values[v1] ?? NaN;
  const c0030 = values[v2] ?? NaN;
  const c2100 = (df12 + 3 * c3000) / 3;
  const c2010 = (df13 + 3 * c3000) / 3;
  const c1200 = (df21 + 3 * c0300) / 3;
  const c0210 = (df23 + 3 * c0300) / 3;
  const c1020 = (df31 + 3 * c0030) / 3;
  const c0120 = (df32 + 3 * c0030) / 3;
  const c2001 = (c2100 + c2010 + c3000) / 3;
  const c0201 = (c1200 + c0300 + c0210) / 3;
  const c0021 = (c1020 + c0120 + c0030) / 3;
  const [g0, g1, g2] = [g[0]!, g[1]!, g[2]!];
  const c0111 =
    (g0 * (-c0300 + 3 * c0210 - 3 * c0120 + c0030) + (-c0300 + 2 * c0210 - c0120 + c0021 + c0201)) / 2;
  const c1011 =
    (g1 * (-c0030 + 3 * c1020 - 3 * c2010 + c3000) + (-c0030 + 2 * c1020 - c2010 + c2001 + c0021)) / 2;
  const c1101 =
    (g2 * (-c3000 + 3 * c2100 - 3 * c1200 + c0300) + (-c3000 + 2 * c2100 - c1200 + c2001 + c0201)) / 2;
  const c1002 = (c1101 + c1011 + c2001) / 3;
  const c0102 = (c1101 + c0111 + c0201) / 3;
  const c0012 = (c1011 + c0111 + c0021) / 3;
  const c0003 = (c1002 + c0102 + c0012) / 3;
  net.set(
    [
      c3000,
      c0300,
      c0030,
      c2100,
      c2010,
      c1200,
      c0210,
      c1020,
      c0120,
      c2001,
      c0201,
      c0021,
      c0111,
      c1011,
      c1101,
      c1002,
      c0102,
      c0012,
      c0003,
    ],
    NET * t,
  );
}

/** Evaluates a control net at barycentric b, after the centroid split (scipy's quartic-index Bernstein sum). */
export function cloughTocherEval(net: Float64Array, t: number, b: ArrayLike<number>): number {
  const o = NET * t;
  // extended barycentric coordinates: the Clough–Tocher split at the centroid
  const minval = Math.min(b[0]!, b[1]!, b[2]!);
  const b1 = b[0]! - minval;
  const b2 = b[1]! - minval;
  const b3 = b[2]! - minval;
  const b4 = 3 * minval;
  const n = (k: number): number => net[o + k]!;
  // the same terms, in the same order, as scipy (one of b1..b4 is zero)
  return (
    b1 * b1 * b1 * n(0) +
    3 * (b1 * b1) * b2 * n(3) +
    3 * (b1 * b1) * b3 * n(4) +
    3 * (b1 * b1) * b4 * n(9) +
    3 * b1 * (b2 * b2) * n(5) +
    6 * b1 * b2 * b4 * n(14) +
    3 * b1 * (b3 * b3) * n(7) +
    6 * b1 * b3 * b4 * n(13) +
    3 * b1 * (b4 * b4) * n(15) +
    b2 * b2 * b2 * n(1) +
    3 * (b2 * b2) * b3 * n(6) +
    3 * (b2 * b2) * b4 * n(10) +
    3 * b2 * (b3 * b3) * n(8) +
    6 * b2 * b3 * b4 * n(12) +
    3 * b2 * (b4 * b4) * n(16) +
    b3 * b3 * b3 * n(2) +
    3 * (b3 * b3) * b4 * n(11) +
    3 * b3 * (b4 * b4) * n(17) +
    b4 * b4 * b4 * n(18)
  );
}

export type PointInterp = 'cubic' | 'linear';

/**
 * Interpolates `values` (one per triangulation vertex) at grid points (xs along columns, ys along rows):
 * `out[row * xs.length + col]`, NaN outside the triangulation.
 */
export function interpolateGrid(
  loc: Locator,
  values: ArrayLike<number>,
  xs: readonly number[],
  ys: readonly number[],
  method: PointInterp,
): Float64Array {
  const { tri } = loc;
  const out = new Float64Array(xs.length * ys.length).fill(NaN);
  const grad = method === 'cubic' ? estimateGradients(tri, values).grad : null;
  // control nets are built lazily, once per triangle that a grid point falls in
  const net = new Float64Array(NET * triangleCount(tri));
  const built = new Uint8Array(triangleCount(tri));
  const c = new Float64Array(3);
  const v = tri.triangles;
  let hint = 0;
  for (let row = 0; row < ys.length; row++) {
    for (let col = 0; col < xs.length; col++) {
      const t = findTriangle(loc, xs[col]!, ys[row]!, c, hint);
      if (t < 0) continue;
      hint = t;
      if (!grad) {
        out[row * xs.length + col] =
          c[0]! * (values[v[3 * t]!] ?? NaN) +
          c[1]! * (values[v[3 * t + 1]!] ?? NaN) +
          c[2]! * (values[v[3 * t + 2]!] ?? NaN);
        continue;
      }
      if (!built[t]) {
        cloughTocherNet(tri, t, cloughTocherG(loc, t), values, grad, net);
        built[t] = 1;
      }
      out[row * xs.length + col] = cloughTocherEval(net, t, c);
    }
  }
  return out;
}

/** extrapolate.ts's `extraPointValues` at 4fa6655. */
export function extraPointValues(
  extra: { tri: Triangulation; points: readonly unknown[] },
  nSensors: number,
  values: ArrayLike<number>,
  border: 'mean' | number,
): Float64Array {
  const out = new Float64Array(extra.points.length);
  if (border !== 'mean') return out.fill(border);
  const neighbours = vertexNeighbors(extra.tri);
  const used: boolean[] = [];
  for (let e = 0; e < out.length; e++) {
    const sensors = (neighbours[nSensors + e] ?? []).filter((v) => v < nSensors);
    used.push(sensors.length > 0);
    if (sensors.length > 0) out[e] = sensors.reduce((a, v) => a + (values[v] ?? NaN), 0) / sensors.length;
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

/** nearest.ts's `nearestGrid` at 4fa6655. */
export function nearestGrid(
  points: Float64Array,
  values: ArrayLike<number>,
  xs: readonly number[],
  ys: readonly number[],
): Float64Array {
  const n = points.length / 2;
  const out = new Float64Array(xs.length * ys.length);
  ys.forEach((y, row) => {
    xs.forEach((x, col) => {
      let best = -1;
      let bestD = Infinity;
      for (let i = 0; i < n; i++) {
        const dx = points[2 * i]! - x;
        const dy = points[2 * i + 1]! - y;
        const d = dx * dx + dy * dy;
        if (d < bestD) {
          bestD = d;
          best = i;
        }
      }
      out[row * xs.length + col] = best < 0 ? NaN : (values[best] ?? NaN);
    });
  });
  return out;
}
