/**
 * Head sphere for topomaps, as MNE 1.3's `_check_sphere` chooses it: the default 95 mm sphere at the origin, a
 * least-squares fit to head-shape points when a recording has enough of them, an explicit sphere, or 'eeglab'.
 */
import { badRequest, unreadableRecording } from '../errors';
import type { Sphere, Vec3 } from './types';

export const HEAD_SIZE_DEFAULT = 0.095;
export const DEFAULT_SPHERE: Sphere = [0, 0, 0, HEAD_SIZE_DEFAULT];

/** FIFF dig point kinds (FIFFV_POINT_*). */
export const DIG_KIND = { cardinal: 1, hpi: 2, eeg: 3, extra: 4 } as const;

/** A digitised point in head coordinates (metres). */
export interface DigPoint {
  kind: number;
  r: Vec3;
}

export type SphereOption = 'auto' | 'eeglab' | number | Sphere;

/** Positions by channel name (head frame, metres), needed only for sphere='eeglab'. */
export type ChannelPositions = Record<string, Vec3 | undefined>;

const MIN_FIT_POINTS = 4;

/** Nose and face points (low and frontal) are left out of the fit, as `get_fitting_dig` does. */
const isFrontalLow = (p: Vec3): boolean => p[2] < -1e-6 && p[1] > 1e-6;

/** Dig points of the given kinds usable for a fit, or null when fewer than 4 remain (`get_fitting_dig`). */
export function fittingDigPoints(dig: readonly DigPoint[], kinds: readonly number[]): Vec3[] | null {
  const points = dig.filter((d) => kinds.includes(d.kind) && !isFrontalLow(d.r)).map((d) => d.r);
  return points.length >= MIN_FIT_POINTS ? points : null;
}

/** `get_fitting_dig(info, 'auto')`: 'extra' points, else 'extra' + 'eeg' points. */
export function autoFittingDigPoints(dig: readonly DigPoint[]): Vec3[] | null {
  return fittingDigPoints(dig, [DIG_KIND.extra]) ?? fittingDigPoints(dig, [DIG_KIND.extra, DIG_KIND.eeg]);
}

/** Solves the 4×4 system `a x = b` by Gaussian elimination with partial pivoting; null when singular. */
function solve4(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] ?? 0]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    }
    if (!(Math.abs(m[pivot]![col]!) > 1e-300)) return null;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const pr = m[col]!;
    for (let r = col + 1; r < n; r++) {
      const row = m[r]!;
      const f = row[col]! / pr[col]!;
      for (let c = col; c <= n; c++) row[c] = row[c]! - f * pr[c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    const row = m[r]!;
    let s = row[n]!;
    for (let c = r + 1; c < n; c++) s -= row[c]! * x[c]!;
    x[r] = s / row[r]!;
  }
  return x;
}

/** Algebraic sphere fit: |p|² = 2 c·p + (R² − |c|²) in the least-squares sense (the start for Gauss-Newton). */
function algebraicSphere(points: readonly Vec3[]): Sphere | null {
  const ata = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  const atb = [0, 0, 0, 0];
  for (const p of points) {
    const row = [2 * p[0], 2 * p[1], 2 * p[2], 1];
    const rhs = p[0] * p[0] + p[1] * p[1] + p[2] * p[2];
    for (let i = 0; i < 4; i++) {
      atb[i] = atb[i]! + row[i]! * rhs;
      for (let j = 0; j < 4; j++) ata[i]![j] = ata[i]![j]! + row[i]! * row[j]!;
    }
  }
  const x = solve4(ata, atb);
  if (!x) return null;
  const [cx, cy, cz, k] = x as [number, number, number, number];
  const r2 = k + cx * cx + cy * cy + cz * cz;
  return r2 > 0 ? [cx, cy, cz, Math.sqrt(r2)] : null;
}

