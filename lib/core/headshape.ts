/**
 * Head-shape points for the 3D view, in MNE's head frame (metres): from a recording's digitisation, or from a
 * CTF `headshape.pos` registered in LORIS (CTF head coordinates, centimetres), aligned on its fiducials.
 */
import { unreadableRecording } from './errors';
import { toHeadFrame, type NamedPoint } from '../readers/positions';
import type { DigPoint, RecordingInfo } from '../readers/types';

export interface HeadShapeResponse {
  coordinateFrame: 'head';
  unit: 'm';
  source: 'file' | 'database';
  points: Record<string, { x: number; y: number; z: number }>;
}

const CARDINAL_NAMES: Record<number, string> = { 1: 'lpa', 2: 'nasion', 3: 'rpa' };

function digName(d: DigPoint, counters: Map<string, number>): string {
  if (d.kind === 'cardinal') return CARDINAL_NAMES[d.ident] ?? `cardinal${d.ident}`;
  const n = (counters.get(d.kind) ?? 0) + 1;
  counters.set(d.kind, n);
  return `${d.kind}${n}`;
}

const asPoints = (named: NamedPoint[]): HeadShapeResponse['points'] =>
  Object.fromEntries(named.map((p) => [p.name, { x: p.r[0], y: p.r[1], z: p.r[2] }]));

/** The file's digitised points (fiducials, HPI coils, EEG, extra head-shape points) in the head frame. */
export function headShapeFromDig(info: RecordingInfo): HeadShapeResponse | null {
  const counters = new Map<string, number>();
  const named = info.dig
    .filter((d) => d.coordFrame === 'head' && d.r.every(Number.isFinite))
    .map((d) => ({ name: digName(d, counters), r: d.r }));
  if (named.length === 0) return null;
  return { coordinateFrame: 'head', unit: 'm', source: 'file', points: asPoints(named) };
}

/** A CTF headshape.pos (cm, CTF head frame: x to the nasion, y to the left ear) in MNE's head frame. */
export function headShapeFromCtfPos(
  points: { name: string; x: number; y: number; z: number }[],
): HeadShapeResponse {
  const find = (name: string) => points.find((p) => p.name.toLowerCase() === name);
  const [nas, lpa, rpa] = [find('nas') ?? find('nasion'), find('lpa'), find('rpa')];
  if (!nas || !lpa || !rpa)
    throw unreadableRecording('the head shape has no NAS, LPA and RPA points to align on');
  const v = (p: { x: number; y: number; z: number }): [number, number, number] => [p.x, p.y, p.z];
  const named = points.map((p) => ({ name: p.name, r: v(p) }));
  const head = toHeadFrame(named, 'cm', 'CTF', { nasion: v(nas), lpa: v(lpa), rpa: v(rpa) });
  return { coordinateFrame: 'head', unit: 'm', source: 'database', points: asPoints(head) };
}
