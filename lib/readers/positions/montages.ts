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

/** Montages whose names are the 10-20/10-10/10-5 system (positions of a template head, not of a cap). */
export const STANDARD_NAME_MONTAGES: readonly string[] = ['standard_1005', 'standard_1020'];

/**
 * MNE's `CHANNEL_LOC_ALIASES` (mne/io/constants.py, used by `set_montage(match_alias=True)`), lower-cased. Applied
 * here only to names the montage does not itself contain (standard_1005 has T3..T6, M1, M2 as they are).
 */
const ALIASES = new Map<string, string>([
  ['cb1', 'poo7'],
  ['cb2', 'poo8'],
  ['t1', 't9'],
  ['t2', 't10'],
  ['t3', 't7'],
  ['t4', 't8'],
  ['t5', 't9'],
  ['t6', 't10'],
  ['m1', 'tp9'],
  ['m2', 'tp10'],
  ['vref', 'cz'],
  ['vertex reference', 'cz'],
]);

/** The montage key of a channel name: itself (lower case) when the montage has it, else its MNE alias. */
function keyIn(index: Map<string, Vec3>, name: string): string | undefined {
  const key = name.toLowerCase();
  if (index.has(key)) return key;
  const alias = ALIASES.get(key);
  return alias !== undefined && index.has(alias) ? alias : undefined;
}

function countIn(montage: string, channelNames: readonly string[]): number {
  const index = LOOKUP.get(montage) as Map<string, Vec3>;
  return new Set(channelNames.map((n) => keyIn(index, n)).filter((k) => k !== undefined)).size;
}

/** Positions of one montage, names matched case-insensitively and through MNE's aliases. */
function montagePositionsWithAliases(montage: string, channelNames: readonly string[]): MontageMatch {
  const index = LOOKUP.get(montage) as Map<string, Vec3>;
  const renamed = channelNames.map((n) => keyIn(index, n) ?? n);
  const match = montagePositions(montage, renamed);
  const back = new Map(renamed.map((k, i) => [k, channelNames[i] as string]));
  return {
    ...match,
    positions: match.positions.map((p) => ({ name: back.get(p.name) ?? p.name, r: p.r })),
    unmatched: match.unmatched.map((n) => back.get(n) ?? n),
  };
}

/** At least this many standard names, and at least half of the channels, make a recording 10-20-named. */
export const MIN_STANDARD_NAMES = 3;

/** Why a montage was or was not chosen (for messages and the README rule). */
export type MontageRule = 'cap' | 'standard-names' | 'ambiguous';

/**
 * The standard montage for a recording's EEG channel names, only when the match is unambiguous:
 * 1. 10-20/10-10/10-5 names (case-insensitive; MNE's aliases for names the montage lacks): standard_1005 when
 *    at least MIN_STANDARD_NAMES channels and at least half of them carry such names (the names say where the
 *    electrodes are, whatever the cap);
 * 2. otherwise a cap-specific label set (BioSemi A1.., EGI GSN-HydroCel E1.., EasyCap M10 numbers) whose labels
 *    the recording has all of: the channel count fits the cap (extra channels such as BioSemi EXG stay
 *    unplaced); the largest such cap wins (A1..D32 → biosemi128, A1..H32 → biosemi256, E1..E128 + Cz →
 *    GSN-HydroCel-129);
 * 3. otherwise none: a partial cap label set (16 channels A1..A16 are a strip of the 128-, 160- or 256-channel
 *    BioSemi cap) says nothing about where the electrodes were.
 */
export function matchMontage(channelNames: readonly string[]): MontageMatch & { rule: MontageRule } {
  const standard = countIn('standard_1005', channelNames);
  if (standard >= MIN_STANDARD_NAMES && 2 * standard >= channelNames.length) {
    return { ...montagePositionsWithAliases('standard_1005', channelNames), rule: 'standard-names' };
  }
  let bestCap: { montage: string; size: number } | null = null;
  for (const m of MONTAGE_NAMES) {
    if (STANDARD_NAME_MONTAGES.includes(m)) continue;
    const size = (LOOKUP.get(m) as Map<string, Vec3>).size;
    if (countIn(m, channelNames) === size && (!bestCap || size > bestCap.size))
      bestCap = { montage: m, size };
  }
  if (bestCap) return { ...montagePositionsWithAliases(bestCap.montage, channelNames), rule: 'cap' };
  return { montage: null, positions: [], unmatched: [...channelNames], fiducials: null, rule: 'ambiguous' };
}
