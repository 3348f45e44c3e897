/**
 * BIDS EEG sidecars: `*_electrodes.tsv` (name x y z ...), `*_coordsystem.json` (system, units, landmarks),
 * `*_channels.tsv` (types, status bad), and finding them beside a recording by BIDS naming and inheritance.
 */
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { unreadableRecording } from '../../core/errors';
import { isInside } from '../rooted-fs';
import type { SourceFs } from '../source';
import { LIMITS } from '../types';
import type { Fiducials, LengthUnit, NamedPoint, Vec3 } from './frames';
import { toHeadFrame } from './frames';

export interface Electrode extends NamedPoint {
  type?: string;
}

export interface CoordSystem {
  system: string;
  unit: LengthUnit | null;
  /** Landmarks expressed in `unit` and `system` (dropped when declared in another system). */
  fiducials?: Fiducials;
}

export interface BidsChannel {
  name: string;
  type: string;
  units: string;
  status: 'good' | 'bad' | 'n/a';
}

const MAX_SIDECAR_BYTES = 16 * 1024 * 1024;

/** Rows of a TSV file as records keyed by the header's column names. */
function parseTsv(text: string, what: string): Record<string, string>[] {
  const lines = text
    .replace(/^\ufeff/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = lines[0]?.split('\t').map((h) => h.trim().toLowerCase());
  if (!header) throw unreadableRecording(`${what} is empty`);
  if (lines.length - 1 > LIMITS.maxChannels) throw unreadableRecording(`${what} has too many rows`);
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(header.map((h, i) => [h, (cells[i] ?? 'n/a').trim()]));
  });
}

const coordinate = (v: string | undefined): number => {
  if (v === undefined || v === 'n/a' || v === '') return NaN;
  const x = Number(v);
  return Number.isFinite(x) ? x : NaN;
};

export function parseElectrodesTsv(text: string): Electrode[] {
  const rows = parseTsv(text, 'electrodes.tsv');
  if (rows.length > 0 && !['name', 'x', 'y', 'z'].every((c) => c in (rows[0] as object))) {
    throw unreadableRecording('electrodes.tsv lacks the name, x, y, z columns');
  }
  return rows.map((row) => {
    const e: Electrode = {
      name: row.name ?? '',
      r: [coordinate(row.x), coordinate(row.y), coordinate(row.z)],
    };
    if (row.type && row.type !== 'n/a') e.type = row.type;
    return e;
  });
}

export function parseChannelsTsv(text: string): BidsChannel[] {
  return parseTsv(text, 'channels.tsv').map((row) => ({
    name: row.name ?? '',
    type: row.type ?? 'n/a',
    units: row.units ?? 'n/a',
    status: row.status === 'bad' ? 'bad' : row.status === 'good' ? 'good' : 'n/a',
  }));
}

export const badChannels = (channels: BidsChannel[]): string[] =>
  channels.filter((c) => c.status === 'bad').map((c) => c.name);

const vec3 = z.tuple([z.number(), z.number(), z.number()]);
const coordsystemSchema = z.object({
  EEGCoordinateSystem: z.string().optional(),
  EEGCoordinateUnits: z.string().optional(),
  AnatomicalLandmarkCoordinates: z.record(z.string(), vec3).optional(),
  AnatomicalLandmarkCoordinateSystem: z.string().optional(),
  AnatomicalLandmarkCoordinateUnits: z.string().optional(),
  FiducialsCoordinates: z.record(z.string(), vec3).optional(),
  FiducialsCoordinateSystem: z.string().optional(),
  FiducialsCoordinateUnits: z.string().optional(),
});

const UNIT_METRES: Record<string, number> = { m: 1, cm: 1e-2, mm: 1e-3 };
const asUnit = (u: string | undefined): LengthUnit | null =>
  u !== undefined && u in UNIT_METRES ? (u as LengthUnit) : null;

