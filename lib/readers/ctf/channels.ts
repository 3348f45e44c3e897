/**
 * CTF sensor records → MNE channel info (after MNE's io/ctf/info.py `_convert_channel_info`): channel kind,
 * FIFF coil type, loc (MEG: coil frame in the Neuromag-like device frame; EEG: head-frame position), and the
 * calibration int32 → SI unit.
 */
import { unreadableRecording } from '../../core/errors';
import type { ChannelInfo, DigPoint } from '../types';
import type { Res4Channel, Vec3 } from './res4';
import { applyTransform, cross, ctfDeviceToDevice, type CtfTransforms, type Mat4 } from './transforms';

/** CTF sensor_type_index values (ctf_types.h). */
const SENSOR = { refMag: 0, refGrad: 1, meg: 5, eeg: 9, stim: 11 } as const;
/** FIFF coil types. */
const COIL = { eeg: 1, ctfGrad: 5001, ctfRefMag: 5002, ctfRefGrad: 5003, ctfOffDiagRefGrad: 5004 } as const;
/** MNE keeps the first 15 characters of a CTF channel name. */
const MAX_NAME_LENGTH = 15;

export interface CtfChannel {
  info: ChannelInfo;
  /** Multiplier from the stored int32 to SI units: 1 / (proper_gain · q_gain). */
  cal: number;
  /** Software gradient compensation grade encoded in the coil type (MEG and reference channels). */
  grade: number;
  /** 1-based number of the channel among channels of its kind (MNE's logno; the EEG dig ident). */
  logNo: number;
}

const sumSquares = (v: Vec3): number => v[0] * v[0] + v[1] * v[1] + v[2] * v[2];
export const atOrigin = (v: Vec3): boolean => sumSquares(v) < 1e-8;
const nanLoc = (): number[] => new Array<number>(12).fill(Number.NaN);

/** Two unit vectors orthogonal to ez (normalised in place of the caller's copy), as MNE's _get_plane_vectors. */
function planeVectors(ezIn: Vec3): { ex: Vec3; ey: Vec3; ez: Vec3 } {
  const len = Math.sqrt(sumSquares(ezIn));
  if (len === 0) throw unreadableRecording('a MEG channel has a zero-length coil normal');
  let ex: Vec3 = [0, 0, 0];
  if (Math.abs(len - Math.abs(ezIn[2])) < 1e-5) ex = [1, 0, 0];
  else if (ezIn[1] < ezIn[2]) ex[ezIn[0] < ezIn[1] ? 0 : 1] = 1;
  else ex[ezIn[0] < ezIn[2] ? 0 : 2] = 1;
  const ez: Vec3 = [ezIn[0] / len, ezIn[1] / len, ezIn[2] / len];
  const proj = ez[0] * ex[0] + ez[1] * ex[1] + ez[2] * ex[2];
  ex = [ex[0] - proj * ez[0], ex[1] - proj * ez[1], ex[2] - proj * ez[2]];
  const exLen = Math.sqrt(sumSquares(ex));
  ex = [ex[0] / exLen, ex[1] / exLen, ex[2] / exLen];
  return { ex, ey: cross(ez, ex), ez };
}

interface CoilFrame {
  r0: Vec3;
  ex: Vec3;
  ey: Vec3;
  ez: Vec3;
  offDiagonal: boolean;
}

/** Off-diagonal reference gradiometers get ex along the baseline, like Neuromag planar gradiometers. */
function referenceGradiometerFrame(ch: Res4Channel, ez: Vec3): CoilFrame {
  const [c0, c1] = ch.coils;
  let diff: Vec3 = [c0.pos[0] - c1.pos[0], c0.pos[1] - c1.pos[1], c0.pos[2] - c1.pos[2]];
  const size = Math.sqrt(sumSquares(diff));
  if (size > 0) diff = [diff[0] / size, diff[1] / size, diff[2] / size];
  if (Math.abs(diff[0] * ez[0] + diff[1] * ez[1] + diff[2] * ez[2]) >= 1e-3) {
    return { r0: c0.pos, ...planeVectors(ez), offDiagonal: false };
  }
  const r0: Vec3 = [0, 1, 2].map((i) => c0.pos[i as 0] - (size * diff[i as 0]) / 2) as Vec3;
  return { r0, ex: diff, ey: cross(ez, diff), ez, offDiagonal: true };
}

function megCoilFrame(ch: Res4Channel): CoilFrame {
  const n = ch.coils[0].norm;
  // A positive proper gain flips the normal.
  const ez: Vec3 = ch.properGain > 0 ? [-n[0], -n[1], -n[2]] : [n[0], n[1], n[2]];
  if (ch.sensorTypeIndex === SENSOR.refGrad) return referenceGradiometerFrame(ch, ez);
  return { r0: ch.coils[0].pos, ...planeVectors(ez), offDiagonal: false };
}

