/**
 * Continuous FIF data (MNE's `io/fiff/raw.py`): the buffer layout from tag headers only, and O(window) reads that
 * fetch just the sample rows a window needs. Skipped buffers read as zeros, as in MNE.
 */
import { unreadableRecording, unsupportedFormat } from '../../core/errors';
import type { ByteSource } from '../source';
import { BLOCK, TAG, TYPE } from './constants';
import { TAG_HEADER_BYTES, numericTypeBytes, readNumbers, type TagHeader } from './tags';
import { findBlocks, type FifNode } from './tree';
import { readScalar } from './info';
import type { TagReader } from './tagreader';
import { channelArrays } from '../../core/channel-arrays';

/** One stretch of samples: a data buffer (payload at `dataPos`) or a skip (`dataPos` null). */
export interface RawBuffer {
  /** First sample, relative to sample 0 of the recording. */
  start: number;
  nsamp: number;
  dataPos: number | null;
  type: number;
}

export interface RawLayout {
  firstSample: number;
  nSamples: number;
  nchan: number;
  buffers: RawBuffer[];
}

/** The raw data block: RAW_DATA, else CONTINUOUS_DATA; MaxShield (IAS) data are refused as MNE does by default. */
export function findRawNode(meas: FifNode): FifNode | null {
  for (const kind of [BLOCK.rawData, BLOCK.continuousData]) {
    const nodes = findBlocks(meas, kind);
    if (nodes.length > 1) throw unreadableRecording(`${nodes.length} raw data blocks`);
    if (nodes[0]) return nodes[0];
  }
  if (findBlocks(meas, BLOCK.iasRawData).length > 0) {
    throw unsupportedFormat('MaxShield (IAS) raw data; process it with MaxFilter/SSS first');
  }
  return null;
}

const BUFFER_TYPES = new Set<number>([TYPE.dauPack16, TYPE.short, TYPE.int, TYPE.float, TYPE.double]);

export async function readRawLayout(reader: TagReader, rawNode: FifNode, nchan: number): Promise<RawLayout> {
  const entries = rawNode.entries;
  let i = 0;
  let firstSample = 0;
  let firstSkip = 0;
  if (entries[i]?.kind === TAG.firstSample)
    firstSample = await readScalar(reader, entries[i++] as TagHeader, 'first sample');
  if (entries[i]?.kind === TAG.dataSkip)
    firstSkip = await readScalar(reader, entries[i++] as TagHeader, 'data skip');
  const buffers: RawBuffer[] = [];
  let next = 0; // next sample, relative to the (possibly moved) first sample
  let pendingSkip = 0;
  for (; i < entries.length; i++) {
    const entry = entries[i] as TagHeader;
    if (entry.kind === TAG.dataSkip) {
      pendingSkip = await readScalar(reader, entry, 'data skip');
    } else if (entry.kind === TAG.dataBuffer) {
      const nsamp = bufferSamples(entry, nchan);
      if (firstSkip > 0) {
        firstSample += nsamp * firstSkip; // an initial skip moves first_samp (MNE)
        firstSkip = 0;
      }
      if (pendingSkip > 0) {
        buffers.push({ start: next, nsamp: pendingSkip * nsamp, dataPos: null, type: entry.type });
        next += pendingSkip * nsamp;
        pendingSkip = 0;
      }
      buffers.push({ start: next, nsamp, dataPos: entry.pos + TAG_HEADER_BYTES, type: entry.type });
      next += nsamp;
    }
  }
  if (buffers.length === 0) throw unreadableRecording('the raw data block has no data buffers');
  if (!Number.isSafeInteger(next) || !Number.isSafeInteger(firstSample)) {
    throw unreadableRecording('raw data skips give an impossible number of samples');
  }
  return { firstSample, nSamples: next, nchan, buffers };
}

function bufferSamples(entry: TagHeader, nchan: number): number {
  if (!BUFFER_TYPES.has(entry.type)) throw unsupportedFormat(`FIF data buffers of type ${entry.type}`);
  const rowBytes = numericTypeBytes(entry.type) * nchan;
  if (entry.size % rowBytes !== 0) {
    throw unreadableRecording(
      `data buffer at ${entry.pos} (${entry.size} bytes) is not a whole number of samples`,
    );
  }
  return entry.size / rowBytes;
}

/**
 * Samples [start, stop) of channels `picks`, multiplied by `cals` (range · cal): one Float64Array per pick.
 * Reads only the rows of the overlapping buffers.
 */
export async function readRawWindow(
  source: ByteSource,
  layout: RawLayout,
  cals: readonly number[],
  picks: readonly number[],
  start: number,
  stop: number,
): Promise<Float64Array[]> {
  const out = channelArrays(picks.length, stop - start);
  if (picks.length === 0) return out;
  for (const buf of layout.buffers) {
    const first = Math.max(start, buf.start);
    const last = Math.min(stop, buf.start + buf.nsamp);
    if (last <= first || buf.dataPos === null) continue;
    const rows = { r0: first - buf.start, r1: last - buf.start };
    await readPickedRows(source, buf, layout.nchan, rows, picks, cals, out, first - start);
  }
  return out;
}

/**
 * Reads rows [r0, r1) of a buffer once and decodes only the picked channels' columns, each value times its
 * calibration, into `out[k]` (pick k) from index `at`.
 */
async function readPickedRows(
  source: ByteSource,
  buf: RawBuffer,
  nchan: number,
  { r0, r1 }: { r0: number; r1: number },
  picks: readonly number[],
  cals: readonly number[],
  out: Float64Array[],
  at: number,
): Promise<void> {
  const bytes = numericTypeBytes(buf.type);
  const rowBytes = bytes * nchan;
  const data = await source.read((buf.dataPos as number) + r0 * rowBytes, (r1 - r0) * rowBytes);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  picks.forEach((p, k) => {
    const target = out[k] as Float64Array;
    readNumbers(view, buf.type, p * bytes, r1 - r0, rowBytes, target, at);
    const cal = cals[p] as number;
    for (let i = at; i < at + r1 - r0; i++) target[i] = (target[i] as number) * cal;
  });
}
