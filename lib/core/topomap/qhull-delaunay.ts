/**
 * scipy's Delaunay triangles (qhull 'Qt' output) from an exact tie-aware Delaunay and qhull's vertex ids.
 *
 * qhull builds the lower hull of the paraboloid-lifted points; four or more co-circular sites give coplanar
 * facets, which it merges ('coplanar horizon' merges) and at the end triangulates ('Qt', `qh_triangulate_facet`)
 * as a fan from the merged facet's first vertex, the one with the highest vertex id (the last site added).
 * Every triangle is written with its vertices in decreasing id, the first two swapped when the facet is not
 * "toporient"; for lower Delaunay facets that makes each scipy simplex counter-clockwise with its lowest-id
 * vertex last. So given qhull's vertex ids, the simplices (as an ordered-vertex set) are:
 *
 * - every Delaunay triangle whose circumcircle holds no fourth site on it, as is;
 * - every co-circular cell (a convex polygon of ≥ 4 sites on one empty circle) fanned from its highest-id site;
 * - each written counter-clockwise, rotated so that its lowest-id vertex comes last.
 *
 * Cells are found on delaunator's triangulation by qhull's own coplanarity test on the lifted points: the fourth
 * site of two adjacent triangles within ±`tolerance` (qhull's MAXcoplanar = MINvisible = 2·DISTround) of the
 * plane through the first three. Verified against scipy on MNE's standard montages and co-circular stress sets.
 */
import Delaunator from 'delaunator';
import type { Vec2 } from './types';

const det2 = (a1: number, a2: number, b1: number, b2: number): number => a1 * b2 - a2 * b1;

/** qhull's lifted coordinate (x² + y²) · scale + shift; scale 1 and shift 0 unless 'Qbb' rescaled it. */
export interface Lift {
  scale: number;
  shift: number;
}
const UNSCALED: Lift = { scale: 1, shift: 0 };

/** qhull's ANGLEround (1.01 · dim · ε) times qh_ZEROdelaunay: lifted facets with |normal z| below are "upper". */
const FLAT_NORMAL_Z = 2 * 1.01 * 3 * 2.220446049250313e-16;

/** The lifted plane through a, b, c: its unnormalised normal (qhull's `qh_sethyperplane_det`) and lifted a. */
function liftedNormal(
  p: readonly Vec2[],
  a: number,
  b: number,
  c: number,
  by: Lift,
): {
  n: [number, number, number];
  p0: [number, number, number];
  lift: (i: number) => [number, number, number];
} {
  const lift = (i: number): [number, number, number] => {
    const [x, y] = p[i]!;
    return [x, y, (x * x + y * y) * by.scale + by.shift];
  };
  const [p0, p1, p2] = [lift(a), lift(b), lift(c)];
  const rel = (v: readonly number[], k: number): number => v[k]! - p0[k]!;
  const n: [number, number, number] = [
    det2(rel(p2, 1), rel(p2, 2), rel(p1, 1), rel(p1, 2)),
    det2(rel(p1, 0), rel(p1, 2), rel(p2, 0), rel(p2, 2)),
    det2(rel(p2, 0), rel(p2, 1), rel(p1, 0), rel(p1, 1)),
  ];
  return { n, p0, lift };
}

/**
 * Whether qhull would take the lifted facet a, b, c for an upper (vertical) one and leave it out of the
 * triangulation: three (nearly) collinear sites, as extra points along one side of a layout (`qh_setfacetplane`).
 */
function isFlat(p: readonly Vec2[], a: number, b: number, c: number, by: Lift = UNSCALED): boolean {
  const { n } = liftedNormal(p, a, b, c, by);
  const norm = Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
  return !(Math.abs(n[2]) > norm * FLAT_NORMAL_Z);
}

/** Signed distance of lifted site d from the lifted plane through a, b, c (qhull's `qh_sethyperplane_det`). */
export function liftedDistance(
  p: readonly Vec2[],
  a: number,
  b: number,
  c: number,
  d: number,
  by: Lift = UNSCALED,
): number {
  const { n, p0, lift } = liftedNormal(p, a, b, c, by);
  const q = lift(d);
  const [n0, n1, n2] = n;
  const norm = Math.sqrt(n0 * n0 + n1 * n1 + n2 * n2);
  if (!(norm > 0)) return NaN;
  const offset = -(p0[0] * n0 + p0[1] * n1 + p0[2] * n2) / norm;
  return offset + (q[0] * n0) / norm + (q[1] * n1) / norm + (q[2] * n2) / norm;
}

