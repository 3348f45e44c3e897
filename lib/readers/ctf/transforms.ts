/**
 * Coordinate transforms for CTF data, as MNE's io/ctf/trans.py builds them: CTF device → Neuromag-like device
 * (45° rotation, 190 mm shift), CTF head → Neuromag head (from the fiducial coils) and CTF device → CTF head
 * (Horn's unit-quaternion fit of the coils measured in both frames). 4×4 matrices are row-major number[][].
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { unreadableRecording } from '../../core/errors';
import type { CoilKind, HeadCoil } from './hc';
import type { Vec3 } from './res4';

export type Mat4 = number[][];

export interface CtfTransforms {
  /** Neuromag device → head (MNE's dev_head_t). */
  devHead: Mat4;
  /** CTF head → Neuromag head. */
  ctfHeadHead: Mat4;
}

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const norm = (a: Vec3): number => Math.sqrt(dot(a, a));
export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];

const at = (m: Mat4, i: number, j: number): number => m[i]?.[j] ?? 0;

export function multiply(a: Mat4, b: Mat4): Mat4 {
  return [0, 1, 2, 3].map((i) =>
    [0, 1, 2, 3].map(
      (j) =>
        at(a, i, 0) * at(b, 0, j) +
        at(a, i, 1) * at(b, 1, j) +
        at(a, i, 2) * at(b, 2, j) +
        at(a, i, 3) * at(b, 3, j),
    ),
  );
}

/** Applies a 4×4 transform to a point (or, with move=false, rotates a direction). */
export function applyTransform(m: Mat4, p: Vec3, move = true): Vec3 {
  const w = move ? 1 : 0;
  return [0, 1, 2].map(
    (i) => at(m, i, 0) * p[0] + at(m, i, 1) * p[1] + at(m, i, 2) * p[2] + at(m, i, 3) * w,
  ) as Vec3;
}

/** Inverse of a rigid transform: [Rᵀ | −Rᵀt]. */
export function invertRigid(m: Mat4): Mat4 {
  const rt = [0, 1, 2].map((i) => [0, 1, 2].map((j) => at(m, j, i)));
  const t: Vec3 = [at(m, 0, 3), at(m, 1, 3), at(m, 2, 3)];
  const rows = rt.map((row) => {
    const r = row as Vec3;
    return [r[0], r[1], r[2], -dot(r, t)];
  });
  return [...rows, [0, 0, 0, 1]];
}

/** MNE's get_ras_to_neuromag_trans: x through the ears, y towards the nasion, z up. */
export function rasToNeuromag(nasion: Vec3, lpa: Vec3, rpa: Vec3): Mat4 {
  const right = sub(rpa, lpa);
  const rightUnit = scale(right, 1 / norm(right));
  const origin: Vec3 = [0, 1, 2].map(
    (i) => lpa[i as 0] + dot(sub(nasion, lpa), rightUnit) * rightUnit[i as 0],
  ) as Vec3;
  const anterior = sub(nasion, origin);
  const anteriorUnit = scale(anterior, 1 / norm(anterior));
  const superiorUnit = cross(rightUnit, anteriorUnit);
  const rotation = [rightUnit, anteriorUnit, superiorUnit];
  const rows = rotation.map((r) => [r[0], r[1], r[2], -dot(r, origin)]);
  return [...rows, [0, 0, 0, 1]];
}

/** CTF device → Neuromag device: rotate 45° about z, shift 190 mm along z. */
export function ctfDeviceToDevice(): Mat4 {
  const v = 0.5 * Math.SQRT2;
  return [
    [v, -v, 0, 0],
    [v, v, 0, 0],
    [0, 0, 1, 0.19],
    [0, 0, 0, 1],
  ];
}

function quaternionToRotation(b: number, c: number, d: number): number[][] {
  const aa = Math.max(1 - b * b - c * c - d * d, 0);
  const a = Math.sqrt(aa);
  return [
    [aa + b * b - c * c - d * d, 2 * b * c - 2 * a * d, 2 * b * d + 2 * a * c],
    [2 * b * c + 2 * a * d, aa + c * c - b * b - d * d, 2 * c * d - 2 * a * b],
    [2 * b * d - 2 * a * c, 2 * c * d + 2 * a * b, aa + d * d - b * b - c * c],
  ];
}

const mean = (pts: Vec3[]): Vec3 =>
  scale(
    pts.reduce<Vec3>((s, p) => [s[0] + p[0], s[1] + p[1], s[2] + p[2]], [0, 0, 0]),
    1 / pts.length,
  );

