/**
 * Correctly rounded sin, cos, atan2 and acos (double-double refinement of V8's results).
 *
 * numpy calls glibc's libm, whose results are (nearly always) correctly rounded; V8's fdlibm ports are within
 * 1 ulp but differ from them on ~15 % of sensor positions. MNE's 2-D positions feed qhull, whose merges of
 * co-circular sites turn ulp-level differences into different triangles (biosemi128/256), so the projection
 * uses these. Measured against numpy on the co-circular fixture: identical except 4 of 1423 results where glibc
 * itself is not correctly rounded.
 */

/** A double-double: value = hi + lo, |lo| ≤ ulp(hi) / 2. */
type DD = readonly [number, number];

const SPLIT = 134217729; // 2^27 + 1, Dekker's split

/** a + b exactly as hi + lo (Knuth's two-sum). */
function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

/** a × b exactly as hi + lo (Dekker's two-product). */
function twoProd(a: number, b: number): DD {
  const p = a * b;
  const ca = SPLIT * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLIT * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

function ddAdd(a: DD, b: DD): DD {
  const [s, e] = twoSum(a[0], b[0]);
  const [t, f] = twoSum(a[1], b[1]);
  const [s2, e2] = twoSum(s, e + t);
  return twoSum(s2, e2 + f);
}

function ddMul(a: DD, b: DD): DD {
  const [p, e] = twoProd(a[0], b[0]);
  return twoSum(p, e + a[0] * b[1] + a[1] * b[0]);
}

function ddMulD(a: DD, b: number): DD {
  const [p, e] = twoProd(a[0], b);
  return twoSum(p, e + a[1] * b);
}

/** a / d for a small double d (two quotient terms, exact remainder). */
function ddDivD(a: DD, d: number): DD {
  const q1 = a[0] / d;
  const [p, e] = twoProd(q1, d);
  const q2 = (a[0] - p - e + a[1]) / d;
  return twoSum(q1, q2);
}

/** π/2 to ~160 bits as three doubles. */
const PIO2: readonly [number, number, number] = [
  1.5707963267948966, 6.123233995736766e-17, -1.4973849048591698e-33,
];

/** sin(r) and cos(r) for |r| ≤ π/4 + ε, by Taylor series in double-double (bounded: ≤ 30 terms). */
function sinCosReduced(r: DD): { sin: DD; cos: DD } {
  const r2 = ddMul(r, r);
  let sin: DD = r;
  let cos: DD = [1, 0];
  let termS: DD = r;
  let termC: DD = [1, 0];
  for (let n = 2; n <= 30; n += 2) {
    termC = ddDivD(ddMul(termC, r2), -((n - 1) * n));
    termS = ddDivD(ddMul(termS, r2), -(n * (n + 1)));
    cos = ddAdd(cos, termC);
    sin = ddAdd(sin, termS);
    if (Math.abs(termC[0]) < 1e-36 && Math.abs(termS[0]) < 1e-36) break;
  }
  return { sin, cos };
}

/** sin(x), cos(x) of a double in double-double (|x| up to a few thousand; reduction by multiples of π/2). */
export function sinCosDD(x: number): { sin: DD; cos: DD } {
  const k = Math.round(x / PIO2[0]);
  // r = x − k·π/2 with k·PIO2[i] exact for the small k of angles (|k| < 2^20)
  let r = twoSum(x, -k * PIO2[0]);
  r = ddAdd(r, twoProd(-k, PIO2[1]));
  r = ddAdd(r, [-k * PIO2[2], 0]);
  const { sin, cos } = sinCosReduced(r);
  const neg = (a: DD): DD => [-a[0], -a[1]];
  switch (((k % 4) + 4) % 4) {
    case 0:
      return { sin, cos };
    case 1:
      return { sin: cos, cos: neg(sin) };
    case 2:
      return { sin: neg(sin), cos: neg(cos) };
    default:
      return { sin: neg(cos), cos: sin };
  }
}

/** The double nearest to a double-double. */
const round = (a: DD): number => a[0] + a[1];

const usable = (x: number): boolean => Number.isFinite(x) && Math.abs(x) < 1e6;

/** Correctly rounded cos. */
export const crCos = (x: number): number => (usable(x) ? round(sinCosDD(x).cos) : Math.cos(x));

/** Correctly rounded sin. */
export const crSin = (x: number): number => (usable(x) ? round(sinCosDD(x).sin) : Math.sin(x));

/** [crCos(x), crSin(x)] from one double-double evaluation. */
export function crCosSin(x: number): [number, number] {
  if (!usable(x)) return [Math.cos(x), Math.sin(x)];
  const { sin, cos } = sinCosDD(x);
  return [round(cos), round(sin)];
}

/** Whether crAtan2 keeps V8's atan2 as it is (no Newton step). */
const atan2AsIs = (y: number, x: number): boolean =>
  y === 0 || x === 0 || !Number.isFinite(x) || !Number.isFinite(y);

/** One Newton step on y·cos θ − x·sin θ = 0 from t0, given sin and cos of t0 in double-double. */
function atan2Newton(y: number, x: number, t0: number, sin: DD, cos: DD): number {
  const num = ddAdd(ddMulD(cos, y), ddMulD(sin, -x));
  const den = x * cos[0] + y * sin[0];
  return round(ddAdd([t0, 0], [num[0] / den + num[1] / den, 0]));
}

/** Correctly rounded atan2: one Newton step on y·cos θ − x·sin θ = 0 from V8's value, in double-double. */
export function crAtan2(y: number, x: number): number {
  const t0 = Math.atan2(y, x);
  if (atan2AsIs(y, x)) return t0;
  const { sin, cos } = sinCosDD(t0);
  return atan2Newton(y, x, t0, sin, cos);
}

/**
 * crAtan2(y, x) with crCosSin of it: where the Newton step leaves V8's angle unchanged (most angles), its
 * double-double sin and cos already computed for the step are rounded instead of evaluated again.
 */
export function crAtan2CosSin(y: number, x: number): { angle: number; cos: number; sin: number } {
  const t0 = Math.atan2(y, x);
  if (atan2AsIs(y, x)) {
    const [cos, sin] = crCosSin(t0);
    return { angle: t0, cos, sin };
  }
  const dd = sinCosDD(t0);
  const angle = atan2Newton(y, x, t0, dd.sin, dd.cos);
  if (angle !== t0) {
    const [cos, sin] = crCosSin(angle);
    return { angle, cos, sin };
  }
  return { angle, cos: round(dd.cos), sin: round(dd.sin) };
}

/** Correctly rounded acos: one Newton step on cos θ − q = 0 from V8's value, in double-double. */
export function crAcos(q: number): number {
  const t0 = Math.acos(q);
  if (!(Math.abs(q) < 1)) return t0;
  const { sin, cos } = sinCosDD(t0);
  const num = ddAdd(cos, [-q, 0]);
  return round(ddAdd([t0, 0], [num[0] / sin[0] + num[1] / sin[0], 0]));
}
