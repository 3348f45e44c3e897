/**
 * Measurement info (MNE's `io/meas_info.py:read_meas_info`): channels (with extended CH_INFO blocks for long names),
 * sampling rate, device→head transform, digitisation, bads, SSP projectors and the CTF compensation grade.
 */
import { LIMITS, type DigPoint, type Projector } from '../types';
import { quoteValue, unreadableRecording } from '../../core/errors';
import { BLOCK, CH_TAG, COORD, TAG } from './constants';
import {
  decodeChInfo,
  decodeCoordTrans,
  decodeDenseMatrix,
  decodeDigPoint,
  decodeScalar,
  decodeString,
  decodeNumbers,
  type ChInfoStruct,
  type CoordTransStruct,
  type TagHeader,
} from './tags';
import { findBlocks, findEntry, type FifNode } from './tree';
import type { TagReader } from './tagreader';
import { invert4x4 } from './transforms';

export interface MeasInfo {
  sfreq: number;
  chs: ChInfoStruct[];
  /** Old name → long name, from extended channel info (renames bads and projector channel lists). */
  nameMap: Map<string, string>;
  devHeadT: number[][] | null;
  dig: DigPoint[];
  bads: string[];
  projectors: Projector[];
  /** Number of CTF compensation matrices (MNE_CTF_COMP blocks). */
  ctfCompMatrices: number;
}

/** Finds the single MEAS block and its single MEAS_INFO block. */
export function findMeasBlocks(tree: FifNode): { meas: FifNode; measInfo: FifNode } {
  const meas = findBlocks(tree, BLOCK.meas);
  if (meas.length !== 1) throw unreadableRecording(`expected 1 measurement block, found ${meas.length}`);
  const measInfo = findBlocks(meas[0] as FifNode, BLOCK.measInfo);
  if (measInfo.length !== 1)
    throw unreadableRecording(`expected 1 measurement info block, found ${measInfo.length}`);
  return { meas: meas[0] as FifNode, measInfo: measInfo[0] as FifNode };
}

export async function readMeasInfo(reader: TagReader, measInfo: FifNode): Promise<MeasInfo> {
  const direct = await readDirectTags(reader, measInfo);
  if (direct.nchan === null) throw unreadableRecording('number of channels is not defined');
  if (direct.sfreq === null || !(direct.sfreq > 0) || !Number.isFinite(direct.sfreq))
    throw unreadableRecording('sampling frequency is not defined');
  if (direct.chs.length === 0) throw unreadableRecording('channel information is not defined');
  if (direct.chs.length !== direct.nchan) {
    throw unreadableRecording(
      `${direct.nchan} channels announced, ${direct.chs.length} channel definitions found`,
    );
  }
  const nameMap = await applyExtendedChInfo(reader, measInfo, direct.chs);
  const devHeadT = direct.devHeadT ?? (await devHeadFromHpiResult(reader, measInfo));
  const names = new Set(direct.chs.map((c) => c.name));
  const bads = (await readBads(reader, measInfo)).map((b) => nameMap.get(b) ?? b).filter((b) => names.has(b));
  uniquifyNames(direct.chs);
  return {
    sfreq: direct.sfreq,
    chs: direct.chs,
    nameMap,
    devHeadT,
    dig: await readDig(reader, measInfo),
    bads,
    projectors: await readProjectors(reader, measInfo, nameMap),
    ctfCompMatrices: findBlocks(measInfo, BLOCK.mneCtfComp).length,
  };
}

interface DirectTags {
  nchan: number | null;
  sfreq: number | null;
  chs: ChInfoStruct[];
  devHeadT: number[][] | null;
}

async function readDirectTags(reader: TagReader, node: FifNode): Promise<DirectTags> {
  const out: DirectTags = { nchan: null, sfreq: null, chs: [], devHeadT: null };
  for (const entry of node.entries) {
    if (entry.kind === TAG.nchan) {
      out.nchan = await readScalar(reader, entry, 'nchan');
      if (out.nchan > LIMITS.maxChannels || out.nchan < 0) throw unreadableRecording(`${out.nchan} channels`);
    } else if (entry.kind === TAG.sfreq) {
      out.sfreq = await readScalar(reader, entry, 'sfreq');
    } else if (entry.kind === TAG.chInfo) {
      if (out.chs.length >= LIMITS.maxChannels)
        throw unreadableRecording(`more than ${LIMITS.maxChannels} channels`);
      out.chs.push(decodeChInfo(await reader.readPayload(entry)));
    } else if (entry.kind === TAG.coordTrans) {
      out.devHeadT = devHeadCandidate(decodeCoordTrans(await reader.readPayload(entry))) ?? out.devHeadT;
    }
  }
  return out;
}

