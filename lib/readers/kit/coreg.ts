/**
 * KIT coregistration from companion files, as MNE's `read_raw_kit(path, mrk=, elp=, hsp=)` does it
 * (io/kit/coreg.py): marker coil positions measured by the MEG (a marker .sqd), the same coils and the fiducials
 * digitised by a Polhemus Isotrak (.elp), and the head shape (.hsp). The digitiser frame is turned into the
 * Neuromag head frame by the fiducials, and dev_head_t is the rigid fit of the markers onto the digitised coils.
 */
import { quoteValue, unreadableRecording, unsupportedFormat } from '../../core/errors';
import type { ByteSource } from '../source';
import type { DigPoint } from '../types';
import { applyTransform, fitMatchedPoints, rasToNeuromag, type Mat4 } from '../ctf/transforms';
import { elpPointTexts } from './elp-points';
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
  if (points.length !== MARKER_COUNT)
    throw unreadableRecording(`marker file has ${points.length} measured markers, not ${MARKER_COUNT}`);
  return points;
}

/** .elp: every line ending in three numbers is a point (MNE's regular expression); nasion, LPA, RPA, then coils. */
export function parseElp(text: string): Vec3[] {
  const points = elpPointTexts(text).map((p) => p.map(Number) as Vec3);
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
  if (nCols !== 3 || !Number.isInteger(nPoints) || (nPoints ?? -1) < 0)
    throw unreadableRecording(`.hsp header "${header.slice(0, 30)}"`);
  if ((nPoints ?? 0) > MAX_HEAD_SHAPE_POINTS)
    throw unsupportedFormat(`head shapes of more than ${MAX_HEAD_SHAPE_POINTS} points are not supported`);
  const values = lines
    .slice(at + 6)
    .join(' ')
    .trim()
    .split(/\s+/)
    .filter((v) => v !== '')
    .map(Number);
  if (values.length !== (nPoints ?? 0) * 3 || values.some((v) => !Number.isFinite(v))) {
    throw unreadableRecording(
      `.hsp should hold ${nPoints} points of 3 values, found ${values.length} values`,
    );
  }
  return Array.from({ length: nPoints ?? 0 }, (_, i) => values.slice(3 * i, 3 * i + 3) as Vec3);
}

const alsToRas = (p: Vec3): Vec3 => [-p[1], p[0], p[2]];

/**
 * dev_head_t and dig (LPA, nasion, RPA, HPI coils, head shape, EEG electrodes), as MNE's _set_dig_kit. `elp` is
 * nasion, LPA, RPA then one point per marker, all in the digitiser frame; `eeg` pairs lower-case channel names
 * with digitiser-frame positions.
 */
export function coregister(
  markers: Vec3[],
  elp: Vec3[],
  hsp: Vec3[],
  eeg: [string, Vec3][] = [],
): KitCoregistration {
  if (hsp.length > MAX_HEAD_SHAPE_POINTS)
    throw unsupportedFormat(`head shapes of more than ${MAX_HEAD_SHAPE_POINTS} points are not supported`);
  if (elp.length - 3 !== markers.length || markers.length < 3)
    throw unreadableRecording(`${markers.length} markers for ${elp.length - 3} digitised coils`);
  const [nasion, lpa, rpa] = elp as [Vec3, Vec3, Vec3];
  const toHead = rasToNeuromag(nasion, lpa, rpa);
  const [nas, l, r, ...coils] = elp.map((p) => applyTransform(toHead, p)) as [Vec3, Vec3, Vec3, ...Vec3[]];
  const devHeadT = fitMatchedPoints(markers.map(alsToRas), coils);
  const point = (kind: DigPoint['kind'], ident: number, p: Vec3): DigPoint => ({
    kind,
    ident,
    r: p,
    coordFrame: 'head',
  });
  const dig = [
    point('cardinal', 1, l),
    point('cardinal', 2, nas),
    point('cardinal', 3, r),
    ...coils.map((p, i) => point('hpi', i + 1, p)),
    ...hsp.map((p, i) => point('extra', i + 1, applyTransform(toHead, p))),
    ...eegDigPoints(eeg, toHead),
  ];
  return { devHeadT, dig };
}

/** Bytes of one digitiser point in a .sqd: an 8-byte name and 3 f8. */
const DIG_POINT_BYTES = 32;
const ELP_KEYS = ['fidnz', 'fidt9', 'fidt10', 'hpi_1', 'hpi_2', 'hpi_3', 'hpi_4', 'hpi_5'];
const MAX_COREG_ENTRIES = 1000;

export interface StoredDigitization {
  /** Named points (lower-case names) in the digitiser frame. */
  named: Map<string, Vec3>;
  elp: Vec3[];
  hsp: Vec3[];
  markers: Vec3[];
}