/** Union-find over triangle indices, path-halving. */
function makeUnionFind(n: number): { find: (x: number) => number; union: (a: number, b: number) => void } {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    let r = x;
    for (let guard = 0; parent[r]! !== r && guard < n; guard++) {
      parent[r] = parent[parent[r]!]!;
      r = parent[r]!;
    }
    return r;
  };
  return { find, union: (a, b) => void (parent[find(a)] = find(b)) };
}

/** Groups of delaunator triangles whose sites lie on one circle (within `tolerance`), each a list of triangles. */
function cocircularGroups(
  p: readonly Vec2[],
  d: Delaunator<Float64Array>,
  tolerance: number,
  lift: Lift,
): number[][] {
  const nTri = d.triangles.length / 3;
  const uf = makeUnionFind(nTri);
  for (let e = 0; e < d.triangles.length; e++) {
    const h = d.halfedges[e]!;
    if (h < e) continue; // each interior edge once; hull edges have h = -1
    const t = Math.floor(e / 3);
    const u = Math.floor(h / 3);
    const far = d.triangles[3 * u + (((h % 3) + 2) % 3)]!;
    const dist = liftedDistance(
      p,
      d.triangles[3 * t]!,
      d.triangles[3 * t + 1]!,
      d.triangles[3 * t + 2]!,
      far,
      lift,
    );
    if (Math.abs(dist) <= tolerance) uf.union(t, u);
  }
  const groups = new Map<number, number[]>();
  for (let t = 0; t < nTri; t++) {
    const root = uf.find(t);
    const g = groups.get(root);
    if (g) g.push(t);
    else groups.set(root, [t]);
  }
  return [...groups.values()];
}

/** Appends triangle (a, b, c) counter-clockwise with its lowest-rank vertex last, unless it is flat. */
function pushQhullOrder(
  p: readonly Vec2[],
  rank: ArrayLike<number>,
  a: number,
  b: number,
  c: number,
  out: number[],
  lift: Lift,
): void {
  if (isFlat(p, a, b, c, lift)) return;
  const ccw =
    (p[b]![0] - p[a]![0]) * (p[c]![1] - p[a]![1]) - (p[b]![1] - p[a]![1]) * (p[c]![0] - p[a]![0]) > 0;
  let t = ccw ? [a, b, c] : [a, c, b];
  for (let k = 0; k < 2 && rank[t[2]!]! > Math.min(rank[t[0]!]!, rank[t[1]!]!); k++)
    t = [t[2]!, t[0]!, t[1]!];
  out.push(t[0]!, t[1]!, t[2]!);
}

/** The sites of a co-circular cell in counter-clockwise order (angle about their centroid). */
function cellPolygon(
  p: readonly Vec2[],
  d: Delaunator<Float64Array>,
  triangles: readonly number[],
): number[] {
  const sites = [...new Set(triangles.flatMap((t) => [0, 1, 2].map((k) => d.triangles[3 * t + k]!)))];
  const cx = sites.reduce((s, v) => s + p[v]![0], 0) / sites.length;
  const cy = sites.reduce((s, v) => s + p[v]![1], 0) / sites.length;
  const angle = (v: number): number => Math.atan2(p[v]![1] - cy, p[v]![0] - cx);
  return sites.sort((u, v) => angle(u) - angle(v));
}

/**
 * qhull's Delaunay simplices (3 site indices each, counter-clockwise, lowest-rank vertex last), given each
 * site's qhull vertex id (`rank`, larger = added later), qhull's coplanarity tolerance and lifted coordinate (`lift`,
 * for 'Qbb'). Triangle order is
 * delaunator's, not qhull's facet order (nothing downstream depends on it).
 */
export function qhullTriangles(
  p: readonly Vec2[],
  rank: ArrayLike<number>,
  tolerance: number,
  lift: Lift = UNSCALED,
): Int32Array {
  const flat = new Float64Array(2 * p.length);
  p.forEach(([x, y], i) => {
    flat[2 * i] = x;
    flat[2 * i + 1] = y;
  });
  const d = new Delaunator(flat);
  const out: number[] = [];
  for (const group of cocircularGroups(p, d, tolerance, lift)) {
    if (group.length === 1) {
      const t = group[0]!;
      pushQhullOrder(
        p,
        rank,
        d.triangles[3 * t]!,
        d.triangles[3 * t + 1]!,
        d.triangles[3 * t + 2]!,
        out,
        lift,
      );
      continue;
    }
    const poly = cellPolygon(p, d, group);
    let apex = 0;
    poly.forEach((v, i) => {
      if (rank[v]! > rank[poly[apex]!]!) apex = i;
    });
    for (let i = 1; i + 1 < poly.length; i++) {
      const b = poly[(apex + i) % poly.length]!;
      const c = poly[(apex + i + 1) % poly.length]!;
      pushQhullOrder(p, rank, poly[apex]!, b, c, out, lift);
    }
  }
  return Int32Array.from(out);
}
