/**
 * Optional CTF digitisation files (after MNE's io/ctf/eeg.py and info.py `_add_eeg_pos`): `<name>.eeg` (EEG
 * electrode positions and fiducials, "number label x y z" in cm, CTF head frame) and a single `*.pos` file
 * (Polhemus points added as extra dig points). Both are moved into the Neuromag head frame.
 */
import { quoteValue, unreadableRecording } from '../../core/errors';
import { LIMITS, type DigPoint } from '../types';
import type { CtfChannel } from './channels';
import type { Vec3 } from './res4';
import { applyTransform, type CtfTransforms } from './transforms';

const CARDINAL_IDENT = new Map([
  ['nasion', 2],
  ['lpa', 1],
  ['left', 1],
  ['rpa', 3],
  ['right', 3],
]);

export interface EegFilePoint {
  label: string;
  /** The file's number, or the FIFF fiducial ident for nasion/lpa/rpa labels. */
  ident: number;
  cardinal: boolean;
  /** CTF head frame, metres. */
  r: Vec3;
}

const centimetres = (parts: string[]): Vec3 => parts.map((p) => Number(p) / 100) as Vec3;
const farFromOrigin = (r: Vec3): boolean => r[0] * r[0] + r[1] * r[1] + r[2] * r[2] > 1e-4;

function nonEmptyLines(text: string, what: string): string[] {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (lines.length > LIMITS.maxEvents) throw unreadableRecording(`${what} has too many lines`);
  return lines;
}

/** Points of a .eeg file; points within 1 cm of the origin are skipped, as in MNE. */
export function parseEegFile(text: string): EegFilePoint[] {
  return nonEmptyLines(text, '.eeg').flatMap((line) => {
    const parts = line.split(/\s+/);
    const r = centimetres(parts.slice(2));
    if (parts.length !== 5 || r.some((v) => !Number.isFinite(v)))
      throw unreadableRecording(`.eeg: illegal line "${line.slice(0, 60)}"`);
    if (!farFromOrigin(r)) return [];
    const label = parts[1] ?? '';
    const cardinalIdent = CARDINAL_IDENT.get(label.toLowerCase());
    const number = Number(parts[0]);
    if (cardinalIdent === undefined && !Number.isInteger(number))
      throw unreadableRecording(`.eeg: bad electrode number ${quoteValue(parts[0] ?? '')}`);
    return [{ label, ident: cardinalIdent ?? number, cardinal: cardinalIdent !== undefined, r }];
  });
}

/**
 * Places .eeg points on the EEG channels of the same name (case-insensitive) and lists all of them as dig points:
 * matched ones as EEG points (ident = channel's logical number), the others as cardinal or extra points.
 */
export function applyEegFile(
  channels: CtfChannel[],
  points: EegFilePoint[],
  t: CtfTransforms | null,
): { channels: CtfChannel[]; dig: DigPoint[] } {
  if (points.length === 0) return { channels, dig: [] };
  if (!t) throw unreadableRecording('.eeg positions need the .hc head coils to be placed');
  const placed = channels.map((c) => ({ ...c, info: { ...c.info, loc: [...c.info.loc] } }));
  const dig = points.map((p): DigPoint => {
    const r = applyTransform(t.ctfHeadHead, p.r);
    // MNE matches any channel by name here, not only EEG channels
    const ch = placed.find((c) => c.info.name.toLowerCase() === p.label.toLowerCase());
    if (!ch) return { kind: p.cardinal ? 'cardinal' : 'extra', ident: p.ident, r, coordFrame: 'head' };
    ch.info.loc.splice(0, 3, ...r);
    return { kind: 'eeg', ident: ch.logNo, r, coordFrame: 'head' };
  });
  return { channels: placed, dig };
}

/** Extra dig points from a .pos file: "id [label] x y z" (cm); non-numeric ids are numbered from 2000. */
export function parsePosFile(text: string, t: CtfTransforms): DigPoint[] {
  let nextIdent = 2000;
  return nonEmptyLines(text, '.pos').flatMap((line) => {
    const parts = line.split(/\s+/);
    if (parts.length !== 4 && parts.length !== 5) return [];
    const id = /^[+-]?\d+$/.test(parts[0] ?? '') ? Number(parts[0]) + 1000 : nextIdent++;
    const r = centimetres(parts.slice(-3));
    if (r.some((v) => !Number.isFinite(v)))
      throw unreadableRecording(`.pos: bad coordinates in "${line.slice(0, 60)}"`);
    if (!farFromOrigin(r)) return [];
    return [{ kind: 'extra', ident: id, r: applyTransform(t.ctfHeadHead, r), coordFrame: 'head' }];
  });
}