function megCoilType(ch: Res4Channel, offDiagonal: boolean): number {
  if (ch.sensorTypeIndex === SENSOR.refMag) return COIL.ctfRefMag;
  if (ch.sensorTypeIndex === SENSOR.refGrad) return offDiagonal ? COIL.ctfOffDiagRefGrad : COIL.ctfRefGrad;
  return COIL.ctfGrad;
}

function megChannel(ch: Res4Channel, name: string, toDevice: Mat4): ChannelInfo {
  const f = megCoilFrame(ch);
  const loc = [
    ...applyTransform(toDevice, f.r0),
    ...applyTransform(toDevice, f.ex, false),
    ...applyTransform(toDevice, f.ey, false),
    ...applyTransform(toDevice, f.ez, false),
  ];
  const type = ch.sensorTypeIndex === SENSOR.meg ? 'mag' : 'ref_meg';
  return { name, type, unit: 'T', coilType: megCoilType(ch, f.offDiagonal), loc, coordFrame: 'device' };
}

/**
 * EEG positions are stored in the CTF head frame; without a transform MNE drops them. With a separate .eeg
 * position file (useRes4Position false) MNE leaves loc NaN here and fills it from that file.
 */
function eegChannel(
  ch: Res4Channel,
  name: string,
  t: CtfTransforms | null,
  useRes4Position: boolean,
): ChannelInfo {
  const loc = nanLoc();
  if (!useRes4Position) return { name, type: 'eeg', unit: 'V', coilType: COIL.eeg, loc, coordFrame: 'head' };
  const pos = ch.coils[0].pos;
  let r: Vec3 = pos;
  let coordFrame: ChannelInfo['coordFrame'] = 'head';
  if (!atOrigin(pos)) {
    if (t) r = applyTransform(t.ctfHeadHead, pos);
    else [r, coordFrame] = [[Number.NaN, Number.NaN, Number.NaN], 'unknown'];
  }
  loc.splice(0, 3, ...r);
  return { name, type: 'eeg', unit: 'V', coilType: COIL.eeg, loc, coordFrame };
}

const isMegSensor = (ch: Res4Channel): boolean =>
  ch.sensorTypeIndex === SENSOR.refMag ||
  ch.sensorTypeIndex === SENSOR.refGrad ||
  ch.sensorTypeIndex === SENSOR.meg;

/** MEG channels without a coil position or normal become misc channels, as in MNE. */
const hasCoilGeometry = (ch: Res4Channel): boolean =>
  sumSquares(ch.coils[0].pos) >= 1e-6 && sumSquares(ch.coils[0].norm) >= 1e-6;

function channelInfo(ch: Res4Channel, t: CtfTransforms | null, useRes4EegPositions: boolean): ChannelInfo {
  const name = ch.name.slice(0, MAX_NAME_LENGTH);
  if (isMegSensor(ch) && hasCoilGeometry(ch)) return megChannel(ch, name, ctfDeviceToDevice());
  if (ch.sensorTypeIndex === SENSOR.eeg) return eegChannel(ch, name, t, useRes4EegPositions);
  const type = ch.sensorTypeIndex === SENSOR.stim ? 'stim' : 'misc';
  return { name, type, unit: 'V', coilType: 0, loc: nanLoc(), coordFrame: 'unknown' };
}

/** Converts every sensor record; MEG channels must share one compensation grade (MNE raises otherwise). */
export function convertChannels(
  res4Channels: Res4Channel[],
  t: CtfTransforms | null,
  useRes4EegPositions = true,
): CtfChannel[] {
  const counts = new Map<string, number>();
  return res4Channels.map((ch) => {
    const info = channelInfo(ch, t, useRes4EegPositions);
    const logNo = (counts.get(info.type) ?? 0) + 1;
    counts.set(info.type, logNo);
    const grade = info.type === 'mag' || info.type === 'ref_meg' ? ch.gradOrderNo : 0;
    return { info, cal: 1 / (ch.properGain * ch.qGain), grade, logNo };
  });
}

/** The software compensation grade of the stored data: that of the MEG (non-reference) channels. */
export function compensationGrade(channels: CtfChannel[]): number {
  const grades = new Set(channels.filter((c) => c.info.type === 'mag').map((c) => c.grade));
  if (grades.size > 1)
    throw unreadableRecording(`MEG channels have mixed compensation grades ${[...grades].join(', ')}`);
  return [...grades][0] ?? 0;
}

/** Dig points from EEG channel positions (MNE's _pick_eeg_pos), ident = the EEG channel's logical number. */
export function eegDigPoints(channels: CtfChannel[]): DigPoint[] {
  return channels
    .filter(
      (c) =>
        c.info.type === 'eeg' && c.info.coordFrame === 'head' && !atOrigin(c.info.loc.slice(0, 3) as Vec3),
    )
    .map((c) => ({ kind: 'eeg', ident: c.logNo, r: c.info.loc.slice(0, 3) as Vec3, coordFrame: 'head' }));
}