export async function readScalar(reader: TagReader, entry: TagHeader, what: string): Promise<number> {
  return decodeScalar(await reader.readPayload(entry), entry.type, what);
}

/** device→head directly, or head→device inverted (BabyMEG files), as MNE does. */
function devHeadCandidate(t: CoordTransStruct): number[][] | null {
  if (t.from === COORD.device && t.to === COORD.head) return t.trans;
  if (t.from === COORD.head && t.to === COORD.device) return invert4x4(t.trans);
  return null;
}

async function devHeadFromHpiResult(reader: TagReader, measInfo: FifNode): Promise<number[][] | null> {
  const hpi = findBlocks(measInfo, BLOCK.hpiResult);
  if (hpi.length !== 1) return null;
  for (const entry of (hpi[0] as FifNode).entries) {
    if (entry.kind !== TAG.coordTrans) continue;
    const t = decodeCoordTrans(await reader.readPayload(entry));
    if (t.from === COORD.device && t.to === COORD.head) return t.trans;
  }
  return null;
}

/** Extended FIFFB_CH_INFO blocks, one per channel in order (MNE's `_read_extended_ch_info`). */
export async function applyExtendedChInfo(
  reader: TagReader,
  parent: FifNode,
  chs: ChInfoStruct[],
): Promise<Map<string, string>> {
  const blocks = findBlocks(parent, BLOCK.chInfo);
  const nameMap = new Map<string, string>();
  if (blocks.length === 0) return nameMap;
  if (blocks.length !== chs.length) {
    throw unreadableRecording(`${blocks.length} extended channel info blocks for ${chs.length} channels`);
  }
  for (let i = 0; i < blocks.length; i++) {
    const ch = chs[i] as ChInfoStruct;
    for (const entry of (blocks[i] as FifNode).entries) await applyChTag(reader, entry, ch, nameMap);
  }
  return nameMap;
}

async function applyChTag(
  reader: TagReader,
  entry: TagHeader,
  ch: ChInfoStruct,
  nameMap: Map<string, string>,
): Promise<void> {
  const num = (): Promise<number> => readScalar(reader, entry, 'channel info');
  switch (entry.kind) {
    case CH_TAG.dacqName: {
      const name = decodeString(await reader.readPayload(entry));
      nameMap.set(ch.name, name);
      ch.name = name;
      return;
    }
    case CH_TAG.loc: {
      const loc = decodeNumbers(await reader.readPayload(entry), entry.type);
      if (loc.length !== 12)
        throw unreadableRecording(`channel ${quoteValue(ch.name)}: loc has ${loc.length} values`);
      ch.loc = Array.from(loc);
      return;
    }
    case CH_TAG.scanNo:
      ch.scanNo = Math.trunc(await num());
      return;
    case CH_TAG.logNo:
      ch.logNo = Math.trunc(await num());
      return;
    case CH_TAG.kind:
      ch.kind = Math.trunc(await num());
      return;
    case CH_TAG.range:
      ch.range = await num();
      return;
    case CH_TAG.cal:
      ch.cal = await num();
      return;
    case CH_TAG.unit:
      ch.unit = Math.trunc(await num());
      return;
    case CH_TAG.unitMul:
      ch.unitMul = Math.trunc(await num());
      return;
    case CH_TAG.coilType:
      ch.coilType = Math.trunc(await num());
      return;
    default:
      // Coordinate frame (351) and unknown kinds: MNE derives the frame from the kind and drops unknown tags.
      return;
  }
}

/** The last MNE_BAD_CHANNELS block with a name list wins (colon-separated). */
async function readBads(reader: TagReader, measInfo: FifNode): Promise<string[]> {
  let bads: string[] = [];
  for (const node of findBlocks(measInfo, BLOCK.mneBadChannels)) {
    const entry = findEntry(node, TAG.mneChNameList);
    if (entry) bads = decodeString(await reader.readPayload(entry)).split(':');
  }
  return bads;
}

const DIG_KINDS: Record<number, DigPoint['kind']> = { 1: 'cardinal', 2: 'hpi', 3: 'eeg', 4: 'extra' };

/** Digitisation from the single ISOTRAK block (none when there are 0 or several, as in MNE). */
async function readDig(reader: TagReader, measInfo: FifNode): Promise<DigPoint[]> {
  const isotrak = findBlocks(measInfo, BLOCK.isotrak);
  if (isotrak.length !== 1) return [];
  let frame: number = COORD.head;
  const points: DigPoint[] = [];
  for (const entry of (isotrak[0] as FifNode).entries) {
    if (entry.kind === TAG.digPoint) {
      const p = decodeDigPoint(await reader.readPayload(entry));
      points.push({ kind: DIG_KINDS[p.kind] ?? 'extra', ident: p.ident, r: p.r, coordFrame: 'unknown' });
    } else if (entry.kind === TAG.mneCoordFrame) {
      frame = await readScalar(reader, entry, 'coordinate frame');
    }
  }
  const coordFrame = frameName(frame);
  return points.map((p) => ({ ...p, coordFrame }));
}

