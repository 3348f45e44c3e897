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
 *   (Delaunay) facets in facet-list order and swaps v0, v1 when the facet is not "toporient";
 * - co-circular sites (coplanar lifted facets): a horizon facet within qh.MAXcoplanar of the new point is a
 *   "coplanar horizon"; the new facets on it get no hyperplane and are merged into it (`qh_mergecycle_all`:
 *   `qh_mergesimplex` for one facet, `qh_mergecycle` for a cycle), which then holds explicit ridges and its
 *   neighbours get ridges too; later cones are built over ridges first (`qh_makenew_nonsimplicial`), then over
 *   simplicial neighbours. Ridge and neighbour sets keep qhull's order, including `qh_setdel`'s unordered
 *   delete, and qhull's quirks that decide which new facet a visible facet's points start from (`newfacet` and
 *   `newfacet2` keep their values across visible facets; a visible facet whose ridge set exists but is empty
 *   resets `newfacet2`). After a merge qhull partitions with `qh_findbestnew`,
 *   and beyond 50 merges (`qh_USEfindbestnew`) always, with doubled outside distances.
 *
 * `qhullVertexIds` gives the id qhull gives each site; with qhull-delaunay.ts that yields scipy's simplices
 * (triangulated merged facets included). `qhullDelaunaySimplices` (facet order too) answers only without merges.
 * Other precision paths (merges for non-convexity, flipped or nearly flat facets, points found inside, narrow
 * initial hull) are not reproduced: both return null there, so callers can fall back. All distance arithmetic
 * follows qhull's formulas operation by operation so that comparisons of nearly equal distances resolve as in
 * qhull. Verified step by step against qhull 2019.1's trace (T4) and against scipy on MNE's standard montages.
 */
import type { Vec2 } from './types';

interface Ridge {
  /** Vertex ids, decreasing. */
  vids: number[];
  top: Facet;
  bottom: Facet;
}

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
  /** False once the facet has ridges of its own (a merged facet, or one whose ridges were made for a merge). */
  simplicial: boolean;
  /** Explicit ridges (qhull keeps them for merged facets and their neighbours); order matters. */
  ridges: Ridge[];
  /**
   * Whether qhull's ridge set exists (`facet->ridges != NULL`): once a ridge was added, even if all were deleted
   * since. `qh_makenewfacets` tests that, not the size: an empty set still resets its `newfacet2` quirk.
   */
  ridgeSet: boolean;
  /** A new facet on a coplanar horizon facet, to be merged into it (no hyperplane of its own). */
  mergeHorizon: boolean;
  coplanarHorizon: boolean;
  sameCycle: Facet | null;
  newCycle: Facet | null;
  cycleDone: boolean;
  seen: boolean;
}

interface Best {
  facet: Facet;
  dist: number;
}

/** The qhull options of scipy's Delaunay that change the run: 'Qbb' (scale the lifted coordinate), 'Qz'. */
export interface QhullOptions {
  /** 'Qbb': scale the lifted coordinate to [0, max |x|, |y|] (qh_scalelast). */
  scaleLast: boolean;
  /** 'Qz': add a point "at infinity" above the centroid (qh_projectinput). */
  atInfinity: boolean;
}

/** `Delaunay(pos, incremental=True)` (scipy forbids 'Qbb' and 'Qz' there: "Qc Q11" + "Qt"). */
export const INCREMENTAL: QhullOptions = { scaleLast: false, atInfinity: false };
/** `Delaunay(pos)`: scipy's default "Qbb Qc Qz Q12" + "Qt". */
export const DEFAULT_DELAUNAY: QhullOptions = { scaleLast: true, atInfinity: true };

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
  simplicial: true,
  ridges: [],
  ridgeSet: false,
  mergeHorizon: false,
  coplanarHorizon: false,
  sameCycle: null,
  newCycle: null,
  cycleDone: false,
  seen: false,
});

/** qh_setappend(&f->ridges, r). */
function pushRidge(f: Facet, r: Ridge): void {
  f.ridges.push(r);
  f.ridgeSet = true;
}

