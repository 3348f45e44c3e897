/**
 * The CTF `.hc` head-coil file (after MNE's io/ctf/hc.py): blocks of a descriptor line such as
 * "measured nasion coil position relative to head (cm):" followed by "x = ..", "y = ..", "z = .." lines.
 */
import { unreadableRecording } from '../../core/errors';
import type { Vec3 } from './res4';

export type CoilKind = 'lpa' | 'rpa' | 'nasion' | 'spare';
export type CtfFrame = 'ctf_device' | 'ctf_head';

export interface HeadCoil {
  kind: CoilKind;
  frame: CtfFrame;
  /** Metres. */
  r: Vec3;
}

const KIND_WORDS: [string, CoilKind][] = [
  ['nasion', 'nasion'],
  ['left ear', 'lpa'],
  ['right ear', 'rpa'],
  ['spare', 'spare'],
];
const FRAME_WORDS: [string, CtfFrame][] = [
  ['relative to dewar', 'ctf_device'],
  ['relative to head', 'ctf_head'],
];

function parseCoordinates(lines: string[], at: number, descriptor: string): Vec3 {
  const r: Vec3 = [Number.NaN, Number.NaN, Number.NaN];
  ['x', 'y', 'z'].forEach((axis, i) => {
    const line = (lines[at + i] ?? '').trim();
    if (line.length === 0) return; // MNE leaves the coordinate unset on a blank line
    const parts = line.split(' ');
    if (parts.length !== 3 || parts[0] !== axis || parts[1] !== '=') {
      throw unreadableRecording(`.hc: bad coordinate line after "${descriptor.slice(0, 80)}"`);
    }
    r[i] = Number(parts[2]) / 100;
  });
  return r;
}

/** Only "measured" coils are kept, as MNE keeps only valid ones. An empty file gives an empty list. */
export function parseHeadCoils(text: string): HeadCoil[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const coils: HeadCoil[] = [];
  let at = 0;
  // Each block consumes a descriptor and three lines, so the loop ends after at most lines.length/4 blocks.
  while (at < lines.length) {
    const raw = lines[at] ?? '';
    at += 1;
    if (raw.startsWith('#')) continue;
    const descriptor = raw.trim();
    if (descriptor.includes('Unable')) throw unreadableRecording('.hc: HPI information not available');
    const r = parseCoordinates(lines, at, descriptor);
    at += 3;
    const kind = KIND_WORDS.find(([word]) => descriptor.includes(word))?.[1];
    const frame = FRAME_WORDS.find(([word]) => descriptor.includes(word))?.[1];
    if (descriptor.includes('measured') && kind && frame) coils.push({ kind, frame, r });
  }
  return coils;
}