export function frameName(frame: number): DigPoint['coordFrame'] {
  return frame === COORD.head ? 'head' : frame === COORD.device ? 'device' : 'unknown';
}

/** SSP projectors: the PROJ_ITEM blocks of the first PROJ block (MNE's `io/proj.py:_read_proj`). */
async function readProjectors(
  reader: TagReader,
  measInfo: FifNode,
  nameMap: Map<string, string>,
): Promise<Projector[]> {
  const proj = findBlocks(measInfo, BLOCK.proj)[0];
  if (!proj) return [];
  const out: Projector[] = [];
  for (const item of findBlocks(proj, BLOCK.projItem)) out.push(await readProjItem(reader, item, nameMap));
  return out;
}

async function readProjItem(
  reader: TagReader,
  item: FifNode,
  nameMap: Map<string, string>,
): Promise<Projector> {
  const tag = async (kind: number, what: string): Promise<TagHeader> => {
    const entry = findEntry(item, kind);
    if (!entry) throw unreadableRecording(`projection item ${what} missing`);
    return entry;
  };
  const descEntry = findEntry(item, TAG.comment) ?? findEntry(item, TAG.name);
  if (!descEntry) throw unreadableRecording('projection item description missing');
  const description = decodeString(await reader.readPayload(descEntry));
  const kind = await readScalar(reader, await tag(TAG.projItemKind, 'kind'), 'projection kind');
  const nvec = await readScalar(reader, await tag(TAG.projItemNvec, 'vector count'), 'projection nvec');
  const names = decodeString(
    await reader.readPayload(await tag(TAG.projItemChNameList, 'channel list')),
  ).split(':');
  const vecEntry = await tag(TAG.projItemVectors, 'data');
  const matrix = decodeDenseMatrix(vecEntry.type, await reader.readPayload(vecEntry));
  const activeEntry = findEntry(item, TAG.projItemActive);
  const active = activeEntry ? (await readScalar(reader, activeEntry, 'projection active')) !== 0 : false;
  return {
    description,
    kind,
    active,
    channelNames: names.map((n) => nameMap.get(n) ?? n),
    vectors: projectorRows(matrix.dims, matrix.data, names.length, nvec),
  };
}

/** Rows of the vector matrix, transposed when stored as nchan × nvec (as MNE tolerates). */
function projectorRows(dims: number[], data: Float64Array, ncol: number, nvec: number): number[][] {
  if (dims.length !== 2) throw unreadableRecording(`projection vectors with ${dims.length} dimensions`);
  let [rows, cols] = dims as [number, number];
  let at = (r: number, c: number): number => data[r * cols + c] ?? 0;
  if (rows === ncol && cols === nvec) {
    const stored = cols;
    [rows, cols] = [cols, rows];
    at = (r, c) => data[c * stored + r] ?? 0;
  }
  if (cols !== ncol) throw unreadableRecording('number of projector channel names does not match its data');
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => at(r, c)));
}

/** Running numbers for duplicate names (`name-0`, `name-1`, ... then letters), as MNE's `_unique_channel_names`. */
export function uniquifyNames(chs: ChInfoStruct[]): void {
  const counts = new Map<string, number>();
  for (const c of chs) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
  const byName = new Map<string, ChInfoStruct[]>();
  for (const c of chs) {
    const group = byName.get(c.name);
    if (group) group.push(c);
    else byName.set(c.name, [c]);
  }
  const taken = (n: string): boolean => (counts.get(n) ?? 0) > 0;
  // Grouped once up front (not filtered per name, which is quadratic): renaming never makes a new duplicate.
  for (const [stem, overlaps] of byName) {
    if (overlaps.length < 2) continue;
    overlaps.forEach((ch, idx) => {
      const name = [String(idx), ...'abcdefghijklmnopqrstuvwxyz']
        .map((s) => `${stem}-${s}`)
        .find((c) => !taken(c));
      if (name === undefined)
        throw unreadableRecording(`cannot make channel name ${quoteValue(stem)} unique`);
      counts.set(stem, (counts.get(stem) ?? 1) - 1);
      counts.set(name, 1);
      ch.name = name;
    });
  }
}

/** MNE's compensation grade: the upper 16 bits of the MEG channels' coil type (null without MEG channels). */
export function compensationGrade(chs: readonly ChInfoStruct[]): number | null {
  const grades = new Set(chs.filter((c) => c.kind === 1).map((c) => c.coilType >> 16));
  if (grades.size > 1) throw unreadableRecording('CTF compensation is not set equally on all MEG channels');
  const [grade] = grades;
  return grade ?? null;
}
