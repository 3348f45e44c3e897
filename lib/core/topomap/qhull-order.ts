/**
 * The simplices of `scipy.spatial.Delaunay(pos, incremental=True)` (scipy 1.10, qhull 2019.1, options
 * "Q11 Qt Qc"), in qhull's order: which triangles, in which facet-list order, and the vertex order inside each.
 * MNE 1.3 takes its median sensor spacing over edges (v0,v1) and (v1,v2) of these simplices, so the vertex order
 * matters. Re-implemented from reading qhull's source (quickhull on the paraboloid-lifted points):
 *
 * - initial simplex (`qh_maxsimplex`): the min- and max-x points of the per-coordinate extremes, then the extreme
 *   point giving the largest |2×2| then |3×3| determinant; vertex ids 1..4 in that order (0 is qhull's sentinel);
 * - outside sets (`qh_partitionall`): each facet in list order takes the still-unassigned points above it, the
 *   furthest kept last; `qh_furthestnext` moves the facet with the furthest point to the front;
 * - build (`qh_buildhull`): take the last outside point of the first facet with one (`qh_nextfurthest`), find the
 *   visible facets breadth-first (`qh_findhorizon`), add one cone facet per horizon ridge in visible/neighbour
 *   order (`qh_makenew_simplicial`), give the apex the next vertex id, and re-partition the visible facets' outside
 *   points by qhull's directed search over the new facets (`qh_findbest`);
 * - a facet's vertices are kept in decreasing vertex id, neighbour k opposite vertex k; scipy lists the lower
 *   (Delaunay) facets in facet-list order and swaps v0, v1 when the facet is not "toporient".
 *
 * Qhull merges facets when four or more sites are (nearly) co-circular and then triangulates them ('Qt'); that
 * and other precision paths (flipped or nearly flat facets, points found inside, narrow initial hull) are not
 * reproduced: the function returns null there, so callers can fall back. All distance arithmetic follows qhull's
 * formulas operation by operation so that comparisons of nearly equal distances resolve as in qhull.
 */
import type { Vec2 } from './types';

interface Facet {
  /** Vertex ids, decreasing. */
  vids: number[];
  /** Point index of each vertex. */
  pts: number[];
  /** neighbours[k] is across the ridge opposite vertex k. */
  neighbours: Facet[];
  normal: [number, number, number];
  offset: number;
  toporient: boolean;
  upper: boolean;
  /** Outside points (point indices); the furthest is last. */
  outside: number[];
  furthestDist: number;
  visible: boolean;
  isNew: boolean;
  visitId: number;
  replace: Facet | null;
  next: Facet | null;
  previous: Facet | null;
}

interface Best {
  facet: Facet;
  dist: number;
}

/** Thrown where qhull would take a precision or merge path that is not reproduced. */
class Undecided extends Error {}

const EPS = 2.220446049250313e-16;
/** qh.MINdenom_1 = max(1 / REALmax, REALmin). */
const MIN_DENOM_1 = Math.max(1 / Number.MAX_VALUE, 2.2250738585072014e-308);
const MAX_NARROW = -0.99999999;
const RATIO_MAX_SIMPLEX = 1.0e-3;
const ZERO_DELAUNAY = 2;
/** Beyond this the quadratic worst case of the simulation is not worth it; callers fall back. */
const MAX_SITES = 5000;

const det2 = (a1: number, a2: number, b1: number, b2: number): number => a1 * b2 - a2 * b1;
const det3 = (
  a1: number,
  a2: number,
  a3: number,
  b1: number,
  b2: number,
  b3: number,
  c1: number,
  c2: number,
  c3: number,
): number => a1 * det2(b2, b3, c2, c3) - b1 * det2(a2, a3, c2, c3) + c1 * det2(a2, a3, b2, b3);

