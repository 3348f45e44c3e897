/**
 * The CTF `.res4` header (after MNE's io/ctf/res4.py): run parameters and one 1328-byte sensor record per
 * channel, all big-endian. Only the fields the reader needs are kept; compensation coefficients are not read.
 */
import { quoteValue, unreadableRecording, unsupportedFormat } from '../../core/errors';
import { LIMITS } from '../types';
import type { ByteSource } from '../source';
import { giveReadBuffer, takeReadBuffer } from './read-buffer';

/** Byte offset where the run description starts (CTF's read_res4.c "FUNNY_POS"). */
const FUNNY_POS = 1844;
const NAME_BYTES = 32;
const COIL_BYTES = 80;
const MAX_COILS = 8;
/** sensor_type_index .. d0 (48 bytes), then 8 device-frame coils and 8 head-frame coils. */
export const CHANNEL_RECORD_BYTES = 48 + 2 * MAX_COILS * COIL_BYTES;
/** One compensation coefficient record: name, type, pad, count, 50 sensor names of 31 bytes, 50 f8. */
const COMP_RECORD_BYTES = 32 + 4 + 4 + 2 + 50 * 31 + 50 * 8;
const SUPPORTED_MAGIC = ['MEG41RS', 'MEG42RS'];

export type Vec3 = [number, number, number];

export interface Res4Coil {
  /** Metres (the file stores centimetres). */
  pos: Vec3;
  norm: Vec3;
}

export interface Res4Channel {
  name: string;
  sensorTypeIndex: number;
  properGain: number;
  qGain: number;
  gradOrderNo: number;
  /** The first two device-frame coils (EEG channels keep their CTF head-frame position in coil 0). */
  coils: [Res4Coil, Res4Coil];
}

export interface Res4 {
  magic: string;
  /** Samples per trial. */
  nSamp: number;
  nChan: number;
  sfreq: number;
  nTrials: number;
  preTrigPts: number;
  dataDate: string;
  dataTime: string;
  channels: Res4Channel[];
}

const decoder = new TextDecoder('utf-8');

