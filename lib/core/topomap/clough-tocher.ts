/**
 * scipy 1.10's CloughTocher2DInterpolator (interpnd.pyx) on a given triangulation: global gradient estimation
 * (Nielson/Renka–Cline curvature minimisation, Gauss-Seidel) and the piecewise cubic Clough–Tocher evaluation;
 * also the barycentric linear interpolant and point location with scipy's tolerances. NaN outside the hull.
 */
import { triangleCount, vertexNeighbors, type Triangulation } from './triangulation';

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

/**
 * The value-independent part of the gradient estimation: each vertex's neighbours (sorted, as
 * `vertex_neighbor_vertices`) with the edge vector and |e|³, and the 2×2 system q (with its determinant) that
 * every sweep rebuilt from them. Each number is computed with the same operations in the same order as the sweep
 * did, so using the plan gives the same bits.
 */
export interface GradientPlan {
  /** Neighbours of vertex i are `neighbours[offsets[i] .. offsets[i + 1])`. */
  offsets: Int32Array;
  neighbours: Int32Array;
  /** Per directed edge i → j: ex, ey (j − i) and L³. */
  ex: Float64Array;
  ey: Float64Array;
  l3: Float64Array;
  /** Per vertex: q0, q1, q3 (Σ 4·e·eᵀ/L³) and det = q0·q3 − q1². */
  q0: Float64Array;
  q1: Float64Array;
  q3: Float64Array;
  det: Float64Array;
}

export function planGradients(
  tri: Triangulation,
  lists: readonly (readonly number[])[] = vertexNeighbors(tri),
): GradientPlan {
  const p = tri.points;
  const offsets = new Int32Array(tri.nPoints + 1);
  lists.forEach((list, i) => (offsets[i + 1] = offsets[i]! + list.length));
  const edges = offsets[tri.nPoints]!;
  const plan: GradientPlan = {
    offsets,
    neighbours: new Int32Array(edges),
    ex: new Float64Array(edges),
    ey: new Float64Array(edges),
    l3: new Float64Array(edges),
    q0: new Float64Array(tri.nPoints),
    q1: new Float64Array(tri.nPoints),
    q3: new Float64Array(tri.nPoints),
    det: new Float64Array(tri.nPoints),
  };
  for (let i = 0; i < tri.nPoints; i++) {
    let q0 = 0;
    let q1 = 0;
    let q3 = 0;
    let e = offsets[i]!;
    for (const j of lists[i]!) {
      const ex = p[2 * j]! - p[2 * i]!;
      const ey = p[2 * j + 1]! - p[2 * i + 1]!;
      const L = Math.sqrt(ex * ex + ey * ey);
      const L3 = L * L * L;
      q0 += (4 * ex * ex) / L3;
      q1 += (4 * ex * ey) / L3;
      q3 += (4 * ey * ey) / L3;
      plan.neighbours[e] = j;
      plan.ex[e] = ex;
      plan.ey[e] = ey;
      plan.l3[e] = L3;
      e++;
    }
    plan.q0[i] = q0;
    plan.q1[i] = q1;
    plan.q3[i] = q3;
    plan.det[i] = q0 * q3 - q1 * q1;
  }
  return plan;
}

