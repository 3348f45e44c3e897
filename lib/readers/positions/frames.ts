/**
 * Conversion of electrode coordinates to MNE's head frame (metres; x towards RPA, y towards the nasion,
 * z up): by the nasion/LPA/RPA fiducials (MNE's `get_ras_to_neuromag_trans`) when given, otherwise by the
 * orientation the coordinate system declares (RAS, ALS, ...).
 */
import { quoteValue, unsupportedFormat } from '../../core/errors';

export type Vec3 = [number, number, number];
export type LengthUnit = 'm' | 'cm' | 'mm';

export interface NamedPoint {
  name: string;
  r: Vec3;
}

export interface Fiducials {
  nasion: Vec3;
  lpa: Vec3;
  rpa: Vec3;
}

const UNIT_SCALE: Record<LengthUnit, number> = { m: 1, cm: 1e-2, mm: 1e-3 };

/** Axis orientation of BIDS coordinate systems (BIDS appendix "Coordinate systems"). */
const SYSTEM_ORIENTATION: Record<string, string> = {
  captrak: 'RAS',
  elektaneuromag: 'RAS',
  chietiitab: 'RAS',
  acpc: 'RAS',
  scanras: 'RAS',
  fsaverage: 'RAS',
  fsaveragesym: 'RAS',
  talairach: 'RAS',
  ctf: 'ALS',
  eeglab: 'ALS',
  'eeglab-hj': 'ALS',
  '4dbti': 'ALS',
  kityokogawa: 'ALS',
};

/** Axis letters: which head axis (0 = R, 1 = A, 2 = S) and sign each letter stands for. */
const AXIS_LETTER: Record<string, [number, number]> = {
  R: [0, 1],
  L: [0, -1],
  A: [1, 1],
  P: [1, -1],
  S: [2, 1],
  I: [2, -1],
};

/** The 3-letter orientation ('RAS', 'ALS', ...) of a coordinate system name or code, or null if unknown. */
export function systemOrientation(system: string): string | null {
  const key = system.trim().toLowerCase();
  if (SYSTEM_ORIENTATION[key]) return SYSTEM_ORIENTATION[key];
  if (key.startsWith('mni') || key.startsWith('icbm') || key.startsWith('ixi') || key.startsWith('oasis'))
    return 'RAS';
  const code = system.trim().toUpperCase();
  return isOrientationCode(code) ? code : null;
}

function isOrientationCode(code: string): boolean {
  if (!/^[RLAPSI]{3}$/.test(code)) return false;
  const axes = new Set([...code].map((c) => AXIS_LETTER[c]?.[0]));
  return axes.size === 3;
}

/** Re-expresses a point given in `orientation` axes in RAS axes. */
export function toRas(r: Vec3, orientation: string): Vec3 {
  const out: Vec3 = [0, 0, 0];
  [...orientation].forEach((letter, i) => {
    const [axis, sign] = AXIS_LETTER[letter] as [number, number];
    out[axis] = sign * (r[i] as number);
  });
  return out;
}

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
const unit = (a: Vec3): Vec3 => scale(a, 1 / Math.hypot(...a));
const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];

/** MNE's `get_ras_to_neuromag_trans` as a 4x4 row-major matrix. */
export function rasToNeuromagTrans({ nasion, lpa, rpa }: Fiducials): number[][] {
  const right = unit(sub(rpa, lpa));
  const origin = add(lpa, scale(right, dot(sub(nasion, lpa), right)));
  const anterior = unit(sub(nasion, origin));
  const superior = cross(right, anterior);
  return [right, anterior, superior].map((row) => [...row, -dot(row, origin)]).concat([[0, 0, 0, 1]]);
}

export function applyTrans(t: number[][], r: Vec3): Vec3 {
  return [0, 1, 2].map((i) => {
    const row = t[i] as number[];
    return (
      (row[0] as number) * r[0] + (row[1] as number) * r[1] + (row[2] as number) * r[2] + (row[3] as number)
    );
  }) as Vec3;
}

/**
 * Points (in `unit`, in coordinate system `system`) → MNE head frame in metres. With fiducials the
 * fiducial-based transform decides; otherwise the system's orientation must be known.
 */
export function toHeadFrame(
  points: NamedPoint[],
  unitName: LengthUnit,
  system: string,
  fiducials?: Fiducials,
): NamedPoint[] {
  const s = UNIT_SCALE[unitName];
  if (s === undefined) throw unsupportedFormat(`coordinate unit ${quoteValue(String(unitName))}`);
  const orientation = systemOrientation(system);
  if (!orientation && !fiducials) {
    throw unsupportedFormat(
      `coordinate system ${quoteValue(system)} has no known orientation and no fiducials`,
    );
  }
  const prepare = (r: Vec3): Vec3 => {
    const metres = scale(r, s);
    return orientation ? toRas(metres, orientation) : metres;
  };
  if (!fiducials) return points.map((p) => ({ name: p.name, r: prepare(p.r) }));
  const trans = rasToNeuromagTrans({
    nasion: prepare(fiducials.nasion),
    lpa: prepare(fiducials.lpa),
    rpa: prepare(fiducials.rpa),
  });
  return points.map((p) => ({ name: p.name, r: applyTrans(trans, prepare(p.r)) }));
}
