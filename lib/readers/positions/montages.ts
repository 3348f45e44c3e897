/**
 * Standard montages (MNE-Python 1.3's, in the head frame; data from scripts/golden/make_montages.py) and
 * the choice of the montage that names most of a recording's channels.
 */
import montageData from './data/montages.json';
import type { Fiducials, NamedPoint, Vec3 } from './frames';

interface MontageData {
  names: string[];
  positions: number[][];
  nasion: number[];
  lpa: number[];
  rpa: number[];
}

const MONTAGES = (montageData as { montages: Record<string, MontageData> }).montages;

/** Montages in order of preference for ties (standard_1005 first). */
export const MONTAGE_NAMES: readonly string[] = Object.keys(MONTAGES);

export interface MontageMatch {
  /** The chosen montage, or null when no channel name is in any montage. */
  montage: string | null;
  /** Head-frame positions (metres) of the matched channels, named as the recording names them, in its order. */
  positions: NamedPoint[];
  unmatched: string[];
  fiducials: Fiducials | null;
}

const asVec3 = (p: number[]): Vec3 => [p[0] ?? NaN, p[1] ?? NaN, p[2] ?? NaN];

/** Lower-cased name → position, per montage (first of any names equal but for case). */
const LOOKUP = new Map(
  MONTAGE_NAMES.map((m) => {
    const data = MONTAGES[m] as MontageData;
    const index = new Map<string, Vec3>();
    data.names.forEach((n, i) => {
      const key = n.toLowerCase();
      if (!index.has(key)) index.set(key, asVec3(data.positions[i] ?? []));
    });
    return [m, index] as const;
  }),
);

/** Positions of one montage for the given channel names (case-insensitive). */
export function montagePositions(montage: string, channelNames: readonly string[]): MontageMatch {
  const index = LOOKUP.get(montage);
  const data = MONTAGES[montage];
  if (!index || !data) return { montage: null, positions: [], unmatched: [...channelNames], fiducials: null };
  const positions: NamedPoint[] = [];
  const unmatched: string[] = [];
  for (const name of channelNames) {
    const r = index.get(name.toLowerCase());
    if (r) positions.push({ name, r: [...r] });
    else unmatched.push(name);
  }
  const fiducials = { nasion: asVec3(data.nasion), lpa: asVec3(data.lpa), rpa: asVec3(data.rpa) };
  return { montage, positions, unmatched, fiducials };
}

/** The montage naming the most channels (ties → standard_1005, then the order of MONTAGE_NAMES). */
export function matchMontage(channelNames: readonly string[]): MontageMatch {
  const counts = MONTAGE_NAMES.map((m) => {
    const index = LOOKUP.get(m) as Map<string, Vec3>;
    return channelNames.filter((n) => index.has(n.toLowerCase())).length;
  });
  const best = Math.max(0, ...counts);
  if (best === 0) return { montage: null, positions: [], unmatched: [...channelNames], fiducials: null };
  const chosen = MONTAGE_NAMES[counts.indexOf(best)] as string;
  return montagePositions(chosen, channelNames);
}