const LANDMARK_ALIASES: Record<keyof Fiducials, string[]> = {
  nasion: ['nas', 'nasion', 'nz'],
  lpa: ['lpa', 'leftpreauricular', 'leftpreauricularpoint', 'lpf', 'left'],
  rpa: ['rpa', 'rightpreauricular', 'rightpreauricularpoint', 'rpf', 'right'],
};

function findLandmarks(coords: Record<string, Vec3>): Fiducials | undefined {
  const byKey = new Map(Object.entries(coords).map(([k, v]) => [k.toLowerCase().replace(/[\s_-]/g, ''), v]));
  const pick = (names: string[]): Vec3 | undefined =>
    names.map((n) => byKey.get(n)).find((v) => v !== undefined);
  const nasion = pick(LANDMARK_ALIASES.nasion);
  const lpa = pick(LANDMARK_ALIASES.lpa);
  const rpa = pick(LANDMARK_ALIASES.rpa);
  return nasion && lpa && rpa ? { nasion, lpa, rpa } : undefined;
}

export function parseCoordsystemJson(text: string): CoordSystem {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw unreadableRecording('coordsystem.json is not valid JSON');
  }
  const parsed = coordsystemSchema.safeParse(raw);
  if (!parsed.success) throw unreadableRecording('coordsystem.json has fields of the wrong type');
  const j = parsed.data;
  const system = j.EEGCoordinateSystem ?? 'n/a';
  const unit = asUnit(j.EEGCoordinateUnits);
  const out: CoordSystem = { system, unit };
  const fiducials = landmarksInEegFrame(j, system, unit);
  if (fiducials) out.fiducials = fiducials;
  return out;
}

/** Landmarks rescaled to the electrodes' unit; undefined when absent or in a different coordinate system. */
function landmarksInEegFrame(
  j: z.infer<typeof coordsystemSchema>,
  system: string,
  unit: LengthUnit | null,
): Fiducials | undefined {
  const sets = [
    [
      j.AnatomicalLandmarkCoordinates,
      j.AnatomicalLandmarkCoordinateSystem,
      j.AnatomicalLandmarkCoordinateUnits,
    ],
    [j.FiducialsCoordinates, j.FiducialsCoordinateSystem, j.FiducialsCoordinateUnits],
  ] as const;
  for (const [coords, lmSystem, lmUnit] of sets) {
    const found = coords ? findLandmarks(coords) : undefined;
    if (!found || (lmSystem !== undefined && lmSystem.toLowerCase() !== system.toLowerCase())) continue;
    const from = UNIT_METRES[lmUnit ?? unit ?? 'm'];
    const to = UNIT_METRES[unit ?? 'm'];
    if (from === undefined || to === undefined) continue;
    const k = from / to;
    const rescale = (v: Vec3): Vec3 => [v[0] * k, v[1] * k, v[2] * k];
    return { nasion: rescale(found.nasion), lpa: rescale(found.lpa), rpa: rescale(found.rpa) };
  }
  return undefined;
}

/** BIDS entities of a file name (`sub-01_ses-2_task-rest_run-1_eeg.edf` → sub, ses, task, run) and its suffix. */
export function bidsEntities(fileName: string): { entities: Map<string, string>; suffix: string } {
  const parts = basename(fileName).split('_');
  const last = parts.pop() ?? '';
  const entities = new Map<string, string>();
  for (const p of parts) {
    const dash = p.indexOf('-');
    if (dash > 0) entities.set(p.slice(0, dash), p.slice(dash + 1));
  }
  return { entities, suffix: last.split('.')[0] ?? '' };
}

export interface Sidecars {
  electrodes?: string;
  coordsystem?: string;
  channels?: string;
}

const SIDECAR_FILES: Record<keyof Sidecars, string> = {
  electrodes: 'electrodes.tsv',
  coordsystem: 'coordsystem.json',
  channels: 'channels.tsv',
};

/**
 * The sidecars that apply to a recording: files named `<entities>_<suffix>` whose entities (space aside) are a
 * subset of the recording's, in its folder or a parent up to the dataset root (BIDS inheritance), never above
 * the file system's root (the data directory); the most specific, nearest one wins. A coordsystem.json is paired with the electrodes.tsv's space.
 */
