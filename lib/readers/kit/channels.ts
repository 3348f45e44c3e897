/**
 * KIT channel records → MNE channel info (after MNE's io/kit/kit.py): names ("MEG 001", "MISC 001", ...),
 * kinds, coil types, and the MEG coil frame from (x, y, z, θ, φ) rotated from KIT's ALS frame to RAS.
 */
import type { ChannelInfo, ChannelType } from '../types';
import { KIT_TYPE, type SqdChannel } from './sqd';

const COIL = { kitGrad: 6001, kitRefMag: 6002, eeg: 1, none: 0 } as const;
/** Name of the synthesized trigger channel MNE appends. */
export const SYNTHETIC_STIM_NAME = 'STI 014';

const LABELS = new Map<number, string>([
  [KIT_TYPE.trigger, 'TRIGGER'],
  [KIT_TYPE.eeg, 'EEG'],
  [KIT_TYPE.ecg, 'ECG'],
  [KIT_TYPE.etc, 'MISC'],
  [KIT_TYPE.null, 'MISC'],
]);

type Vec3 = [number, number, number];

/** KIT's frame (x anterior, y left) → RAS: (x, y, z) ↦ (−y, x, z) (MNE's als_ras_trans). */
const alsToRas = (v: Vec3): Vec3 => [-v[1], v[0], v[2]];

/** Unit normal from θ, φ (degrees) and two orthogonal vectors, chosen as MNE chooses them. */
function coilAxes(thetaDeg: number, phiDeg: number): [Vec3, Vec3, Vec3] {
  const [theta, phi] = [(thetaDeg * Math.PI) / 180, (phiDeg * Math.PI) / 180];
  const raw: Vec3 = [Math.sin(theta) * Math.cos(phi), Math.sin(theta) * Math.sin(phi), Math.cos(theta)];
  const len = Math.hypot(...raw);
  const z: Vec3 = [raw[0] / len, raw[1] / len, raw[2] / len];
  const x: Vec3 = [0, 0, 0];
  if (z[1] < z[2]) x[z[0] < z[1] ? 0 : 1] = 1;
  else x[z[0] < z[2] ? 0 : 2] = 1;
  const proj = x[0] * z[0] + x[1] * z[1] + x[2] * z[2];
  const xo: Vec3 = [x[0] - proj * z[0], x[1] - proj * z[1], x[2] - proj * z[2]];
  const xl = Math.hypot(...xo);
  const ex: Vec3 = [xo[0] / xl, xo[1] / xl, xo[2] / xl];
  const ey: Vec3 = [z[1] * ex[2] - z[2] * ex[1], z[2] * ex[0] - z[0] * ex[2], z[0] * ex[1] - z[1] * ex[0]];
  return [ex, ey, z];
}

function megChannel(ch: SqdChannel, index: number): ChannelInfo {
  const loc = ch.loc ?? [0, 0, 0, 0, 0];
  const [ex, ey, ez] = coilAxes(loc[3] ?? 0, loc[4] ?? 0);
  const r0: Vec3 = [loc[0] ?? 0, loc[1] ?? 0, loc[2] ?? 0];
  const isRef = ch.type === KIT_TYPE.refMag;
  return {
    name: ch.name === '' ? `MEG ${String(index).padStart(3, '0')}` : ch.name,
    type: isRef ? 'ref_meg' : 'mag',
    unit: 'T',
    coilType: isRef ? COIL.kitRefMag : COIL.kitGrad,
    loc: [r0, ex, ey, ez].flatMap(alsToRas),
    coordFrame: 'device',
  };
}

function otherType(type: number): ChannelType {
  if (type === KIT_TYPE.eeg) return 'eeg';
  if (type === KIT_TYPE.ecg) return 'ecg';
  return 'misc';
}

/** Channel infos in file order plus the synthesized stim channel; indices are 1-based as MNE's logno. */
export function convertKitChannels(channels: SqdChannel[]): ChannelInfo[] {
  const counters = new Map<string, number>();
  const infos = channels.map((ch, i): ChannelInfo => {
    if (ch.loc) return megChannel(ch, i + 1);
    const label = LABELS.get(ch.type) ?? 'MISC';
    const n = (counters.get(label) ?? 0) + 1;
    counters.set(label, n);
    const name = ch.name === '' || ch.name === 'EEG' ? `${label} ${String(n).padStart(3, '0')}` : ch.name;
    const coilType = ch.type === KIT_TYPE.eeg ? COIL.eeg : COIL.none;
    return {
      name,
      type: otherType(ch.type),
      unit: 'V',
      coilType,
      loc: new Array<number>(12).fill(0),
      coordFrame: 'device',
    };
  });
  const stim: ChannelInfo = {
    name: SYNTHETIC_STIM_NAME,
    type: 'stim',
    unit: '',
    coilType: COIL.none,
    loc: new Array<number>(12).fill(Number.NaN),
    coordFrame: 'unknown',
  };
  return [...infos, stim];
}

/** The channels MNE synthesizes STI 014 from by default (stim='>'): the first 8 misc channels, in order. */
export function defaultTriggerChannels(infos: ChannelInfo[]): number[] {
  return infos
    .map((c, i) => [c, i] as const)
    .filter(([c]) => c.type === 'misc')
    .slice(0, 8)
    .map(([, i]) => i);
}