const newFacet = (vids: number[], pts: number[], toporient: boolean): Facet => ({
  vids,
  pts,
  neighbours: [],
  normal: [0, 0, 0],
  offset: 0,
  toporient,
  upper: false,
  outside: [],
  furthestDist: 0,
  visible: false,
  isNew: false,
  visitId: 0,
  replace: null,
  next: null,
  previous: null,
});

/** One quickhull run over the lifted points, with qhull's facet list and numeric constants. */
class Hull {
  readonly p: Float64Array;
  readonly n: number;
  readonly tail: Facet = newFacet([], [], false);
  facetList: Facet = this.tail;
  facetNext: Facet = this.tail;
  newFacetList: Facet | null = null;
  visibleList: Facet | null = null;
  vertexId = 1;
  visitId = 0;
  readonly vertexOfPoint: Int32Array;
  maxAbs = 0;
  maxSum = 0;
  maxWidth = -Infinity;
  nearZero = [0, 0, 0];
  distRound = 0;
  minVisible = 0;
  minOutside = 0;
  angleRound = 1.01 * 3 * EPS;
  interior: [number, number, number] = [0, 0, 0];
  /** qh.findbestnew, qh.findbest_notsharp: set while one visible set is re-partitioned. */
  useFindBestNew = false;
  notSharp = false;

  constructor(pos: readonly Vec2[]) {
    this.n = pos.length;
    this.p = new Float64Array(3 * this.n);
    pos.forEach(([x, y], i) => {
      this.p[3 * i] = x;
      this.p[3 * i + 1] = y;
      this.p[3 * i + 2] = x * x + y * y;
    });
    this.vertexOfPoint = new Int32Array(this.n).fill(-1);
  }

  c(i: number, k: number): number {
    return this.p[3 * i + k]!;
  }

  // ---- facet list (qh_appendfacet, qh_removefacet, qh_prependfacet) ----
  append(f: Facet): void {
    const tail = this.tail;
    if (tail === this.newFacetList) {
      this.newFacetList = f;
      if (tail === this.visibleList) this.visibleList = f;
    }
    if (tail === this.facetNext) this.facetNext = f;
    f.previous = tail.previous;
    f.next = tail;
    if (tail.previous) tail.previous.next = f;
    else this.facetList = f;
    tail.previous = f;
  }

  remove(f: Facet): void {
    const next = f.next!;
    const previous = f.previous;
    if (f === this.newFacetList) this.newFacetList = next;
    if (f === this.facetNext) this.facetNext = next;
    if (f === this.visibleList) this.visibleList = next;
    if (previous) {
      previous.next = next;
      next.previous = previous;
    } else {
      this.facetList = next;
      next.previous = null;
    }
  }

  /** qh_prependfacet(facet, &qh.facet_next). */
  prependAtNext(f: Facet): void {
    const list = this.facetNext;
    const prev = list.previous;
    f.previous = prev;
    if (prev) prev.next = f;
    list.previous = f;
    f.next = list;
    if (this.facetList === list) this.facetList = f;
    this.facetNext = f;
  }

  *facets(from: Facet | null = this.facetList): Generator<Facet> {
    for (let f = from; f && f !== this.tail; f = f.next) yield f;
  }

