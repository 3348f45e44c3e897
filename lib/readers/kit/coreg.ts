/**
 * KIT coregistration from companion files, as MNE's `read_raw_kit(path, mrk=, elp=, hsp=)` does it
 * (io/kit/coreg.py): marker coil positions measured by the MEG (a marker .sqd), the same coils and the fiducials
 * digitised by a Polhemus Isotrak (.elp), and the head shape (.hsp). The digitiser frame is turned into the
 * Neuromag head frame by the fiducials, and dev_head_t is the rigid fit of the markers onto the digitised coils.
 */
import { unreadableRecording, unsupportedFormat } from '../../core/errors';
import type { ByteSource } from '../source';
import type { DigPoint } from '../types';
import { applyTransform, fitMatchedPoints, rasToNeuromag, type Mat4 } from '../ctf/transforms';
import { DIR, readDirs } from './sqd';

type Vec3 = [number, number, number];

/** MNE decimates larger head shapes (not implemented here). */
const MAX_HEAD_SHAPE_POINTS = 10000;
const MARKER_COUNT = 5;
const ELP_POINTS = 8;

export interface KitCoregistration {
  devHeadT: Mat4;
  dig: DigPoint[];
}

/** The marker coils measured by the MEG (device frame, KIT's ALS axes), from a marker .sqd/.mrk file. */
export async function readMarkerPoints(src: ByteSource): Promise<Vec3[]> {
  const dirs = await readDirs(src);
  const coreg = dirs[DIR.coreg];
  if (!coreg) throw unreadableRecording('marker file has no coregistration section');
  // match_done (i4), meg_to_mri and mri_to_meg (2 × 16 f8), then the marker count
  const countAt = coreg.offset + 4 + 2 * 16 * 8;
  const countBytes = await src.read(countAt, 4);
  const count = new DataView(countBytes.buffer, countBytes.byteOffset, 4).getInt32(0, true);
  if (count < 0 || count > 64) throw unreadableRecording(`marker file lists ${count} markers`);
  // each marker: mri_type, meg_type, mri_done, meg_done (4 × i4), mri_pos and meg_pos (2 × 3 f8)
  const bytes = await src.read(countAt + 4, count * 64);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const points: Vec3[] = [];
  for (let k = 0; k < count; k++) {
    if (dv.getInt32(k * 64 + 12, true) === 0) continue;
    points.push([0, 1, 2].map((i) => dv.getFloat64(k * 64 + 40 + 8 * i, true)) as Vec3);
  }
  if (points.length !== MARKER_COUNT) throw unreadableRecording(`marker file has ${points.length} measured markers, not ${MARKER_COUNT}`);
  return points;
}

/** .elp: every line ending in three numbers is a point (MNE's regular expression); nasion, LPA, RPA, then coils. */
export function parseElp(text: string): Vec3[] {
  const value = String.raw`-?\d+\.?\d*e?-?\d*`;
  const line = new RegExp(String.raw`(${value})\s+(${value})\s+(${value})\s*$`, 'gm');
  const points = [...text.matchAll(line)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])] as Vec3);
  if (points.length !== ELP_POINTS || points.some((p) => p.some((v) => !Number.isFinite(v)))) {
    throw unreadableRecording(`.elp should hold ${ELP_POINTS} points, found ${points.length}`);
  }
  return points;
}

/** .hsp: after the "position of fiducials" line and its 3 fiducials, a skipped line, "n_points n_cols", points. */
export function parseHsp(text: string): Vec3[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.toLowerCase().includes('position of fiducials'));
  if (at < 0) throw unreadableRecording('.hsp has no fiducials section');
  const header = (lines[at + 5] ?? '').trim();
  if (header === '') return [];
  const [nPoints, nCols] = header.split(/\s+/).map(Number);
  if (nCols !== 3 || !Number.isInteger(nPoints) || (nPoints ?? -1) < 0) throw unreadableRecording(`.hsp header "${header.slice(0, 30)}"`);
  if ((nPoints ?? 0) > MAX_HEAD_SHAPE_POINTS) throw unsupportedFormat(`head shapes of more than ${MAX_HEAD_SHAPE_POINTS} points are not supported`);
  const values = lines.slice(at + 6).join(' ').trim().split(/\s+/).filter((v) => v !== '').map(Number);
  if (values.length !== (nPoints ?? 0) * 3 || values.some((v) => !Number.isFinite(v))) {
    throw unreadableRecording(`.hsp should hold ${nPoints} points of 3 values, found ${values.length} values`);
  }
  return Array.from({ length: nPoints ?? 0 }, (_, i) => values.slice(3 * i, 3 * i + 3) as Vec3);
}

const alsToRas = (p: Vec3): Vec3 => [-p[1], p[0], p[2]];

/** dev_head_t and dig (LPA, nasion, RPA, HPI coils, head shape), as MNE's _set_dig_kit. */
export function coregister(markers: Vec3[], elp: Vec3[], hsp: Vec3[]): KitCoregistration {
  const [nasion, lpa, rpa] = elp as [Vec3, Vec3, Vec3];
  const toHead = rasToNeuromag(nasion, lpa, rpa);
  const [nas, l, r, ...coils] = elp.map((p) => applyTransform(toHead, p)) as [Vec3, Vec3, Vec3, ...Vec3[]];
  const devHeadT = fitMatchedPoints(markers.map(alsToRas), coils);
  const point = (kind: DigPoint['kind'], ident: number, p: Vec3): DigPoint => ({ kind, ident, r: p, coordFrame: 'head' });
  const dig = [
    point('cardinal', 1, l),
    point('cardinal', 2, nas),
    point('cardinal', 3, r),
    ...coils.map((p, i) => point('hpi', i + 1, p)),
    ...hsp.map((p, i) => point('extra', i + 1, applyTransform(toHead, p))),
  ];
  return { devHeadT, dig };
}