/** qh_setdel: delete from an unordered set (the last element takes the slot). */
function setDel<T>(set: T[], x: T): void {
  const i = set.indexOf(x);
  if (i < 0) return;
  const last = set.pop()!;
  if (i < set.length) set[i] = last;
}

/** qh_setreplace: replace in place. */
function setReplace<T>(set: T[], old: T, by: T): void {
  const i = set.indexOf(old);
  if (i < 0) throw new Undecided('broken set');
  set[i] = by;
}

const otherFacet = (r: Ridge, f: Facet): Facet => (r.top === f ? r.bottom : r.top);

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
  /** Point index of each vertex id. */
  readonly pointOfVertex: number[] = [-1];
  /** qh.max_outside: raised by coplanar horizon facets found above. */
  maxOutside = 0;
  /** Ztotmerge: beyond 50 merges qhull always uses qh_findbestnew and doubles its outside distances. */
  totalMerges = 0;

  readonly options: QhullOptions;
  /** qh.last_low, qh.last_newhigh / (qh.last_high - qh.last_low): 'Qbb' scaling of the lifted coordinate. */
  lastScale = { scale: 1, shift: 0 };

  constructor(pos: readonly Vec2[], options: QhullOptions = INCREMENTAL) {
    this.options = options;
    this.n = pos.length + (options.atInfinity ? 1 : 0);
    this.p = new Float64Array(3 * this.n);
    let maxLifted = 0;
    let sumX = 0;
    let sumY = 0;
    pos.forEach(([x, y], i) => {
      this.p[3 * i] = x;
      this.p[3 * i + 1] = y;
      this.p[3 * i + 2] = x * x + y * y;
      maxLifted = Math.max(maxLifted, this.p[3 * i + 2]!);
      sumX += x;
      sumY += y;
    });
    if (options.atInfinity) {
      // qh_projectinput 'Qz': the centroid, lifted to 1.1 × the highest lifted site
      const i = pos.length;
      this.p[3 * i] = sumX / pos.length;
      this.p[3 * i + 1] = sumY / pos.length;
      this.p[3 * i + 2] = maxLifted * 1.1;
    }
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

  /** qh_prependfacet's link: `f` goes just before `list` (and becomes the list's head if `list` was). */
  private insertBefore(f: Facet, list: Facet): void {
    const prev = list.previous;
    f.previous = prev;
    if (prev) prev.next = f;
    list.previous = f;
    f.next = list;
    if (this.facetList === list) this.facetList = f;
  }

  /** qh_prependfacet(facet, &qh.facet_next). */
  prependAtNext(f: Facet): void {
    this.insertBefore(f, this.facetNext);
    this.facetNext = f;
  }

  *facets(from: Facet | null = this.facetList): Generator<Facet> {
    for (let f = from; f && f !== this.tail; f = f.next) yield f;
  }

  /** qh_USEfindbestnew. */
  get useFindBestNewAlways(): boolean {
    return this.totalMerges > 50;
  }

  /** qh_DISToutside. */
  get distOutside(): number {
    return (this.useFindBestNewAlways ? 2 : 1) * Math.max(2 * this.minOutside, this.maxOutside);
  }

  /** qh_SEARCHdist. */
  get searchDist(): number {
    return (this.useFindBestNewAlways ? 2 : 1) * (this.maxOutside + 2 * this.distRound + this.minVisible);
  }

  // ---- constants (qh_maxmin, qh_detroundoff with default 'C-0' premerge) ----
  maxMin(): number[] {
    const extremes: number[] = [];
    const scaleLast = this.options.scaleLast;
    for (let k = 0; k < 3; k++) {
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < this.n; i++) {
        if (this.c(hi, k) < this.c(i, k)) hi = i;
        else if (this.c(lo, k) > this.c(i, k)) lo = i;
      }
      let maxCoord = this.maxAbs; // 'Qbb': the lifted coordinate is scaled to [0, qh.MAXabs_coord]
      if (!(scaleLast && k === 2)) {
        maxCoord = Math.max(this.c(hi, k), -this.c(lo, k));
        this.maxWidth = Math.max(this.maxWidth, this.c(hi, k) - this.c(lo, k));
      }
      this.maxAbs = Math.max(this.maxAbs, maxCoord);
      this.maxSum += maxCoord;
      extremes.push(lo, hi);
      this.nearZero[k] = 80 * this.maxSum * EPS;
    }
    if (scaleLast) this.scaleLast(this.c(extremes[4]!, 2), this.c(extremes[5]!, 2), this.maxAbs);
    const maxDistSum = Math.min(Math.sqrt(3) * this.maxAbs, this.maxSum);
    this.distRound = EPS * (3 * maxDistSum * 1.01 + this.maxAbs);
    this.minVisible = 0 + 2 * this.distRound; // premerge_centrum
    this.minOutside = 2 * this.minVisible;
    return extremes;
  }

  /** qh_scalelast: the lifted coordinate from [low, high] to [0, newHigh]. */
  scaleLast(low: number, high: number, newHigh: number): void {
    const denom = high - low;
    const ratio = denom / newHigh; // qh_divzero with numer = newHigh (≥ MINdenom_1 here)
    if (!(newHigh >= MIN_DENOM_1) || !(Math.abs(ratio) > MIN_DENOM_1))
      throw new Undecided('cocircular input');
    const scale = newHigh / denom;
    const shift = 0 - low * scale;
    this.lastScale = { scale, shift };
    for (let i = 0; i < this.n; i++) this.p[3 * i + 2] = this.p[3 * i + 2]! * scale + shift;
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
      this.pointOfVertex[v.id] = v.q;
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
    const distOutside = this.distOutside;
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
        } else if (d >= -this.minVisible) {
          // qh.MAXcoplanar: new facets on this horizon facet will be merged into it
          nb.coplanarHorizon = true;
          if (d > 0) this.maxOutside = Math.max(this.maxOutside, d);
        } else nb.coplanarHorizon = false;
      }
    }
  }

  /** qh_makenewfacets then qh_matchnewfacets and qh_makenewplanes (mergehorizon facets get no hyperplane). */
  makeNewFacets(point: number): Facet[] {
    const apex = this.vertexId++;
    this.vertexOfPoint[point] = apex;
    this.pointOfVertex[apex] = point;
    this.newFacetList = this.tail;
    const created: Facet[] = [];
    const visit = ++this.visitId;
    // qhull's `newfacet` and `newfacet2` keep their values from one visible facet to the next
    let last: Facet | null = null;
    let lastFromRidges: Facet | null = null;
    for (let v: Facet | null = this.visibleList; v && v.visible; v = v.next) {
      v.neighbours.forEach((nb) => {
        nb.seen = false;
      });
      if (v.ridgeSet) {
        v.visitId = visit;
        lastFromRidges = this.makeNewNonSimplicial(v, apex, created);
      }
      if (v.simplicial) last = this.makeNewSimplicial(v, apex, created);
      if (lastFromRidges) last = lastFromRidges;
      if (last) v.replace = last;
    }
    this.matchNewFacets(created);
    created.forEach((f) => {
      if (f.mergeHorizon) return;
      this.setPlane(f);
      this.assertNotFlipped(f);
    });
    return created;
  }

  /** Appends a new facet on horizon facet `horizon`. */
  private addNewFacet(vids: number[], toporient: boolean, horizon: Facet, created: Facet[]): Facet {
    const f = newFacet(
      vids,
      vids.map((id) => this.pointOfVertex[id]!),
      toporient,
    );
    f.neighbours = [horizon];
    f.isNew = true;
    this.append(f);
    created.push(f);
    return f;
  }

  /** qh_makenew_simplicial: a new facet per simplicial horizon neighbour not yet handled through a ridge. */
  makeNewSimplicial(v: Facet, apex: number, created: Facet[]): Facet | null {
    let made: Facet | null = null;
    for (const nb of v.neighbours) {
      if (nb.seen || nb.visible) continue;
      if (!nb.simplicial) throw new Undecided('non-simplicial horizon without a ridge');
      const skip = nb.neighbours.indexOf(v); // the horizon vertex not on the ridge
      if (skip < 0) throw new Undecided('broken adjacency');
      const odd = skip % 2 === 1;
      made = this.addNewFacet(
        [apex, ...nb.vids.filter((_, k) => k !== skip)],
        nb.toporient ? odd : !odd,
        nb,
        created,
      );
      if (nb.coplanarHorizon) {
        made.sameCycle = made;
        made.mergeHorizon = true;
      }
      nb.neighbours[skip] = made;
    }
    return made;
  }

  /** qh_makenew_nonsimplicial: a new facet per ridge of `v` whose other facet is on the horizon, in ridge order. */
  makeNewNonSimplicial(v: Facet, apex: number, created: Facet[]): Facet | null {
    let made: Facet | null = null;
    for (const r of [...v.ridges]) {
      const nb = otherFacet(r, v);
      if (!nb.visible) {
        const toporient = r.top === v;
        const f = this.addNewFacet([apex, ...r.vids], toporient, nb, created);
        if (nb.coplanarHorizon) {
          f.mergeHorizon = true;
          if (!nb.seen) {
            f.sameCycle = f;
            nb.newCycle = f;
          } else {
            const cycle = nb.newCycle!;
            f.sameCycle = cycle.sameCycle;
            cycle.sameCycle = f;
          }
        }
        if (nb.seen) nb.neighbours.push(f);
        else setReplace(nb.neighbours, v, f);
        if (nb.simplicial) setDel(nb.ridges, r);
        else {
          pushRidge(f, r);
          if (toporient) r.top = f;
          else r.bottom = f;
        }
        made = f;
      }
      nb.seen = true;
    }
    return made;
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

  /**
   * qh_premerge with 'C-0': if qh_checkzero passes (simplicial horizons, no coplanar horizon, all clearly convex)
   * nothing happens. Otherwise qhull merges the new facets on coplanar horizons into them (qh_mergecycle_all)
   * and then tests all new facets for further merges; those are not reproduced, so every new or merged facet
   * must then be clearly convex against its neighbours.
   */
  premerge(created: readonly Facet[]): void {
    const zeroOk = created.every((f) => !f.mergeHorizon && f.neighbours[0]!.simplicial);
    if (zeroOk) {
      created.forEach((f) => this.assertConvex(f));
      return;
    }
    this.mergeCycleAll();
    for (const f of this.facets(this.newFacetList)) this.assertClearlyConvex(f);
  }

  /** Every vertex of each neighbour of `f` not on `f` lies clearly below `f`, and vice versa (margin 2× qhull's). */
  assertClearlyConvex(f: Facet): void {
    const clearlyBelow = (q: number, g: Facet): boolean => this.dist(q, g) < -4 * this.distRound;
    for (const g of f.neighbours) {
      if (g.visible) throw new Undecided('visible neighbour after merge');
      const shared = g.pts.filter((q) => f.pts.includes(q)).length;
      if (shared < 2 || g.neighbours.length < 3)
        throw new Undecided('degenerate or redundant neighbour (merge)');
      for (const q of g.pts)
        if (!f.pts.includes(q) && !clearlyBelow(q, f)) throw new Undecided('merge (non-convex)');
      for (const q of f.pts)
        if (!g.pts.includes(q) && !clearlyBelow(q, g)) throw new Undecided('merge (non-convex)');
    }
  }

  /** qh_makeridges: explicit ridges for a simplicial facet's neighbours that have none yet. */
  makeRidges(f: Facet): void {
    if (!f.simplicial) return;
    f.simplicial = false;
    f.neighbours.forEach((nb) => {
      nb.seen = false;
    });
    f.ridges.forEach((r) => {
      otherFacet(r, f).seen = true;
    });
    f.neighbours.forEach((nb, i) => {
      if (nb.seen) return;
      const top = f.toporient !== (i % 2 === 1);
      const r: Ridge = { vids: f.vids.filter((_, k) => k !== i), top: top ? f : nb, bottom: top ? nb : f };
      pushRidge(f, r);
      pushRidge(nb, r);
    });
  }

  /** qh_prependfacet(facet, &qh.visible_list) with qh_willdelete's flags. */
  willDelete(f: Facet, replace: Facet): void {
    this.remove(f);
    const list = this.visibleList ?? this.tail;
    this.insertBefore(f, list);
    if (this.facetNext === list) this.facetNext = f;
    this.visibleList = f;
    f.visible = true;
    f.replace = replace;
  }

  /** qh_mergecycle_all: merge every cycle of new facets on a coplanar horizon facet into that facet. */
  mergeCycleAll(): void {
    let next: Facet | null;
    for (let f: Facet | null = this.newFacetList; f && f !== this.tail && (next = f.next); f = next) {
      if (!f.mergeHorizon) continue;
      const horizon = f.neighbours[0]!;
      if (f.sameCycle === f) {
        this.mergeSimplex(f, horizon);
        continue;
      }
      const cycle = this.cycleOf(f);
      cycle.forEach((g) => {
        if (g.cycleDone || g.visible) throw new Undecided('merge cycle loops');
        g.cycleDone = true;
      });
      while (next && next.cycleDone) next = next.next;
      this.mergeCycle(f, cycle, horizon);
    }
    for (const g of this.facets(this.newFacetList)) {
      g.coplanarHorizon = false;
      g.cycleDone = false;
    }
  }

  /** The facets of f's same-cycle, from f.sameCycle round to f (FORALLsame_cycle_). */
  cycleOf(f: Facet): Facet[] {
    const out: Facet[] = [];
    for (let g: Facet | null = f.sameCycle; g && out.length <= this.n * 4; g = g === f ? null : g.sameCycle)
      out.push(g);
    return out;
  }

  /** qh_mergefacet(f, horizon, MRGcoplanarhorizon, mergeapex) for one simplicial new facet (qh_mergesimplex). */
  mergeSimplex(f: Facet, h: Facet): void {
    this.makeRidges(f);
    this.makeRidges(h);
    this.totalMerges++;
    if (h.vids[0] !== f.vids[0]) {
      h.vids.unshift(f.vids[0]!);
      h.pts.unshift(f.pts[0]!);
    }
    const visit = ++this.visitId;
    h.neighbours.forEach((nb) => {
      nb.visitId = visit;
    });
    for (let i = 0; i < f.ridges.length; i++) {
      const r = f.ridges[i]!;
      const other = otherFacet(r, f);
      if (other === h) {
        setDel(r.top.ridges, r); // qh_delridge_merge
        setDel(r.bottom.ridges, r);
        setDel(h.neighbours, f);
        i--;
        continue;
      }
      pushRidge(h, r);
      if (other.visitId !== visit) {
        h.neighbours.push(other);
        setReplace(other.neighbours, f, h);
        other.visitId = visit;
      } else {
        if (other.simplicial) this.makeRidges(other);
        if (other.neighbours[0] === f) {
          setDel(other.neighbours, h);
          setReplace(other.neighbours, f, h);
        } else setDel(other.neighbours, f);
      }
      if (r.top === f) r.top = h;
      else r.bottom = h;
    }
    this.remove(h);
    this.append(h);
    h.isNew = true;
    this.willDelete(f, h);
  }

  /** qh_mergecycle: several new facets (a same-cycle) into their non-simplicial horizon facet. */
  mergeCycle(first: Facet, cycle: readonly Facet[], h: Facet): void {
    this.totalMerges++;
    const apex = first.vids[0]!;
    const apexPoint = first.pts[0]!;
    this.makeRidges(h);
    this.mergeCycleNeighbours(cycle, h);
    this.mergeCycleRidges(cycle, h);
    if (h.vids[0] !== apex) {
      h.vids.unshift(apex);
      h.pts.unshift(apexPoint);
    }
    this.remove(h);
    this.append(h);
    h.isNew = true;
    h.simplicial = false;
    // qh_mergecycle_facets: from first.sameCycle round to first
    cycle.forEach((g) => this.willDelete(g, h));
  }

  /** qh_mergecycle_neighbors. */
  mergeCycleNeighbours(cycle: readonly Facet[], h: Facet): void {
    const sameVisit = ++this.visitId;
    cycle.forEach((g) => {
      g.visitId = sameVisit;
    });
    const visit = ++this.visitId;
    h.visitId = visit;
    h.neighbours = h.neighbours.filter((nb) => {
      if (nb.visitId === sameVisit) return false;
      nb.visitId = visit;
      return true;
    });
    for (const same of cycle) {
      for (const nb of [...same.neighbours]) {
        if (nb.visitId === sameVisit) continue;
        if (nb.simplicial) {
          if (nb.visitId !== visit) {
            h.neighbours.push(nb);
            setReplace(nb.neighbours, same, h);
            nb.visitId = visit;
            const r = nb.ridges.find((x) => x.top === same || x.bottom === same);
            if (r && r.top === same) r.top = h;
            else if (r) r.bottom = h;
          } else {
            this.makeRidges(nb);
            setDel(nb.neighbours, same);
          }
        } else {
          setDel(nb.neighbours, same);
          if (nb.visitId !== visit) {
            nb.neighbours.push(h);
            h.neighbours.push(nb);
            nb.visitId = visit;
          }
        }
      }
    }
  }

  /** qh_mergecycle_ridges. */
  mergeCycleRidges(cycle: readonly Facet[], h: Facet): void {
    const sameVisit = this.visitId - 1;
    h.ridges = h.ridges.filter((r) => otherFacet(r, h).visitId !== sameVisit);
    for (const same of cycle) {
      for (const r of same.ridges) {
        let nb: Facet;
        if (r.top === same) {
          r.top = h;
          nb = r.bottom;
        } else if (r.bottom === same) {
          r.bottom = h;
          nb = r.top;
        } else if (r.top === h || r.bottom === h) {
          pushRidge(h, r);
          continue;
        } else throw new Undecided('ridge of a merged cycle');
        if (nb === h) continue;
        if (nb.visitId === sameVisit) setDel(nb.ridges, r);
        else pushRidge(h, r);
      }
      same.ridges = [];
      if (!same.simplicial) continue;
      same.neighbours.forEach((nb, i) => {
        if (nb.visitId === sameVisit || !nb.simplicial) return;
        const top = same.toporient !== (i % 2 === 1);
        const r: Ridge = {
          vids: same.vids.filter((_, k) => k !== i),
          top: top ? h : nb,
          bottom: top ? nb : h,
        };
        pushRidge(h, r);
        pushRidge(nb, r);
      });
    }
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
    const distOutside = this.distOutside;
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
    const searchDist = this.searchDist;
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

  /** Whether a facet of the new-facet list is non-simplicial (a merged horizon facet). */
  hasNonSimplicialNew(): boolean {
    for (const f of this.facets(this.newFacetList)) if (!f.simplicial) return true;
    return false;
  }

  addPoint(point: number, facet: Facet): void {
    this.findHorizon(point, facet);
    const created = this.makeNewFacets(point);
    if (created.length === 0) throw new Undecided('no new facets');
    this.premerge(created);
    this.useFindBestNew = this.useFindBestNewAlways || this.hasNonSimplicialNew();
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

  /** qh_qhull: initial simplex, then one qh_addpoint per furthest outside point. */
  build(): this {
    const simplex = this.maxSimplex(this.maxMin());
    this.initialHull(simplex);
    this.partitionAll();
    this.facetNext = this.facetList;
    this.furthestNext();
    for (let step = this.nextFurthest(); step; step = this.nextFurthest())
      this.addPoint(step.point, step.facet);
    if (this.vertexOfPoint.some((v) => v < 0)) throw new Undecided('a site is not a vertex');
    return this;
  }

  /** The lower facets as scipy lists them, when no facet was merged. */
  simplices(): Int32Array {
    if (this.totalMerges > 0) throw new Undecided('merged facets (co-circular sites)');
    return this.triangulatedSimplices();
  }

  /**
   * The lower facets after qhull's 'Qt' (`qh_triangulate`), as scipy lists them: simplicial facets stay where they
   * are; every facet with explicit ridges (merged facets and the neighbours given ridges for a merge) is replaced,
   * at the end of the facet list in list order, by one triangle per ridge not holding its first vertex (apex +
   * ridge, `qh_triangulate_facet`; ridges holding the apex make null facets, deleted), oriented by the ridge.
   * scipy writes a facet's vertices in set order, the first two swapped when the facet is not toporient.
   */
  triangulatedSimplices(): Int32Array {
    const kept: number[] = [];
    const appended: number[] = [];
    const write = (out: number[], pts: readonly number[], toporient: boolean): void => {
      const [a, b, c] = pts as [number, number, number];
      out.push(...(toporient ? [a, b, c] : [b, a, c]));
    };
    for (const f of this.facets()) {
      if (f.upper) continue; // their triangles are upper too (f.upperdelaunay is copied)
      if (f.simplicial) {
        write(kept, f.pts, f.toporient);
        continue;
      }
      const apex = f.vids[0]!;
      for (const r of f.ridges) {
        if (r.vids.includes(apex)) continue;
        const pts = [apex, ...r.vids].map((v) => this.pointOfVertex[v]!);
        write(appended, pts, r.top === f);
      }
    }
    return Int32Array.from([...kept, ...appended]);
  }
}

/**
 * scipy's `Delaunay(pos, incremental=True).simplices` (3 point indices per triangle, in qhull's facet order), or
 * null when qhull would merge co-circular sites or take another precision path not reproduced here.
 */
export function qhullDelaunaySimplices(pos: readonly Vec2[]): Int32Array | null {
  return fromHull(pos, (hull) => hull.simplices());
}

/** `read` of the simulated quickhull of `pos`, or null for inputs and precision paths it does not reproduce. */
function fromHull<T>(
  pos: readonly Vec2[],
  read: (hull: Hull) => T,
  options: QhullOptions = INCREMENTAL,
): T | null {
  if (
    pos.length < 4 ||
    pos.length > MAX_SITES ||
    pos.some((p) => !Number.isFinite(p[0]) || !Number.isFinite(p[1]))
  )
    return null;
  try {
    return read(new Hull(pos, options).build());
  } catch (err) {
    if (err instanceof Undecided) return null;
    throw err;
  }
}

export interface QhullVertexIds {
  /** qhull's vertex id of every site (1-based, in the order qhull added them). */
  ids: Int32Array;
  /** qhull's coplanarity tolerance on the lifted points (qh.MAXcoplanar = qh.MINvisible = 2·DISTround). */
  tolerance: number;
  /** Number of facet merges (co-circular sites) qhull made. */
  merges: number;
  /** 'Qbb': qhull's lifted coordinate is (x² + y²) · scale + shift (scale 1, shift 0 without it). */
  lift: { scale: number; shift: number };
  /**
   * scipy's simplices: qhull's lower facets after 'Qt' (merged facets fanned from their last-added vertex), each
   * as scipy writes it (counter-clockwise, lowest id last), in qhull's facet order (verified on scipy's output;
   * merged layouts may differ in the position of a merged facet's triangles, never in the triangles).
   */
  simplices: Int32Array;
}

/**
 * The vertex id qhull gives every site in `Delaunay(pos, incremental=True)` (the order quickhull adds them,
 * with qhull's merges of coplanar horizon facets for co-circular sites), or null on precision paths not
 * reproduced (other merges, flipped or degenerate facets, sites left inside).
 */
export function qhullVertexIds(
  pos: readonly Vec2[],
  options: QhullOptions = INCREMENTAL,
): QhullVertexIds | null {
  return fromHull(
    pos,
    (hull) => ({
      ids: Int32Array.from(hull.vertexOfPoint.subarray(0, pos.length)),
      tolerance: hull.minVisible,
      merges: hull.totalMerges,
      lift: { scale: hull.lastScale.scale, shift: hull.lastScale.shift },
      simplices: hull.triangulatedSimplices(),
    }),
    options,
  );
}
