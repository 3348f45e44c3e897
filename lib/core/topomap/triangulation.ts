/**
 * Delaunay triangulation in the shape scipy.spatial.Delaunay exposes it: triangles (counter-clockwise), the
 * neighbour opposite each vertex (-1 on the hull), hull edges and vertex neighbours. `triangulate` uses npm
 * `delaunator`, which gives qhull's triangles except where four or more points are co-circular (ties);
 * `fromTriangles` wraps given triangles (qhull's, from qhull-delaunay.ts).
 */
import Delaunator from 'delaunator';
import type { Vec2 } from './types';

export interface Triangulation {
  /** x0, y0, x1, y1, … */
  points: Float64Array;
  nPoints: number;
  /** Three vertex indices per triangle, counter-clockwise. */
  triangles: Int32Array;
  /** neighbors[3t + k]: the triangle across the edge opposite vertex k of triangle t, or -1. */
  neighbors: Int32Array;
}

const flatten = (pts: readonly Vec2[]): Float64Array => {
  const out = new Float64Array(pts.length * 2);
  pts.forEach((p, i) => {
    out[2 * i] = p[0];
    out[2 * i + 1] = p[1];
  });
  return out;
};

/** Twice the signed area of triangle (a, b, c); > 0 when counter-clockwise. */
export const cross = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number =>
  (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);

/** `cross` of the triangle (a, b, c) of a flat [x0, y0, x1, y1, …] point array: > 0 when counter-clockwise. */
const orientation = (points: ArrayLike<number>, a: number, b: number, c: number): number =>
  cross(
    points[2 * a]!,
    points[2 * a + 1]!,
    points[2 * b]!,
    points[2 * b + 1]!,
    points[2 * c]!,
    points[2 * c + 1]!,
  );

export function triangulate(pts: readonly Vec2[]): Triangulation {
  const points = flatten(pts);
  const d = new Delaunator(points);
  const nTri = d.triangles.length / 3;
  const triangles = new Int32Array(d.triangles.length);
  const neighbors = new Int32Array(d.triangles.length);
  for (let t = 0; t < nTri; t++) {
    const [a, b, c] = [d.triangles[3 * t]!, d.triangles[3 * t + 1]!, d.triangles[3 * t + 2]!];
    const ccw = orientation(points, a, b, c) > 0;
    const order = ccw ? [a, b, c] : [a, c, b];
    // half-edge 3t+j runs from vertex j to vertex j+1, i.e. it is opposite vertex j+2
    const across = (from: number, to: number): number => {
      for (let j = 0; j < 3; j++) {
        const u = d.triangles[3 * t + j]!;
        const v = d.triangles[3 * t + ((j + 1) % 3)]!;
        if ((u === from && v === to) || (u === to && v === from)) {
          const h = d.halfedges[3 * t + j]!;
          return h < 0 ? -1 : Math.floor(h / 3);
        }
      }
      return -1;
    };
    for (let k = 0; k < 3; k++) {
      triangles[3 * t + k] = order[k]!;
      neighbors[3 * t + k] = across(order[(k + 1) % 3]!, order[(k + 2) % 3]!);
    }
  }
  return { points, nPoints: pts.length, triangles, neighbors };
}

export const triangleCount = (tri: Triangulation): number => tri.triangles.length / 3;

/**
 * Hull edges [i, j] as scipy's `convex_hull` lists them: per triangle in order, the edge opposite vertex k as the
 * other two vertices in the triangle's order (so the direction follows the vertex order, as MNE's 'local' needs).
 */
export function hullEdges(tri: Triangulation): [number, number][] {
  const edges: [number, number][] = [];
  for (let t = 0; t < triangleCount(tri); t++) {
    for (let k = 0; k < 3; k++) {
      if (tri.neighbors[3 * t + k] !== -1) continue;
      // scipy's `convex_hull`: the simplex's other two vertices in simplex order (not the edge's CCW direction)
      const [a, b] = [0, 1, 2].filter((j) => j !== k).map((j) => tri.triangles[3 * t + j]!);
      edges.push([a!, b!]);
    }
  }
  return edges;
}

/** Neighbouring vertices of every vertex (scipy's `vertex_neighbor_vertices`), as sorted index lists. */
export function vertexNeighbors(tri: Triangulation): number[][] {
  const sets = Array.from({ length: tri.nPoints }, () => new Set<number>());
  for (let t = 0; t < triangleCount(tri); t++) {
    for (let k = 0; k < 3; k++) {
      const a = tri.triangles[3 * t + k]!;
      const b = tri.triangles[3 * t + ((k + 1) % 3)]!;
      sets[a]!.add(b);
      sets[b]!.add(a);
    }
  }
  return sets.map((s) => [...s].sort((x, y) => x - y));
}

/** Edge lengths of every triangle (all three edges; interior edges appear once per triangle). */
export function triangleEdgeLengths(tri: Triangulation): number[] {
  const p = tri.points;
  const len = (i: number, j: number): number =>
    Math.hypot(p[2 * i]! - p[2 * j]!, p[2 * i + 1]! - p[2 * j + 1]!);
  const out: number[] = [];
  for (let t = 0; t < triangleCount(tri); t++) {
    const [a, b, c] = [tri.triangles[3 * t]!, tri.triangles[3 * t + 1]!, tri.triangles[3 * t + 2]!];
    out.push(len(a, b), len(b, c), len(c, a));
  }
  return out;
}

/**
 * A triangulation from given triangles (three vertex indices each): each made counter-clockwise (orientation of
 * the signed area; vertex order otherwise kept) and the neighbour across each edge found by matching edges.
 */
export function fromTriangles(pts: readonly Vec2[], simplices: ArrayLike<number>): Triangulation {
  const points = flatten(pts);
  const nTri = Math.floor(simplices.length / 3);
  const triangles = new Int32Array(3 * nTri);
  const neighbors = new Int32Array(3 * nTri).fill(-1);
  const edgeOwner = new Map<number, number>();
  const n = pts.length;
  for (let t = 0; t < nTri; t++) {
    const [a, b, c] = [simplices[3 * t]!, simplices[3 * t + 1]!, simplices[3 * t + 2]!];
    const area = orientation(points, a, b, c);
    triangles.set(area >= 0 ? [a, b, c] : [b, a, c], 3 * t);
  }
  for (let t = 0; t < nTri; t++) {
    for (let k = 0; k < 3; k++) {
      const u = triangles[3 * t + ((k + 1) % 3)]!;
      const v = triangles[3 * t + ((k + 2) % 3)]!;
      const key = Math.min(u, v) * n + Math.max(u, v);
      const other = edgeOwner.get(key);
      if (other === undefined) {
        edgeOwner.set(key, 3 * t + k);
        continue;
      }
      neighbors[3 * t + k] = Math.floor(other / 3);
      neighbors[other] = t;
    }
  }
  return { points, nPoints: pts.length, triangles, neighbors };
}