/** Rigid transform taking `from` onto `to` (Horn 1987, as MNE's _fit_matched_points without scaling). */
export function fitMatchedPoints(from: Vec3[], to: Vec3[]): Mat4 {
  const muP = mean(from);
  const muX = mean(to);
  const sigma = [0, 1, 2].map((i) =>
    [0, 1, 2].map(
      (j) =>
        from.reduce((s, p, k) => s + p[i as 0] * (to[k] as Vec3)[j as 0], 0) / from.length -
        muP[i as 0] * muX[j as 0],
    ),
  );
  const s = (i: number, j: number): number => sigma[i]?.[j] ?? 0;
  const trace = s(0, 0) + s(1, 1) + s(2, 2);
  const delta = [s(1, 2) - s(2, 1), s(2, 0) - s(0, 2), s(0, 1) - s(1, 0)];
  const q = [[trace, ...delta]];
  for (let i = 0; i < 3; i++) {
    q.push([delta[i] ?? 0, ...[0, 1, 2].map((j) => s(i, j) + s(j, i) - (i === j ? trace : 0))]);
  }
  const evd = new EigenvalueDecomposition(new Matrix(q), { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const best = values.indexOf(Math.max(...values));
  const v = evd.eigenvectorMatrix.getColumn(best);
  const sign = v[0] === 0 ? 1 : Math.sign(v[0] ?? 1);
  const rot = quaternionToRotation((v[1] ?? 0) * sign, (v[2] ?? 0) * sign, (v[3] ?? 0) * sign);
  const rotated = [0, 1, 2].map((i) => dot(rot[i] as Vec3, muP));
  const rows = rot.map((r, i) => [r[0] ?? 0, r[1] ?? 0, r[2] ?? 0, muX[i as 0] - (rotated[i] ?? 0)]);
  return [...rows, [0, 0, 0, 1]];
}

function firstCoil(coils: HeadCoil[], kind: CoilKind, frame: HeadCoil['frame']): Vec3 | undefined {
  return coils.find((c) => c.kind === kind && c.frame === frame)?.r;
}

/** CTF device → CTF head from the coils measured in both frames; fails as MNE does if the fit is off by > 0.1 mm. */
function ctfDeviceToCtfHead(coils: HeadCoil[]): Mat4 {
  const kinds: CoilKind[] = ['lpa', 'rpa', 'nasion', 'spare'];
  const pairs = kinds
    .map((kind) => [firstCoil(coils, kind, 'ctf_device'), firstCoil(coils, kind, 'ctf_head')] as const)
    .filter((p): p is readonly [Vec3, Vec3] => p[0] !== undefined && p[1] !== undefined);
  const trans = fitMatchedPoints(
    pairs.map((p) => p[0]),
    pairs.map((p) => p[1]),
  );
  for (const [dev, head] of pairs) {
    if (norm(sub(applyTransform(trans, dev), head)) > 1e-4) {
      throw unreadableRecording('.hc: head coil positions in the device and head frames do not match');
    }
  }
  return trans;
}

/** The transforms MNE derives from the .hc coils, or null when there are no coils. */
export function makeCtfTransforms(coils: HeadCoil[]): CtfTransforms | null {
  if (coils.length === 0) return null;
  const head = (kind: CoilKind): Vec3 | undefined => firstCoil(coils, kind, 'ctf_head');
  const dev = (kind: CoilKind): Vec3 | undefined => firstCoil(coils, kind, 'ctf_device');
  const [lpa, rpa, nas] = [head('lpa'), head('rpa'), head('nasion')];
  if (!lpa || !rpa || !nas || !dev('lpa') || !dev('rpa') || !dev('nasion')) {
    throw unreadableRecording('.hc lacks the nasion, left or right ear coil in the device or head frame');
  }
  // Every coil enters the fit; a non-numeric coordinate would make the eigen-decomposition fail.
  if (!coils.every((c) => c.r.every(Number.isFinite)))
    throw unreadableRecording('.hc: a coil coordinate is not a number');
  const ctfHeadHead = rasToNeuromag(nas, lpa, rpa);
  const ctfDevHead = multiply(ctfHeadHead, ctfDeviceToCtfHead(coils));
  return { devHead: multiply(ctfDevHead, invertRigid(ctfDeviceToDevice())), ctfHeadHead };
}