/** A NUL-terminated string in a fixed-size field. */
export function readFixedString(bytes: Uint8Array, offset: number, length: number): string {
  const field = bytes.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return decoder.decode(nul < 0 ? field : field.subarray(0, nul));
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function readVec3(dv: DataView, offset: number, scale: number): Vec3 {
  return [
    dv.getFloat64(offset) * scale,
    dv.getFloat64(offset + 8) * scale,
    dv.getFloat64(offset + 16) * scale,
  ];
}

function readCoil(dv: DataView, offset: number): Res4Coil {
  // pos (3 f8), pad f8, norm (3 f8): positions in cm → m, as MNE divides by 100.
  return { pos: readVec3(dv, offset, 1 / 100), norm: readVec3(dv, offset + 32, 1) };
}

function parseChannel(records: Uint8Array, names: Uint8Array, k: number): Res4Channel {
  const dv = view(records.subarray(k * CHANNEL_RECORD_BYTES, (k + 1) * CHANNEL_RECORD_BYTES));
  return {
    name: readFixedString(names, k * NAME_BYTES, NAME_BYTES),
    sensorTypeIndex: dv.getInt16(0),
    properGain: dv.getFloat64(8),
    qGain: dv.getFloat64(16),
    gradOrderNo: dv.getInt16(42),
    coils: [readCoil(dv, 48), readCoil(dv, 48 + COIL_BYTES)],
  };
}

interface RunHeader {
  magic: string;
  dataTime: string;
  dataDate: string;
  nSamp: number;
  nChan: number;
  sfreq: number;
  nTrials: number;
  preTrigPts: number;
  runDescLength: number;
}

function parseRunHeader(head: Uint8Array): RunHeader {
  const dv = view(head);
  let dataTime = readFixedString(head, 778, 255);
  let dataDate = readFixedString(head, 1033, 255);
  if (dataTime.includes('/') && dataDate.includes(':')) [dataTime, dataDate] = [dataDate, dataTime];
  return {
    magic: readFixedString(head, 0, 8),
    dataTime,
    dataDate,
    nSamp: dv.getInt32(1288),
    nChan: dv.getInt16(1292),
    sfreq: dv.getFloat64(1296),
    nTrials: dv.getInt16(1312),
    preTrigPts: dv.getInt32(1316),
    runDescLength: dv.getInt32(1836),
  };
}

function checkRunHeader(h: RunHeader, fileSize: number): void {
  if (!SUPPORTED_MAGIC.includes(h.magic)) {
    throw unsupportedFormat(
      `CTF .res4 header "${h.magic.slice(0, 8)}" is not one of ${SUPPORTED_MAGIC.join(', ')}`,
    );
  }
  if (h.nChan <= 0 || h.nChan > LIMITS.maxChannels)
    throw unreadableRecording(`.res4 channel count ${h.nChan}`);
  if (h.nSamp <= 0) throw unreadableRecording(`.res4 samples per trial ${h.nSamp}`);
  if (!Number.isFinite(h.sfreq) || h.sfreq <= 0) throw unreadableRecording(`.res4 sampling rate ${h.sfreq}`);
  if (FUNNY_POS + h.runDescLength > fileSize) {
    throw unreadableRecording(`.res4 run description length ${h.runDescLength}`);
  }
}

/** freq f8, class i4, type i4, npar i2 (MNE's `_read_filter`: packed, no padding), then npar f8 parameters. */
const FILTER_HEADER_BYTES = 8 + 4 + 4 + 2;

/**
 * Where the filter records start: MNE reads a run description only when its length is > 0, so a negative length
 * (garbage) means none, as in MNE.
 */
function filtersOffset(runDescLength: number): number {
  return FUNNY_POS + Math.max(0, runDescLength);
}

/**
 * Skips the filter records (variable length) and returns the offset of the channel names. A negative filter
 * count reads no records, as MNE's `range(nfilt)` does; a negative parameter count is refused (MNE would read the
 * rest of the file as parameters and then fail on the channel names).
 */
async function skipFilters(src: ByteSource, offset: number): Promise<number> {
  if (offset + 2 > src.size) throw unreadableRecording('.res4 is truncated before its filter records');
  const nFilt = view(await src.read(offset, 2)).getInt16(0);
  let pos = offset + 2;
  for (let k = 0; k < nFilt; k++) {
    if (pos + FILTER_HEADER_BYTES > src.size)
      throw unreadableRecording('.res4 is truncated in its filter records');
    const nPar = view(await src.read(pos, FILTER_HEADER_BYTES)).getInt16(16);
    if (nPar < 0) throw unreadableRecording(`.res4 filter parameter count ${nPar}`);
    pos += FILTER_HEADER_BYTES + 8 * nPar;
  }
  return pos;
}

/**
 * The compensation coefficients are not used, but MNE reads them: a negative count (MNE 1.3: UnboundLocalError in
 * `_convert_comp_data`), one past the end of the file (IndexError) or a record naming a sensor that is not a
 * channel (ValueError from `ch_names.index`, e.g. when the fields before are misaligned) fails there too, so all
 * three stay unreadable. A count of 0 opens here although MNE 1.3 fails on it (`len(None)` in BaseRaw): a
 * deliberate difference.
 */
async function checkCompensationRecords(
  src: ByteSource,
  offset: number,
  names: ReadonlySet<string>,
): Promise<void> {
  if (offset + 2 > src.size) throw unreadableRecording('.res4 is truncated before its compensation records');
  const nComp = view(await src.read(offset, 2)).getInt16(0);
  if (nComp < 0) throw unreadableRecording(`.res4 compensation-record count ${nComp} is negative`);
  if (offset + 2 + nComp * COMP_RECORD_BYTES > src.size) {
    throw unreadableRecording(`.res4 is truncated in its ${nComp} compensation records`);
  }
  const bytes = nComp * COMP_RECORD_BYTES;
  const buffer = takeReadBuffer(bytes);
  try {
    const records = await src.read(offset + 2, bytes, buffer);
    for (let k = 0; k < nComp; k++) {
      const sensor = readFixedString(records, k * COMP_RECORD_BYTES, NAME_BYTES);
      if (!names.has(sensor)) {
        throw unreadableRecording(
          `.res4 compensation record ${k} is for ${quoteValue(sensor)}, not a channel`,
        );
      }
    }
  } finally {
    giveReadBuffer(buffer);
  }
}

/** Reads and validates the .res4 header; every read is range-checked against the file size. */
export async function readRes4(src: ByteSource): Promise<Res4> {
  if (src.size > LIMITS.maxHeaderBytes) throw unreadableRecording(`.res4 of ${src.size} bytes is too large`);
  if (src.size < FUNNY_POS + 2) throw unreadableRecording(`.res4 of ${src.size} bytes is truncated`);
  const header = parseRunHeader(await src.read(0, FUNNY_POS));
  checkRunHeader(header, src.size);
  const namesAt = await skipFilters(src, filtersOffset(header.runDescLength));
  const recordsAt = namesAt + header.nChan * NAME_BYTES;
  const needed = recordsAt + header.nChan * CHANNEL_RECORD_BYTES;
  if (needed > src.size) throw unreadableRecording(`.res4 is truncated (${src.size} of ${needed} bytes)`);
  const names = await src.read(namesAt, header.nChan * NAME_BYTES);
  const records = await src.read(recordsAt, header.nChan * CHANNEL_RECORD_BYTES);
  const channels = Array.from({ length: header.nChan }, (_, k) => parseChannel(records, names, k));
  await checkCompensationRecords(src, needed, new Set(channels.map((c) => c.name)));
  const { runDescLength: _unused, ...rest } = header;
  return { ...rest, channels };
}