const decoder = new TextDecoder('utf-8');

async function readDigPoints(
  src: ByteSource,
  offset: number,
  count: number,
): Promise<{ named: Map<string, Vec3>; hsp: Vec3[] }> {
  if (count * DIG_POINT_BYTES > src.size) throw unreadableRecording(`.sqd lists ${count} digitiser points`);
  const bytes = await src.read(offset, count * DIG_POINT_BYTES);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const named = new Map<string, Vec3>();
  const hsp: Vec3[] = [];
  for (let k = 0; k < count; k++) {
    const field = bytes.subarray(k * DIG_POINT_BYTES, k * DIG_POINT_BYTES + 8);
    const nul = field.indexOf(0);
    const name = decoder
      .decode(nul < 0 ? field : field.subarray(0, nul))
      .trim()
      .toLowerCase();
    const r = [0, 1, 2].map((i) => dv.getFloat64(k * DIG_POINT_BYTES + 8 + 8 * i, true)) as Vec3;
    if (name === '') hsp.push(r);
    else if (named.has(name))
      throw unreadableRecording(`.sqd digitiser point ${quoteValue(name)} appears twice`);
    else named.set(name, r);
  }
  return { named, hsp };
}

/** Marker positions of the completed coregistration entries (later ones overwrite earlier), and which were measured. */
async function readStoredMarkers(
  src: ByteSource,
  offset: number,
  entries: number,
  nMarkers: number,
): Promise<{ points: Vec3[]; done: boolean[] }> {
  if (entries > MAX_COREG_ENTRIES) throw unreadableRecording(`.sqd lists ${entries} coregistrations`);
  const points: Vec3[] = Array.from({ length: nMarkers }, () => [0, 0, 0]);
  const done = new Array<boolean>(MARKER_COUNT).fill(true);
  let at = offset;
  const int32 = async (pos: number): Promise<number> => {
    const b = await src.read(pos, 4);
    return new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
  };
  for (let e = 0; e < entries; e++) {
    const matchDone = await int32(at);
    const markerCount = await int32(at + 4 + 256);
    at += 4 + 256 + 4;
    if (!matchDone) continue; // as MNE, which reads the next entry right after the count
    if (markerCount < nMarkers) throw unreadableRecording(`.sqd coregistration has ${markerCount} markers`);
    const bytes = await src.read(at, nMarkers * 64);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let m = 0; m < nMarkers; m++) {
      done[m] = dv.getInt32(m * 64 + 12, true) !== 0;
      points[m] = [0, 1, 2].map((i) => dv.getFloat64(m * 64 + 40 + 8 * i, true)) as Vec3;
    }
    at += nMarkers * 64 + 256;
  }
  return { points, done };
}

/** Digitisation stored in newer .sqd files (MNE's get_kit_info): fiducials, HPI coils, head shape, markers. */
export async function readStoredDigitization(src: ByteSource): Promise<StoredDigitization> {
  const dirs = await readDirs(src);
  const [digDir, coregDir] = [dirs[DIR.digPoints], dirs[DIR.coreg]];
  if (!digDir || !coregDir) throw unreadableRecording('.sqd has no digitisation sections');
  const { named, hsp } = await readDigPoints(src, digDir.offset, digDir.count);
  const elp = ELP_KEYS.flatMap((key) => {
    const p = named.get(key);
    if (!p || !p.every(Number.isFinite)) return [];
    named.delete(key);
    return [p];
  });
  if (elp.length < 6) throw unreadableRecording(`fewer than 3 HPI coils found, got ${elp.length - 3}`);
  const { points, done } = await readStoredMarkers(src, coregDir.offset, coregDir.count, elp.length - 3);
  // MNE drops the coils whose marker was not measured (its mask assumes 5 coils)
  if (!done.every(Boolean) && elp.length !== 3 + MARKER_COUNT)
    throw unreadableRecording('.sqd marker list does not match its HPI coils');
  const keep = (_: unknown, i: number): boolean => done[i] ?? true;
  return {
    named,
    elp: [...elp.slice(0, 3), ...elp.slice(3).filter(keep)],
    hsp,
    markers: points.filter(keep),
  };
}

/** EEG dig idents: the last three characters of each name as a number, else 1, 2, 3... (MNE's _make_dig_points). */
export function eegDigPoints(eeg: [string, Vec3][], toHead: Mat4): DigPoint[] {
  const idents = eeg.map(([name]) => Number(name.slice(-3)));
  const useIndex = idents.some((n) => !Number.isInteger(n));
  return eeg.map(([, r], i) => ({
    kind: 'eeg',
    ident: useIndex ? i + 1 : (idents[i] as number),
    r: applyTransform(toHead, r),
    coordFrame: 'head',
  }));
}