/** `estimate_gradients_2d_global(tri, values, maxiter=400, tol=1e-6)`. */
export function estimateGradients(
  tri: Triangulation,
  values: ArrayLike<number>,
  maxiter = 400,
  tol = 1e-6,
  plan: GradientPlan = planGradients(tri),
): GradientResult {
  const { offsets, neighbours, ex, ey, l3, q0, q1, q3, det } = plan;
  const y = new Float64Array(2 * tri.nPoints);
  // 6·(f_i − f_j) per directed edge: the same for every sweep
  const sixDf = new Float64Array(neighbours.length);
  for (let i = 0; i < tri.nPoints; i++) {
    for (let e = offsets[i]!; e < offsets[i + 1]!; e++)
      sixDf[e] = 6 * ((values[i] ?? NaN) - (values[neighbours[e]!] ?? NaN));
  }
  for (let iter = 0; iter < maxiter; iter++) {
    let err = 0;
    for (let i = 0, e = 0; i < tri.nPoints; i++) {
      let s0 = 0;
      let s1 = 0;
      for (const end = offsets[i + 1]!; e < end; e++) {
        const j = 2 * neighbours[e]!;
        const exE = ex[e]!;
        const eyE = ey[e]!;
        const l3E = l3[e]!;
        const w = sixDf[e]! - 2 * (-exE * y[j]! - eyE * y[j + 1]!);
        s0 += (w * exE) / l3E;
        s1 += (w * eyE) / l3E;
      }
      const r0 = (q3[i]! * s0 - q1[i]! * s1) / det[i]!;
      const r1 = (-q1[i]! * s0 + q0[i]! * s1) / det[i]!;
      const change = Math.max(Math.abs(y[2 * i]! + r0), Math.abs(y[2 * i + 1]! + r1));
      y[2 * i] = -r0;
      y[2 * i + 1] = -r1;
      // err = max(err, change / max(1, |r0|, |r1|)) without Math.max calls; a NaN sticks, as with Math.max
      const scale = Math.abs(r0) > Math.abs(r1) ? Math.abs(r0) : Math.abs(r1);
      const relative = change / (scale > 1 ? scale : 1);
      if (relative > err || relative !== relative) err = relative;
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
  g: ArrayLike<number>,
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
  const o = NET * t;
  net[o] = c3000;
  net[o + 1] = c0300;
  net[o + 2] = c0030;
  net[o + 3] = c2100;
  net[o + 4] = c2010;
  net[o + 5] = c1200;
  net[o + 6] = c0210;
  net[o + 7] = c1020;
  net[o + 8] = c0120;
  net[o + 9] = c2001;
  net[o + 10] = c0201;
  net[o + 11] = c0021;
  net[o + 12] = c0111;
  net[o + 13] = c1011;
  net[o + 14] = c1101;
  net[o + 15] = c1002;
  net[o + 16] = c0102;
  net[o + 17] = c0012;
  net[o + 18] = c0003;
}

/**
 * Evaluates a control net at the barycentric coordinates `b[at..at+3)`, after the centroid split (scipy's
 * quartic-index Bernstein sum).
 */
export function cloughTocherEval(net: Float64Array, t: number, b: ArrayLike<number>, at = 0): number {
  return evaluate(net, t, b, at, false);
}

/**
 * cloughTocherEval for a net whose 19 control values are all finite (netIsFinite): one of b1, b2, b3 is exactly 0,
 * so the 9 terms holding it are ±0 and only the other 10 are summed, in scipy's order. Adding ±0 leaves a
 * non-zero sum unchanged, so a non-zero result has the full sum's bits; a zero one (whose sign the ±0 terms
 * decide) is recomputed in full.
 */
export function cloughTocherEvalFinite(net: Float64Array, t: number, b: ArrayLike<number>, at = 0): number {
  return evaluate(net, t, b, at, true);
}

/** Both evaluations: the centroid split, then the 10 non-zero terms (`finite`) or all 19. */
function evaluate(net: Float64Array, t: number, b: ArrayLike<number>, at: number, finite: boolean): number {
  const o = NET * t;
  // extended barycentric coordinates: the Clough–Tocher split at the centroid
  const minval = Math.min(b[at]!, b[at + 1]!, b[at + 2]!);
  const b1 = b[at]! - minval;
  const b2 = b[at + 1]! - minval;
  const b3 = b[at + 2]! - minval;
  const b4 = 3 * minval;
  if (finite) {
    let sum = 0;
    if (b1 === 0) sum = cubicTerms(b2, b3, b4, net, o, WITHOUT_B1);
    else if (b2 === 0) sum = cubicTerms(b1, b3, b4, net, o, WITHOUT_B2);
    else if (b3 === 0) sum = cubicTerms(b1, b2, b4, net, o, WITHOUT_B3);
    if (sum !== 0) return sum;
  }
  return allTerms(b1, b2, b3, b4, net, o);
}

/** The full Bernstein sum: the same 19 terms, in the same order, as scipy (one of b1..b4 is zero). */
function allTerms(b1: number, b2: number, b3: number, b4: number, net: Float64Array, o: number): number {
  return (
    b1 * b1 * b1 * net[o]! +
    3 * (b1 * b1) * b2 * net[o + 3]! +
    3 * (b1 * b1) * b3 * net[o + 4]! +
    3 * (b1 * b1) * b4 * net[o + 9]! +
    3 * b1 * (b2 * b2) * net[o + 5]! +
    6 * b1 * b2 * b4 * net[o + 14]! +
    3 * b1 * (b3 * b3) * net[o + 7]! +
    6 * b1 * b3 * b4 * net[o + 13]! +
    3 * b1 * (b4 * b4) * net[o + 15]! +
    b2 * b2 * b2 * net[o + 1]! +
    3 * (b2 * b2) * b3 * net[o + 6]! +
    3 * (b2 * b2) * b4 * net[o + 10]! +
    3 * b2 * (b3 * b3) * net[o + 8]! +
    6 * b2 * b3 * b4 * net[o + 12]! +
    3 * b2 * (b4 * b4) * net[o + 16]! +
    b3 * b3 * b3 * net[o + 2]! +
    3 * (b3 * b3) * b4 * net[o + 11]! +
    3 * b3 * (b4 * b4) * net[o + 17]! +
    b4 * b4 * b4 * net[o + 18]!
  );
}

/**
 * Net offsets of the 10 terms left when b1, b2 or b3 is 0, in the order scipy sums them: p³, 3p²q, 3p²r, 3pq²,
 * 6pqr, 3pr², q³, 3q²r, 3qr², r³ for the two non-zero coordinates p, q and r = b4.
 */
const WITHOUT_B1 = [1, 6, 10, 8, 12, 16, 2, 11, 17, 18] as const;
const WITHOUT_B2 = [0, 4, 9, 7, 13, 15, 2, 11, 17, 18] as const;
const WITHOUT_B3 = [0, 3, 9, 5, 14, 15, 1, 10, 16, 18] as const;
type TermOffsets = typeof WITHOUT_B1 | typeof WITHOUT_B2 | typeof WITHOUT_B3;

/** The 10-term cubic sum of cloughTocherEvalFinite, with the same operations in the same order as scipy's. */
function cubicTerms(p: number, q: number, r: number, net: Float64Array, o: number, k: TermOffsets): number {
  return (
    p * p * p * net[o + k[0]]! +
    3 * (p * p) * q * net[o + k[1]]! +
    3 * (p * p) * r * net[o + k[2]]! +
    3 * p * (q * q) * net[o + k[3]]! +
    6 * p * q * r * net[o + k[4]]! +
    3 * p * (r * r) * net[o + k[5]]! +
    q * q * q * net[o + k[6]]! +
    3 * (q * q) * r * net[o + k[7]]! +
    3 * q * (r * r) * net[o + k[8]]! +
    r * r * r * net[o + k[9]]!
  );
}

/** Whether all 19 control values of triangle t's net are finite (cloughTocherEvalFinite applies). */
export function netIsFinite(net: Float64Array, t: number): boolean {
  for (let k = NET * t; k < NET * (t + 1); k++) if (!Number.isFinite(net[k]!)) return false;
  return true;
}

export type PointInterp = 'cubic' | 'linear';

/**
 * Everything about interpolating on a fixed grid that does not depend on the values: the triangle each grid
 * point falls in and its barycentric coordinates, found exactly as a point-by-point search would (row-major walk,
 * each search starting from the previous hit), the triangles used with their Clough–Tocher g, and the gradient
 * plan. A map then costs the gradient sweeps, one control net per used triangle and one pass over the grid.
 * Memory: 28 bytes per grid point (115 kB at res 64).
 */
export interface GridPlan {
  nPoints: number;
  /** Per grid point (`row * xs.length + col`): the containing triangle, or -1 (NaN there). */
  triangle: Int32Array;
  /** Per grid point: its three barycentric coordinates in that triangle. */
  bary: Float64Array;
  /** Triangles holding at least one grid point, ascending. */
  used: Int32Array;
  /** Per triangle: Clough–Tocher g (3 numbers), filled for the used triangles. */
  g: Float64Array;
  gradients: GradientPlan;
}

/** `neighbours`: the triangulation's vertexNeighbors, when the caller has them. */
export function planGrid(
  loc: Locator,
  xs: readonly number[],
  ys: readonly number[],
  neighbours: readonly (readonly number[])[] = vertexNeighbors(loc.tri),
): GridPlan {
  const nPoints = xs.length * ys.length;
  const triangle = new Int32Array(nPoints).fill(-1);
  const bary = new Float64Array(3 * nPoints);
  const isUsed = new Uint8Array(triangleCount(loc.tri));
  const c = new Float64Array(3);
  let hint = 0;
  for (let row = 0; row < ys.length; row++) {
    for (let col = 0; col < xs.length; col++) {
      const t = findTriangle(loc, xs[col]!, ys[row]!, c, hint);
      if (t < 0) continue;
      hint = t;
      const k = row * xs.length + col;
      triangle[k] = t;
      bary[3 * k] = c[0]!;
      bary[3 * k + 1] = c[1]!;
      bary[3 * k + 2] = c[2]!;
      isUsed[t] = 1;
    }
  }
  const used = Int32Array.from(isUsed.keys()).filter((t) => isUsed[t] === 1);
  const g = new Float64Array(3 * isUsed.length).fill(NaN);
  for (const t of used) g.set(cloughTocherG(loc, t), 3 * t);
  return { nPoints, triangle, bary, used, g, gradients: planGradients(loc.tri, neighbours) };
}

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
  return interpolatePlanned(loc, values, planGrid(loc, xs, ys), method);
}

/** interpolateGrid on a grid already planned (planGrid on the same locator): the same numbers, less work. */
export function interpolatePlanned(
  loc: Locator,
  values: ArrayLike<number>,
  plan: GridPlan,
  method: PointInterp,
): Float64Array {
  const { tri } = loc;
  const { triangle, bary } = plan;
  const out = new Float64Array(plan.nPoints);
  const v = tri.triangles;
  if (method === 'linear') {
    for (let k = 0; k < plan.nPoints; k++) {
      const t = triangle[k]!;
      out[k] =
        t < 0
          ? NaN
          : bary[3 * k]! * (values[v[3 * t]!] ?? NaN) +
            bary[3 * k + 1]! * (values[v[3 * t + 1]!] ?? NaN) +
            bary[3 * k + 2]! * (values[v[3 * t + 2]!] ?? NaN);
    }
    return out;
  }
  const grad = estimateGradients(tri, values, 400, 1e-6, plan.gradients).grad;
  const net = new Float64Array(NET * triangleCount(tri));
  const finite = new Uint8Array(triangleCount(tri));
  for (const t of plan.used) {
    cloughTocherNet(tri, t, plan.g.subarray(3 * t, 3 * t + 3), values, grad, net);
    finite[t] = netIsFinite(net, t) ? 1 : 0;
  }
  for (let k = 0; k < plan.nPoints; k++) {
    const t = triangle[k]!;
    if (t < 0) out[k] = NaN;
    else
      out[k] = finite[t]
        ? cloughTocherEvalFinite(net, t, bary, 3 * k)
        : cloughTocherEval(net, t, bary, 3 * k);
  }
  return out;
}