export async function findSidecars(recordingPath: string, fs: SourceFs): Promise<Sidecars> {
  const own = bidsEntities(recordingPath).entities;
  if (!own.has('sub')) return {};
  const found: Sidecars = {};
  let space: string | undefined;
  // The three searches climb the same folders: each is listed once.
  const listings = new Map<string, Promise<string[]>>();
  const list = (dir: string): Promise<string[]> => {
    let names = listings.get(dir);
    if (!names) {
      names = fs.readdir(dir).catch(() => [] as string[]);
      listings.set(dir, names);
    }
    return names;
  };
  for (const kind of ['electrodes', 'coordsystem', 'channels'] as const) {
    const path = await findSidecar(
      recordingPath,
      { root: fs.root, list },
      own,
      SIDECAR_FILES[kind],
      kind === 'coordsystem' ? space : undefined,
    );
    if (path) found[kind] = path;
    if (kind === 'electrodes' && path) space = bidsEntities(path).entities.get('space');
  }
  return found;
}

/** A rooted file system's search never looks above its root (the data directory). */
const mayLookIn = (fs: Pick<SourceFs, 'root'>, dir: string): boolean =>
  fs.root === undefined || isInside(fs.root, dir);

async function findSidecar(
  recordingPath: string,
  fs: Pick<SourceFs, 'root'> & { list: (dir: string) => Promise<string[]> },
  own: Map<string, string>,
  suffixFile: string,
  space: string | undefined,
): Promise<string | undefined> {
  let dir = dirname(recordingPath);
  for (let level = 0; level < 4 && mayLookIn(fs, dir); level++) {
    const names = (await fs.list(dir)).filter((n) => n.endsWith(`_${suffixFile}`));
    const best = names
      .map((n) => ({ n, score: applicability(bidsEntities(n).entities, own, space) }))
      .filter((c) => c.score >= 0)
      .sort((a, b) => b.score - a.score || a.n.localeCompare(b.n))[0];
    if (best) return join(dir, best.n);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** Number of shared entities, or −1 when the sidecar names an entity value the recording does not have. */
function applicability(
  entities: Map<string, string>,
  own: Map<string, string>,
  space: string | undefined,
): number {
  let score = 0;
  for (const [k, v] of entities) {
    if (k === 'space') {
      if (space !== undefined && v !== space) return -1;
      continue;
    }
    if (own.get(k) !== v) return -1;
    score++;
  }
  return score;
}

export interface BidsPositions {
  /** Head-frame positions in metres, in electrodes.tsv order (NaN where 'n/a'). */
  positions: NamedPoint[];
  system: string;
  usedFiducials: boolean;
  bads: string[];
  files: Sidecars;
}

async function readText(fs: SourceFs, path: string): Promise<string> {
  const src = await fs.open(path);
  try {
    if (src.size > MAX_SIDECAR_BYTES)
      throw unreadableRecording(`${src.name} is larger than ${MAX_SIDECAR_BYTES} bytes`);
    return new TextDecoder('utf-8').decode(await src.read(0, src.size));
  } finally {
    await src.close();
  }
}

/** Electrode positions from the BIDS sidecars of a recording, in the head frame; null when it has none. */
export async function readBidsPositions(recordingPath: string, fs: SourceFs): Promise<BidsPositions | null> {
  const files = await findSidecars(recordingPath, fs);
  if (!files.electrodes || !files.coordsystem) return null;
  const electrodes = parseElectrodesTsv(await readText(fs, files.electrodes));
  const coords = parseCoordsystemJson(await readText(fs, files.coordsystem));
  const bads = files.channels ? badChannels(parseChannelsTsv(await readText(fs, files.channels))) : [];
  const points = electrodes.map((e) => ({ name: e.name, r: e.r }));
  const positions = toHeadFrame(points, coords.unit ?? 'm', coords.system, coords.fiducials);
  return { positions, system: coords.system, usedFiducials: coords.fiducials !== undefined, bads, files };
}
