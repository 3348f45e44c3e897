/**
 * Evoked FIF data (MNE's `evoked.py:_read_evoked`): conditions (EVOKED blocks), their time axis, optional local
 * channel definitions, and the EPOCH data, either one nchan × nsamp matrix or one vector per channel. Window reads
 * fetch only the needed rows/columns; data are multiplied by cal only (not range), as MNE does.
 */
import { LIMITS } from '../types';
import { unreadableRecording, unsupportedFormat } from '../../core/errors';
import type { ByteSource } from '../source';
import { BLOCK, MATRIX, TAG, TYPE } from './constants';
import {
  TAG_HEADER_BYTES,
  decodeChInfo,
  decodeString,
  denseMatrixDims,
  readNumbers,
  type ChInfoStruct,
  type TagHeader,
} from './tags';
import { findBlocks, type FifNode } from './tree';
import { applyExtendedChInfo, readScalar, uniquifyNames } from './info';
import type { TagReader } from './tagreader';

export interface EvokedConditionSummary {
  comment: string;
  nave: number;
  /** 100 average, 101 standard error. */
  aspectKind: number;
}

/** Where the samples of one condition are: a matrix (row = channel) or one vector tag per channel. */
export type EpochData =
  | { kind: 'matrix'; dataPos: number; elementType: number; ncol: number }
  | { kind: 'vectors'; tags: TagHeader[] };

export interface EvokedCondition extends EvokedConditionSummary {
  firstSample: number;
  /** Time of sample 0 in seconds. */
  tmin: number;
  nSamples: number;
  /** Local channel definitions and rate, when the EVOKED block overrides the measurement info. */
  chs: ChInfoStruct[] | null;
  nameMap: Map<string, string>;
  sfreq: number | null;
  data: EpochData;
}

export function findEvokedNodes(meas: FifNode): FifNode[] {
  if (findBlocks(meas, BLOCK.processedData).length === 0)
    throw unreadableRecording('no raw or processed data');
  const nodes = findBlocks(meas, BLOCK.evoked);
  if (nodes.length === 0) throw unreadableRecording('the processed data hold no evoked responses');
  return nodes;
}

/** The first ASPECT block; MaxShield (IAS) aspects are refused as in MNE without allow_maxshield. */
function aspectOf(evoked: FifNode): FifNode {
  const aspect = findBlocks(evoked, BLOCK.aspect)[0];
  if (aspect) return aspect;
  if (findBlocks(evoked, BLOCK.iasAspect).length > 0) throw unsupportedFormat('MaxShield (IAS) evoked data');
  throw unreadableRecording('an evoked block has no data aspect');
}

export async function readConditionSummary(
  reader: TagReader,
  evoked: FifNode,
): Promise<EvokedConditionSummary> {
  let comment = 'No comment';
  let nave = 1;
  let aspectKind = 100;
  for (const e of evoked.entries)
    if (e.kind === TAG.comment) comment = decodeString(await reader.readPayload(e));
  for (const e of aspectOf(evoked).entries) {
    if (e.kind === TAG.comment) comment = decodeString(await reader.readPayload(e));
    else if (e.kind === TAG.nave) nave = await readScalar(reader, e, 'nave');
    else if (e.kind === TAG.aspectKind) aspectKind = await readScalar(reader, e, 'aspect kind');
  }
  return { comment, nave, aspectKind };
}

interface EvokedTags {
  first: number | null;
  last: number | null;
  firstTime: number | null;
  nsamp: number | null;
  nchan: number;
  sfreq: number | null;
  chs: ChInfoStruct[];
}

async function readEvokedTags(reader: TagReader, evoked: FifNode): Promise<EvokedTags> {
  const t: EvokedTags = {
    first: null,
    last: null,
    firstTime: null,
    nsamp: null,
    nchan: 0,
    sfreq: null,
    chs: [],
  };
  for (const e of evoked.entries) {
    if (e.kind === TAG.firstSample) t.first = await readScalar(reader, e, 'first sample');
    else if (e.kind === TAG.lastSample) t.last = await readScalar(reader, e, 'last sample');
    else if (e.kind === TAG.firstTime) t.firstTime = await readScalar(reader, e, 'first time');
    else if (e.kind === TAG.noSamples) t.nsamp = await readScalar(reader, e, 'number of samples');
    else if (e.kind === TAG.nchan) t.nchan = await readScalar(reader, e, 'nchan');
    else if (e.kind === TAG.sfreq) t.sfreq = await readScalar(reader, e, 'sfreq');
    else if (e.kind === TAG.chInfo && t.chs.length < LIMITS.maxChannels)
      t.chs.push(decodeChInfo(await reader.readPayload(e)));
  }
  return t;
}

/** Reads one condition's description and data layout; `measChs`/`measSfreq` are the measurement info's. */
export async function readCondition(
  reader: TagReader,
  evoked: FifNode,
  measNchan: number,
  measSfreq: number,
): Promise<EvokedCondition> {
  const summary = await readConditionSummary(reader, evoked);
  const tags = await readEvokedTags(reader, evoked);
  const local = await localChannels(reader, evoked, tags);
  const nchan = local ? local.chs.length : measNchan;
  const sfreq = local && tags.sfreq !== null && tags.sfreq > 0 ? tags.sfreq : measSfreq;
  const time = timeAxis(tags, sfreq);
  const data = await epochData(reader, aspectOf(evoked), nchan, time.nSamples);
  return { ...summary, ...time, chs: local?.chs ?? null, nameMap: local?.nameMap ?? new Map(), sfreq, data };
}

