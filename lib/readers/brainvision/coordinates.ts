/**
 * The [Coordinates] section (BESA spherical radius, theta, phi in degrees; radius 1 = idealised head of 95 mm,
 * else millimetres) turned into EEG positions in the head frame as MNE 1.3 does: `_sph_to_cart`, /1000,
 * `make_dig_montage(coord_frame='head')` and `raw.set_montage` (fiducials added on a sphere of the mean radius,
 * channels at the origin made misc, a REF/EEG000 entry taken as the reference position loc[3:6]).
 */
import { quoteValue, unreadableRecording } from '../../core/errors';
import type { DigPoint } from '../types';
import { parseDecimal, type BvChannel } from './header';

const HEAD_SIZE_DEFAULT = 0.095;
const REFERENCE_NAMES = ['EEG000', 'REF'];

export type Vec3 = [number, number, number];

export interface BvPositions {
  /** Position (m, head frame) by channel index, for the EEG channels the montage covers. */
  positions: Map<number, Vec3>;
  /** loc[3:6] of positioned channels. */
  reference: Vec3;
  /** Channels MNE turns into misc because their coordinates are all zero. */
  toMisc: Set<number>;
  dig: DigPoint[];
}

/** BESA (radius, theta, phi in degrees) → Cartesian millimetres, as MNE's `_sph_to_cart([r, phi, theta])`. */
function besaToCartesian(text: string, key: string): Vec3 {
  const parts = text.split(',');
  const channel = quoteValue(key);
  if (parts.length !== 3)
    throw unreadableRecording(`BrainVision coordinates of ${channel} are not "radius,theta,phi"`);
  const [given, theta, phi] = parts.map((p, i) =>
    parseDecimal(p, `coordinate ${i + 1} of ${channel}`),
  ) as Vec3;
  const radius = given === 1 ? given * (HEAD_SIZE_DEFAULT * 1000) : given;
  const pol = theta * (Math.PI / 180);
  const az = phi * (Math.PI / 180);
  const xy = radius * Math.sin(pol);
  return [xy * Math.cos(az), xy * Math.sin(az), radius * Math.cos(pol)];
}

function fiducials(points: readonly Vec3[]): DigPoint[] {
  if (points.length === 0) return [];
  const radius = points.reduce((sum, p) => sum + Math.hypot(...p), 0) / points.length;
  const at = (r: Vec3, ident: number): DigPoint => ({ kind: 'cardinal', ident, r, coordFrame: 'head' });
  return [at([-radius, 0, 0], 1), at([0, radius, 0], 2), at([radius, 0, 0], 3)];
}

/** Positions for `channels` from the [Coordinates] entries (channel key, value) in file order. */
export function positionsFromCoordinates(
  entries: readonly [string, string][],
  channels: readonly BvChannel[],
): BvPositions {
  const byKey = new Map(channels.map((c, i) => [c.key, i]));
  const montage: { name: string; index: number; r: Vec3; ident: number }[] = [];
  const toMisc = new Set<number>();
  entries.forEach(([key, value], k) => {
    const index = byKey.get(key);
    if (index === undefined)
      throw unreadableRecording(`BrainVision [Coordinates] entry ${quoteValue(key)} has no channel`);
    const mm = besaToCartesian(value, key);
    const channel = channels[index] as BvChannel;
    if (mm.every((v) => v === 0) && channel.type !== 'eog' && channel.type !== 'misc') toMisc.add(index);
    montage.push({ name: channel.name, index, r: mm.map((v) => v / 1e3) as Vec3, ident: k + 1 });
  });
  const isEeg = (i: number): boolean => channels[i]?.type === 'eeg' && !toMisc.has(i);
  const ref = montage.find((m) => REFERENCE_NAMES.includes(m.name));
  const positions = new Map<number, Vec3>();
  for (const m of montage) if (m !== ref && isEeg(m.index)) positions.set(m.index, m.r);
  const eegNames = new Set(channels.filter((_, i) => isEeg(i)).map((c) => c.name));
  const digEeg = montage
    .filter((m) => eegNames.has(m.name) || REFERENCE_NAMES.includes(m.name))
    .map((m): DigPoint => ({ kind: 'eeg', ident: m.ident, r: m.r, coordFrame: 'head' }));
  return {
    positions,
    reference: ref ? ref.r : [0, 0, 0],
    toMisc,
    dig: [...fiducials(montage.map((m) => m.r)), ...digEeg],
  };
}