  // ---- constants (qh_maxmin, qh_detroundoff with default 'C-0' premerge) ----
  maxMin(): number[] {
    const extremes: number[] = [];
    for (let k = 0; k < 3; k++) {
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < this.n; i++) {
        if (this.c(hi, k) < this.c(i, k)) hi = i;
        else if (this.c(lo, k) > this.c(i, k)) lo = i;
      }
      const maxCoord = Math.max(this.c(hi, k), -this.c(lo, k));
      this.maxWidth = Math.max(this.maxWidth, this.c(hi, k) - this.c(lo, k));
      this.maxAbs = Math.max(this.maxAbs, maxCoord);
      this.maxSum += maxCoord;
      extremes.push(lo, hi);
      this.nearZero[k] = 80 * this.maxSum * EPS;
    }
    const maxDistSum = Math.min(Math.sqrt(3) * this.maxAbs, this.maxSum);
    this.distRound = EPS * (3 * maxDistSum * 1.01 + this.maxAbs);
    this.minVisible = 0 + 2 * this.distRound; // premerge_centrum
    this.minOutside = 2 * this.minVisible;
    return extremes;
  }

  // ---- initial simplex (qh_maxsimplex, qh_detsimplex) ----
  detSimplex(apex: number, simplex: readonly number[], dim: 2 | 3): { det: number; nearZero: boolean } {
    const row = (j: number): number[] =>
      [0, 1, 2].slice(0, dim).map((k) => this.c(simplex[j]!, k) - this.c(apex, k));
    if (dim === 2) {
      const [a, b] = [row(0), row(1)];
      const det = det2(a[0]!, a[1]!, b[0]!, b[1]!);
      return { det, nearZero: Math.abs(det) < 10 * this.nearZero[1]! };
    }
    const [a, b, c] = [row(0), row(1), row(2)];
    const det = det3(a[0]!, a[1]!, a[2]!, b[0]!, b[1]!, b[2]!, c[0]!, c[1]!, c[2]!);
    return { det, nearZero: Math.abs(det) < 10 * this.nearZero[2]! };
  }

  maxSimplex(maxPoints: readonly number[]): number[] {
    let maxCoord = -Infinity;
    let minCoord = Infinity;
    let minX = -1;
    let maxX = -1;
    for (const q of maxPoints) {
      if (maxCoord < this.c(q, 0)) [maxCoord, maxX] = [this.c(q, 0), q];
      if (minCoord > this.c(q, 0)) [minCoord, minX] = [this.c(q, 0), q];
    }
    const simplex = [minX];
    if (maxX !== minX) simplex.push(maxX);
    if (simplex.length < 2) throw new Undecided('same x');
    let maxDet = maxCoord - minCoord;
    for (const dim of [2, 3] as const) {
      const prevDet = maxDet;
      let best = -1;
      let bestNearZero = false;
      maxDet = -1;
      for (const q of maxPoints) {
        if (simplex.includes(q) || q === best) continue;
        const { det, nearZero } = this.detSimplex(q, simplex, dim);
        if (Math.abs(det) > maxDet) [maxDet, best, bestNearZero] = [Math.abs(det), q, nearZero];
      }
      const target = prevDet * this.maxWidth;
      const minDet = 10 * RATIO_MAX_SIMPLEX * target;
      const falseNarrow = maxDet > 0 && maxDet / target < RATIO_MAX_SIMPLEX;
      if (best < 0 || bestNearZero || falseNarrow) {
        for (let q = 0; q < this.n; q++) {
          if (maxPoints.includes(q) || simplex.includes(q)) continue;
          const { det, nearZero } = this.detSimplex(q, simplex, dim);
          if (Math.abs(det) > maxDet) {
            [maxDet, best, bestNearZero] = [Math.abs(det), q, nearZero];
            if (!bestNearZero && maxDet > minDet) break;
          }
        }
      }
      if (best < 0) throw new Undecided('no initial simplex');
      simplex.push(best);
    }
    return simplex;
  }

  // ---- hyperplanes (qh_setfacetplane, qh_sethyperplane_det, qh_normalize2, qh_distplane) ----
  dist(i: number, f: Facet): number {
    return f.offset + this.c(i, 0) * f.normal[0] + this.c(i, 1) * f.normal[1] + this.c(i, 2) * f.normal[2];
  }

  setPlane(f: Facet): void {
    const [p0, p1, p2] = f.pts as [number, number, number];
    const d = (a: number, k: number): number => this.c(a, k) - this.c(p0, k);
    const n0 = det2(d(p2, 1), d(p2, 2), d(p1, 1), d(p1, 2));
    const n1 = det2(d(p1, 0), d(p1, 2), d(p2, 0), d(p2, 2));
    const n2 = det2(d(p2, 0), d(p2, 1), d(p1, 0), d(p1, 1));
    let norm = Math.sqrt(n0 * n0 + n1 * n1 + n2 * n2);
    if (!(norm > MIN_DENOM_1 * this.maxAbs)) throw new Undecided('degenerate facet'); // qh_divzero path
    if (!f.toporient) norm = -norm;
    f.normal = [n0 / norm, n1 / norm, n2 / norm];
    f.offset = -(this.c(p0, 0) * f.normal[0] + this.c(p0, 1) * f.normal[1] + this.c(p0, 2) * f.normal[2]);
    for (const q of [p2, p1]) {
      const dq = this.dist(q, f);
      if (dq > this.distRound || dq < -this.distRound) throw new Undecided('nearzero hyperplane');
    }
    f.upper = f.normal[2] > -this.angleRound * ZERO_DELAUNAY;
  }

  /** qh_checkflipped with qh_ALL: the interior point must be clearly below. */
  assertNotFlipped(f: Facet): void {
    const [x, y, z] = this.interior;
    const dist = f.offset + x * f.normal[0] + y * f.normal[1] + z * f.normal[2];
    if (dist > -this.distRound) throw new Undecided('flipped facet');
  }

  // ---- initial hull (qh_initialvertices, qh_createsimplex, qh_initialhull) ----
  initialHull(simplex: readonly number[]): void {
    const vertices = simplex.map((q) => ({ id: this.vertexId++, q })).reverse(); // decreasing ids
    vertices.forEach((v) => {
      this.vertexOfPoint[v.q] = v.id;
    });
    const facets = vertices.map((_, i) => {
      const rest = vertices.filter((__, j) => j !== i);
      return newFacet(
        rest.map((v) => v.id),
        rest.map((v) => v.q),
        i % 2 === 0,
      );
    });
    facets.forEach((f) => {
      this.append(f);
      f.neighbours = facets.filter((g) => g !== f);
    });
    this.interior = [0, 1, 2].map((k) => vertices.reduce((s, v) => s + this.c(v.q, k), 0) / 4) as [
      number,
      number,
      number,
    ];
    const interiorDist = (f: Facet): number =>
      f.offset +
      this.interior[0] * f.normal[0] +
      this.interior[1] * f.normal[1] +
      this.interior[2] * f.normal[2];
    const first = facets[0]!;
    this.setPlane(first);
    if (interiorDist(first) > this.distRound) {
      facets.forEach((f) => {
        f.toporient = !f.toporient;
      });
      this.setPlane(first);
    }
    facets.slice(1).forEach((f) => this.setPlane(f));
    for (const f of facets) {
      if (interiorDist(f) > this.distRound) throw new Undecided('initial orientation');
      this.assertNotFlipped(f);
      for (const g of f.neighbours) {
        const cos = f.normal[0] * g.normal[0] + f.normal[1] * g.normal[1] + f.normal[2] * g.normal[2];
        if (cos < MAX_NARROW) throw new Undecided('narrow hull');
      }
    }
  }

  /** qh_partitionall without 'Qbb'/BESToutside: facets in list order sweep the unassigned points. */
  partitionAll(): void {
    const distOutside = 2 * this.minOutside; // qh_DISToutside with qh.max_outside = 0
    let remaining = Array.from({ length: this.n }, (_, i) => i).filter((i) => this.vertexOfPoint[i]! < 0);
    for (const f of this.facets()) {
      const keep: number[] = [];
      let best = -1;
      let bestDist = -Infinity;
      for (const q of remaining) {
        const d = this.dist(q, f);
        if (d < distOutside) keep.push(q);
        else if (best < 0) [best, bestDist] = [q, d];
        else if (d > bestDist) {
          f.outside.push(best);
          [best, bestDist] = [q, d];
        } else f.outside.push(q);
      }
      if (best >= 0) {
        f.outside.push(best);
        f.furthestDist = bestDist;
      }
      remaining = keep;
    }
    if (remaining.length > 0) throw new Undecided('point not outside the initial simplex');
  }

  /** qh_furthestnext: the facet with the furthest outside point goes first. */
  furthestNext(): void {
    let best: Facet | null = null;
    let bestDist = -Infinity;
    for (const f of this.facets()) {
      if (f.outside.length > 0 && f.furthestDist > bestDist) [best, bestDist] = [f, f.furthestDist];
    }
    if (best) {
      this.remove(best);
      this.prependAtNext(best);
    }
  }

  // ---- one quickhull step (qh_nextfurthest, qh_addpoint) ----
  nextFurthest(): { point: number; facet: Facet } | null {
    while (this.facetNext !== this.tail) {
      const f = this.facetNext;
      if (f.outside.length === 0) {
        this.facetNext = f.next!;
        continue;
      }
      return { point: f.outside.pop()!, facet: f };
    }
    return null;
  }

  findHorizon(point: number, facet: Facet): void {
    this.remove(facet);
    this.append(facet);
    this.visibleList = facet;
    facet.visible = true;
    facet.replace = null;
    const visit = ++this.visitId;
    for (let v: Facet | null = this.visibleList; v && v.visible; v = v.next) {
      v.visitId = visit;
      for (const nb of v.neighbours) {
        if (nb.visitId === visit) continue;
        nb.visitId = visit;
        const d = this.dist(point, nb);
        if (d > this.minVisible) {
          this.remove(nb);
          this.append(nb);
          nb.visible = true;
          nb.replace = null;
        } else if (d >= -this.minVisible) throw new Undecided('coplanar horizon'); // qh.MAXcoplanar
      }
    }
  }

  /** qh_makenewfacets / qh_makenew_simplicial / qh_matchnewfacets / qh_makenewplanes. */
  makeNewFacets(point: number): Facet[] {
    const apex = this.vertexId++;
    this.vertexOfPoint[point] = apex;
    this.newFacetList = this.tail;
    const created: Facet[] = [];
    for (let v: Facet | null = this.visibleList; v && v.visible; v = v.next) {
      let last: Facet | null = null;
      v.neighbours.forEach((nb) => {
        if (nb.visible) return;
        const skip = nb.neighbours.indexOf(v); // the horizon vertex not on the ridge
        if (skip < 0) throw new Undecided('broken adjacency');
        const odd = skip % 2 === 1;
        const f = newFacet(
          [apex, ...nb.vids.filter((_, k) => k !== skip)],
          [point, ...nb.pts.filter((_, k) => k !== skip)],
          nb.toporient ? odd : !odd,
        );
        f.neighbours = [nb];
        f.isNew = true;
        nb.neighbours[skip] = f;
        this.append(f);
        created.push(f);
        last = f;
      });
      v.replace = last;
    }
    this.matchNewFacets(created);
    created.forEach((f) => {
      this.setPlane(f);
      this.assertNotFlipped(f);
    });
    created.forEach((f) => this.assertConvex(f));
    return created;
  }

  /** Neighbour of new facet across the ridge (apex, other vertex) is the new facet sharing that ridge. */
  matchNewFacets(created: readonly Facet[]): void {
    const byVertex = new Map<number, Facet[]>();
    created.forEach((f) => {
      for (const vid of f.vids.slice(1)) byVertex.set(vid, [...(byVertex.get(vid) ?? []), f]);
    });
    created.forEach((f) => {
      for (let k = 1; k < 3; k++) {
        const shared = f.vids[3 - k]!;
        const pair = byVertex.get(shared) ?? [];
        const other = pair.find((g) => g !== f);
        if (pair.length !== 2 || !other) throw new Undecided('horizon is not a simple cycle');
        f.neighbours[k] = other;
      }
    });
  }

  /**
   * qh_checkzero (start of qh_premerge with the default 'C-0'): unless every new facet is clearly convex against
   * its neighbours, qhull goes on to its merge tests, which are not reproduced. Vertex k of a new facet must lie
   * clearly below neighbour k, and the horizon's far vertex clearly below the new facet (margin 2× qhull's).
   */
  assertConvex(f: Facet): void {
    const clearlyBelow = (dist: number): boolean => dist < -4 * this.distRound;
    for (let k = 1; k < 3; k++) {
      if (!clearlyBelow(this.dist(f.pts[k]!, f.neighbours[k]!)))
        throw new Undecided('non-convex new facets (merge)');
    }
    const horizon = f.neighbours[0]!;
    const far = horizon.pts.find((q) => !f.pts.includes(q));
    if (far === undefined || !clearlyBelow(this.dist(far, f)))
      throw new Undecided('non-convex horizon (merge)');
  }

  /** qh_findbest(point, start, !bestoutside, isnewfacets, !noupper): directed search over new facets. */
  findBest(point: number, start: Facet): Best {
    let d = this.dist(point, start);
    if (d >= this.minOutside) return { facet: start, dist: d };
    let bestDist = d;
    let best: Facet | null = start.upper ? null : start;
    const visit = ++this.visitId;
    start.visitId = visit;
    let facet: Facet | null = start;
    while (facet) {
      let next: Facet | null = null;
      for (const nb of facet.neighbours) {
        if (!nb.isNew || nb.visitId === visit) continue;
        nb.visitId = visit;
        d = this.dist(point, nb);
        if (d > bestDist) {
          if (d >= this.minOutside) return { facet: nb, dist: d };
          if (!nb.upper) {
            [best, bestDist, next] = [nb, d, nb];
            break;
          } else if (!best) {
            [bestDist, next] = [d, nb];
            break;
          }
        }
      }
      facet = next;
    }
    if (!best) return this.findBestNew(point, this.newFacetList!);
    if (!this.notSharp && bestDist < -this.distRound) {
      if (this.sharpNewFacets()) {
        this.useFindBestNew = true;
        return this.findBestNew(point, best);
      }
      this.notSharp = true;
    }
    return this.findBestHorizon(point, { facet: best, dist: bestDist });
  }

  /** qh_sharpnewfacets: do the new facets' normals fall in more than one orthant? */
  sharpNewFacets(): boolean {
    let quadrant: boolean[] | null = null;
    for (const f of this.facets(this.newFacetList)) {
      const q = f.normal.map((v) => v > 0);
      if (!quadrant) quadrant = q;
      else if (q.some((v, k) => v !== quadrant![k])) return true;
    }
    return false;
  }

  /** qh_findbestnew(point, start, !bestoutside): all new facets from start, then from the first new facet. */
  findBestNew(point: number, start: Facet): Best {
    const distOutside = 2 * this.minOutside; // qh_DISToutside
    let bestDist = -Number.MAX_VALUE / 2;
    let best: Facet | null = null;
    const visit = ++this.visitId;
    for (let pass = 0; pass < 2; pass++) {
      for (const f of this.facets(pass === 0 ? start : this.newFacetList)) {
        if (pass === 1 && f === start) break;
        f.visitId = visit;
        const d = this.dist(point, f);
        if (d > bestDist && (!f.upper || d >= this.minOutside)) {
          best = f;
          if (d >= distOutside) return { facet: f, dist: d };
          bestDist = d;
        }
      }
    }
    return this.findBestHorizon(point, { facet: best ?? start, dist: bestDist });
  }

  /** qh_findbesthorizon(!ischeckmax, !noupper): climb to better neighbours through (nearly) coplanar ones. */
  findBestHorizon(point: number, from: Best): Best {
    const searchDist = 2 * this.distRound + this.minVisible; // qh_SEARCHdist with max_outside = 0
    let { facet: best, dist: bestDist } = from;
    let minSearch = bestDist - searchDist;
    const coplanar: Facet[] = [];
    const visit = ++this.visitId;
    best.visitId = visit;
    let facet: Facet | undefined = best;
    let nextFacet: Facet | undefined;
    while (facet) {
      for (const nb of facet.neighbours) {
        if (nb.visitId === visit) continue;
        nb.visitId = visit;
        const d = this.dist(point, nb);
        if (d > bestDist) {
          if (!nb.upper || d >= this.minOutside) {
            minSearch = d - searchDist;
            if (d > bestDist + searchDist) coplanar.length = 0;
            [best, bestDist] = [nb, d];
          }
        } else if (d < minSearch) continue;
        if (nextFacet) coplanar.push(nextFacet);
        nextFacet = nb;
      }
      facet = nextFacet ?? coplanar.pop();
      nextFacet = undefined;
    }
    return { facet: best, dist: bestDist };
  }

  /** qh_partitionpoint for a point of a visible facet's outside set. */
  partitionPoint(point: number, start: Facet): void {
    const { facet, dist } = this.useFindBestNew
      ? this.findBestNew(point, start)
      : this.findBest(point, start);
    if (dist < this.minOutside) throw new Undecided('site became a coplanar point');
    let isNewOutside = false;
    if (facet.outside.length === 0) {
      facet.outside.push(point);
      facet.furthestDist = dist;
      isNewOutside = true;
    } else if (facet.furthestDist < dist) {
      facet.outside.push(point);
      facet.furthestDist = dist;
    } else facet.outside.splice(facet.outside.length - 1, 0, point);
    if (!isNewOutside || this.facetNext === facet) return;
    if (facet.isNew) {
      if (this.facetNext.isNew) this.facetNext = this.newFacetList!;
    } else {
      this.remove(facet);
      this.append(facet);
      facet.isNew = true;
    }
  }

  addPoint(point: number, facet: Facet): void {
    this.findHorizon(point, facet);
    const created = this.makeNewFacets(point);
    const firstNew = created[0];
    if (!firstNew) throw new Undecided('no new facets');
    for (let v: Facet | null = this.visibleList; v && v.visible; v = v.next) {
      if (v.outside.length === 0) continue;
      let start: Facet | null = v;
      while (start && start.visible) start = start.replace;
      for (const q of v.outside) this.partitionPoint(q, start ?? this.newFacetList!);
    }
    // qh_deletevisible, qh_resetlists
    for (let v: Facet | null = this.visibleList; v && v.visible;) {
      const next: Facet | null = v.next;
      this.remove(v);
      v.outside = [];
      v = next;
    }
    for (const f of this.facets(this.newFacetList)) f.isNew = false;
    this.newFacetList = null;
    this.useFindBestNew = false;
    this.notSharp = false;
    this.visibleList = null;
  }

  build(): Int32Array {
    const simplex = this.maxSimplex(this.maxMin());
    this.initialHull(simplex);
    this.partitionAll();
    this.facetNext = this.facetList;
    this.furthestNext();
    for (let step = this.nextFurthest(); step; step = this.nextFurthest())
      this.addPoint(step.point, step.facet);
    if (this.vertexOfPoint.some((v) => v < 0)) throw new Undecided('a site is not a vertex');
    const out: number[] = [];
    for (const f of this.facets()) {
      if (f.upper) continue;
      const [a, b, c] = f.pts as [number, number, number];
      out.push(...(f.toporient ? [a, b, c] : [b, a, c]));
    }
    return Int32Array.from(out);
  }
}

/**
 * scipy's `Delaunay(pos, incremental=True).simplices` (3 point indices per triangle, in qhull's facet order), or
 * null when qhull would merge co-circular sites or take another precision path not reproduced here.
 */
export function qhullDelaunaySimplices(pos: readonly Vec2[]): Int32Array | null {
  if (
    pos.length < 4 ||
    pos.length > MAX_SITES ||
    pos.some((p) => !Number.isFinite(p[0]) || !Number.isFinite(p[1]))
  )
    return null;
  try {
    return new Hull(pos).build();
  } catch (err) {
    if (err instanceof Undecided) return null;
    throw err;
  }
}