async function localChannels(
  reader: TagReader,
  evoked: FifNode,
  tags: EvokedTags,
): Promise<{ chs: ChInfoStruct[]; nameMap: Map<string, string> } | null> {
  if (tags.nchan <= 0) return null;
  if (tags.nchan > LIMITS.maxChannels || tags.chs.length !== tags.nchan) {
    throw unreadableRecording(`evoked block: ${tags.nchan} channels announced, ${tags.chs.length} defined`);
  }
  const nameMap = await applyExtendedChInfo(reader, evoked, tags.chs);
  uniquifyNames(tags.chs);
  return { chs: tags.chs, nameMap };
}

function timeAxis(tags: EvokedTags, sfreq: number): { firstSample: number; tmin: number; nSamples: number } {
  if (tags.firstTime !== null && tags.nsamp !== null) {
    return { firstSample: Math.round(tags.firstTime * sfreq), tmin: tags.firstTime, nSamples: tags.nsamp };
  }
  if (tags.first !== null && tags.last !== null && tags.last >= tags.first) {
    return { firstSample: tags.first, tmin: tags.first / sfreq, nSamples: tags.last - tags.first + 1 };
  }
  throw unreadableRecording('the evoked block has no usable time parameters');
}

async function epochData(
  reader: TagReader,
  aspect: FifNode,
  nchan: number,
  nsamp: number,
): Promise<EpochData> {
  const epochs = aspect.entries.filter((e) => e.kind === TAG.epoch);
  if (epochs.length === 1) return matrixData(reader, epochs[0] as TagHeader, nchan, nsamp);
  if (epochs.length !== nchan) throw unreadableRecording(`${epochs.length} epoch tags for ${nchan} channels`);
  for (const e of epochs) {
    if (e.type !== TYPE.float && e.type !== TYPE.double)
      throw unsupportedFormat(`evoked vectors of type ${e.type}`);
    if (e.size !== nsamp * (e.type === TYPE.float ? 4 : 8))
      throw unreadableRecording('evoked vector of the wrong length');
  }
  return { kind: 'vectors', tags: epochs };
}

async function matrixData(
  reader: TagReader,
  tag: TagHeader,
  nchan: number,
  nsamp: number,
): Promise<EpochData> {
  if ((tag.type & MATRIX.mask) >>> 0 !== MATRIX.dense) {
    if (nchan === 1 && (tag.type === TYPE.float || tag.type === TYPE.double))
      return { kind: 'vectors', tags: [tag] };
    throw unsupportedFormat(`evoked data of type 0x${tag.type.toString(16)}`);
  }
  const elementType = tag.type & 0xffff;
  if (elementType !== TYPE.float && elementType !== TYPE.double)
    throw unsupportedFormat(`evoked matrix type ${elementType}`);
  const tailBytes = Math.min(tag.size, 16);
  const dims = denseMatrixDims(
    await reader.read(tag.pos + TAG_HEADER_BYTES + tag.size - tailBytes, tailBytes),
  );
  const [rows, cols] = dims.length === 2 ? (dims as [number, number]) : [-1, -1];
  const elementBytes = elementType === TYPE.float ? 4 : 8;
  if (rows !== nchan || cols !== nsamp || rows * cols * elementBytes + 12 > tag.size) {
    throw unreadableRecording(
      `evoked matrix ${dims.join('x')} does not match ${nchan} channels × ${nsamp} samples`,
    );
  }
  return { kind: 'matrix', dataPos: tag.pos + TAG_HEADER_BYTES, elementType, ncol: cols };
}

/** Samples [start, stop) of `picks`, times cal. */
export async function readEvokedWindow(
  source: ByteSource,
  data: EpochData,
  cals: readonly number[],
  picks: readonly number[],
  start: number,
  stop: number,
): Promise<Float64Array[]> {
  if (picks.length === 0) return [];
  return data.kind === 'matrix'
    ? readMatrixWindow(source, data, cals, picks, start, stop)
    : Promise.all(
        picks.map((p) => readVectorWindow(source, data.tags[p] as TagHeader, cals[p] as number, start, stop)),
      );
}

/** One read spanning the picked rows' [start, stop) columns. */
async function readMatrixWindow(
  source: ByteSource,
  data: Extract<EpochData, { kind: 'matrix' }>,
  cals: readonly number[],
  picks: readonly number[],
  start: number,
  stop: number,
): Promise<Float64Array[]> {
  const bytes = data.elementType === TYPE.float ? 4 : 8;
  const lo = Math.min(...picks);
  const hi = Math.max(...picks);
  const first = (lo * data.ncol + start) * bytes;
  const length = ((hi - lo) * data.ncol + (stop - start)) * bytes;
  const block = await source.read(data.dataPos + first, length);
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  return picks.map((p) => {
    const out = new Float64Array(stop - start);
    readNumbers(view, data.elementType, (p - lo) * data.ncol * bytes, stop - start, bytes, out, 0);
    return scale(out, cals[p] as number);
  });
}

async function readVectorWindow(
  source: ByteSource,
  tag: TagHeader,
  cal: number,
  start: number,
  stop: number,
): Promise<Float64Array> {
  const bytes = tag.type === TYPE.float ? 4 : 8;
  const block = await source.read(tag.pos + TAG_HEADER_BYTES + start * bytes, (stop - start) * bytes);
  const out = new Float64Array(stop - start);
  readNumbers(
    new DataView(block.buffer, block.byteOffset, block.byteLength),
    tag.type,
    0,
    stop - start,
    bytes,
    out,
    0,
  );
  return scale(out, cal);
}

function scale(values: Float64Array, factor: number): Float64Array {
  for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) * factor;
  return values;
}