/** One Gauss-Newton step for Σ(|p−c| − R)²; returns the updated sphere. */
function gaussNewtonStep(points: readonly Vec3[], s: Sphere): Sphere | null {
  const jtj = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  const jtr = [0, 0, 0, 0];
  for (const p of points) {
    const d: Vec3 = [p[0] - s[0], p[1] - s[1], p[2] - s[2]];
    const dist = Math.hypot(d[0], d[1], d[2]);
    if (dist === 0) continue;
    const jac = [-d[0] / dist, -d[1] / dist, -d[2] / dist, -1];
    const res = dist - s[3];
    for (let i = 0; i < 4; i++) {
      jtr[i] = jtr[i]! + jac[i]! * res;
      for (let j = 0; j < 4; j++) jtj[i]![j] = jtj[i]![j]! + jac[i]! * jac[j]!;
    }
  }
  const step = solve4(
    jtj,
    jtr.map((v) => -v),
  );
  if (!step) return null;
  return [s[0] + step[0]!, s[1] + step[1]!, s[2] + step[2]!, s[3] + step[3]!];
}

/**
 * Least-squares sphere `Σ(|p−c| − R)² = min` (MNE `_fit_sphere`, which uses COBYLA with rhoend = R0·1e-6; this
 * converges to the same optimum, to within COBYLA's own tolerance of about 1e-6 relative).
 */
export function fitSphere(points: readonly Vec3[]): Sphere {
  // The points come from the recording's digitisation: too few or coplanar is the file's defect (422), not the
  // request's (checkSphere answers an explicit sphere='auto' without enough points with a 400 before this).
  if (points.length < MIN_FIT_POINTS)
    throw unreadableRecording('a sphere fit needs at least 4 head-shape points');
  let s = algebraicSphere(points);
  if (!s) throw unreadableRecording('Head-shape points are degenerate (coplanar); no sphere fits them');
  for (let iter = 0; iter < 50; iter++) {
    const next = gaussNewtonStep(points, s);
    if (!next) break;
    const moved = Math.max(...next.map((v, i) => Math.abs(v - s![i]!)));
    s = next;
    if (moved <= 1e-15 * Math.max(1, s[3])) break;
  }
  return [s[0], s[1], s[2], Math.abs(s[3])];
}

/** sphere='eeglab': centre = mean of T7, T8, Fpz, Oz; radius = mean(|T7.x|, |T8.x|, |Fpz.y|, |Oz.y|). */
export function eeglabSphere(positions: ChannelPositions): Sphere {
  const oz = positions.Oz;
  const fpz = positions.FPz ?? positions.Fpz ?? (oz ? ([-oz[0], -oz[1], oz[2]] as Vec3) : undefined);
  const t7 = positions.T7;
  const t8 = positions.T8;
  if (!t7 || !t8 || !fpz || !oz) {
    throw badRequest("sphere='eeglab' needs positions for T7, T8, Oz and Fpz (or Oz to mirror it)");
  }
  const pts = [t7, t8, fpz, oz];
  const mean = (axis: 0 | 1 | 2): number => pts.reduce((a, p) => a + p[axis], 0) / 4;
  const radius = (Math.abs(t7[0]) + Math.abs(t8[0]) + Math.abs(fpz[1]) + Math.abs(oz[1])) / 4;
  return [mean(0), mean(1), mean(2), radius];
}

/** `_check_sphere(sphere, info)`: the head sphere in head coordinates. */
export function checkSphere(
  option: SphereOption | undefined,
  dig: readonly DigPoint[] = [],
  positions: ChannelPositions = {},
): Sphere {
  if (option === undefined) {
    return fittingDigPoints(dig, [DIG_KIND.extra]) ? checkSphere('auto', dig, positions) : DEFAULT_SPHERE;
  }
  if (option === 'eeglab') return eeglabSphere(positions);
  if (option === 'auto') {
    const points = autoFittingDigPoints(dig);
    if (!points) throw badRequest("sphere='auto' needs at least 4 head-shape (extra or EEG) dig points");
    return fitSphere(points);
  }
  if (typeof option === 'number') return [0, 0, 0, option];
  if (option.length !== 4 || !option.every(Number.isFinite)) throw badRequest('sphere must be [x, y, z, r]');
  return [option[0], option[1], option[2], option[3]];
}
