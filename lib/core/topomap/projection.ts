/**
 * 3-D sensor locations → 2-D topomap positions, as MNE 1.3's `_auto_topomap_coords` (azimuthal equidistant
 * projection around +z, scaled by each sensor's distance from the sphere centre) and `_adjust_meg_sphere`.
 */
import { ApiError, quoteValue, shortened } from '../errors';
import { crAcos, crAtan2CosSin } from './correct-rounding';
import type { MapChannelType, Sphere, Vec2, Vec3 } from './types';

/** A 4×4 affine transform as rows (e.g. FIFF dev_head_t: device → head). */
export type Transform4 = number[][];

const DUPLICATE_DISTANCE = 1e-10;

const at = (t: Transform4, i: number, j: number): number => t[i]?.[j] ?? 0;

/** Applies the inverse of an affine 4×4 transform to a point (MNE `apply_trans(invert_transform(t), p)`). */
export function applyInverseTransform(t: Transform4, p: Vec3): Vec3 {
  const [a, b, c] = [0, 1, 2].map((i) => [at(t, i, 0), at(t, i, 1), at(t, i, 2)]) as [Vec3, Vec3, Vec3];
  const d: Vec3 = [p[0] - at(t, 0, 3), p[1] - at(t, 1, 3), p[2] - at(t, 2, 3)];
  const det =
    a[0] * (b[1] * c[2] - b[2] * c[1]) -
    a[1] * (b[0] * c[2] - b[2] * c[0]) +
    a[2] * (b[0] * c[1] - b[1] * c[0]);
  if (!(Math.abs(det) > 0)) throw new ApiError(422, 'unreadable_recording', 'dev_head_t is singular');
  // inverse of the 3×3 block by cofactors, applied to (p − t)
  const inv = [
    [b[1] * c[2] - b[2] * c[1], a[2] * c[1] - a[1] * c[2], a[1] * b[2] - a[2] * b[1]],
    [b[2] * c[0] - b[0] * c[2], a[0] * c[2] - a[2] * c[0], a[2] * b[0] - a[0] * b[2]],
    [b[0] * c[1] - b[1] * c[0], a[1] * c[0] - a[0] * c[1], a[0] * b[1] - a[1] * b[0]],
  ];
  return inv.map((row) => (row[0]! * d[0] + row[1]! * d[1] + row[2]! * d[2]) / det) as Vec3;
}

const isMeg = (t: MapChannelType): boolean => t === 'mag' || t === 'grad';

/**
 * `_adjust_meg_sphere`: for MEG the sphere centre moves into device coordinates (where MEG locations live) with
 * z forced to 0, and the clip origin is (0, 0); for EEG the clip origin is the sphere centre.
 */
export function adjustMegSphere(
  sphere: Sphere,
  chType: MapChannelType,
  devHeadT: Transform4 | null,
): { sphere: Sphere; clipOrigin: Vec2 } {
  if (!isMeg(chType)) return { sphere: [...sphere], clipOrigin: [sphere[0], sphere[1]] };
  if (!devHeadT) return { sphere: [...sphere], clipOrigin: [0, 0] };
  const c = applyInverseTransform(devHeadT, [sphere[0], sphere[1], sphere[2]]);
  return { sphere: [c[0], c[1], 0, sphere[3]], clipOrigin: [0, 0] };
}

/** Throws ApiError 422 'duplicate_positions' when two sensors are closer than 1e-10 m (MNE refuses these). */
export function checkDuplicatePositions(locs: readonly Vec3[], names?: readonly string[]): void {
  const clash = new Set<number>();
  // Sweep along x: a pair closer than the distance is closer in x too. Non-finite locations never clash.
  const order = locs
    .map((_, i) => i)
    .filter((i) => locs[i]!.every(Number.isFinite))
    .sort((i, j) => locs[i]![0] - locs[j]![0]);
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const a = locs[i]!;
    for (let m = k + 1; m < order.length; m++) {
      const j = order[m]!;
      const b = locs[j]!;
      if (b[0] - a[0] >= DUPLICATE_DISTANCE) break;
      if (Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) < DUPLICATE_DISTANCE) clash.add(i).add(j);
    }
  }
  if (clash.size === 0) return;
  const which = [...clash].sort((x, y) => x - y).map((i) => names?.[i] ?? `#${i}`);
  throw new ApiError(
    422,
    'duplicate_positions',
    `Sensors have overlapping positions: ${quoteValue(which.join(', '))}`,
    { channels: which.map((name) => shortened(name)) },
  );
}

/** Non-finite coordinates become 0, as MNE does before projecting. */
const finiteOrZero = (p: Vec3): Vec3 => p.map((v) => (Number.isFinite(v) ? v : 0)) as Vec3;

/** Projects one location (already relative to the sphere centre) to the plane. */
function projectOne(p: Vec3): Vec2 {
  const r = Math.sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]); // numpy's sqrt(sum(cart * cart)), not hypot
  // numpy's libm results are correctly rounded (nearly always); V8's differ by an ulp at times, which qhull's
  // merges of co-circular sites can amplify (correct-rounding.ts)
  const azimuth = crAtan2CosSin(p[1], p[0]);
  const polar = crAcos(p[2] / (r > 0 ? r : 1));
  const scale = r / (Math.PI / 2);
  return [polar * azimuth.cos * scale, polar * azimuth.sin * scale];
}

/**
 * `_auto_topomap_coords(..., to_sphere=True)`: 2-D positions of sensors at `locs3d` (head frame for EEG, device
 * frame for MEG) for a sphere already adjusted with `adjustMegSphere`.
 */
export function projectPositions(locs3d: readonly Vec3[], sphere: Sphere, names?: readonly string[]): Vec2[] {
  const locs = locs3d.map(finiteOrZero);
  if (locs.length > 1) checkDuplicatePositions(locs, names);
  return locs.map((p) => {
    const xy = projectOne([p[0] - sphere[0], p[1] - sphere[1], p[2] - sphere[2]]);
    return [xy[0] + sphere[0], xy[1] + sphere[1]];
  });
}
