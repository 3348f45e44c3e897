/**
 * The Neuroscan CNT header as MNE 1.3's `_get_cnt_info` reads it: the 900-byte SETUP block, then one 75-byte
 * ELECTLOC block per channel, then the samples, then the event table. Only the fields MNE uses are read, at
 * MNE's offsets (which are not always the documented ones: MNE takes the byte at +4 of an ELECTLOC, inside the
 * 10-byte label, as the "bad" flag, so every channel whose label has 5 or more characters is bad; kept, since
 * MNE 1.3 is the reference).
 */
import { quoteValue, unreadableRecording } from '../../core/errors';
import { LIMITS } from '../types';

export const SETUP_BYTES = 900;
export const ELECTLOC_BYTES = 75;
/** MNE computes the event table position instead of reading it for files of 2e9 bytes or more. */
const LARGE_FILE_BYTES = 2e9;

export interface CntChannel {
  name: string;
  bad: boolean;
  /** Header x, y (float32), y negated as MNE does. */
  x: number;
  y: number;
  baseline: number;
  /** Volts per digital unit: float32(calib × sensitivity) × 1e-6 / 204.8, as MNE computes it. */
  cal: number;
}

export interface CntHeader {
  nChannels: number;
  sfreq: number;
  /** Samples per channel as MNE decides them (header field, or derived from the data size). */
  nSamples: number;
  bytesPerSample: 2 | 4;
  /** Samples of one channel stored contiguously (1 = multiplexed). */
  channelOffset: number;
  /** Offset of the first sample. */
  dataOffset: number;
  /** The header's n_samples field (for the event table position of large files). */
  headerSamples: number;
  /** The event table position used for the data size. */
  eventTablePos: number;
  channels: CntChannel[];
  /** Notes when MNE would warn (e.g. sample size not derivable). */
  warnings: string[];
}

export interface SetupFields {
  nChannels: number;
  sfreq: number;
  headerSamples: number;
  eventTablePosField: number;
  channelOffsetField: number;
}

/** Reads the SETUP fields MNE uses (the block must be at least 900 bytes). */
export function parseSetup(setup: Uint8Array): SetupFields {
  const dv = new DataView(setup.buffer, setup.byteOffset, setup.byteLength);
  return {
    nChannels: dv.getUint16(370, true),
    sfreq: dv.getUint16(376, true),
    headerSamples: dv.getInt32(864, true),
    eventTablePosField: dv.getInt32(886, true),
    channelOffsetField: dv.getInt32(894, true),
  };
}

/** MNE's `_compute_robust_event_table_position`: the header field, or for files ≥ 2e9 bytes the computed end of data. */
export function eventTablePosition(setup: SetupFields, fileSize: number, bytesPerSample: 2 | 4): number {
  if (fileSize < LARGE_FILE_BYTES) return setup.eventTablePosField;
  return (
    SETUP_BYTES + ELECTLOC_BYTES * setup.nChannels + bytesPerSample * setup.nChannels * setup.headerSamples
  );
}

/** Python floor division of integers. */
const floorDiv = (a: number, b: number): number => Math.floor(a / b);

/** MNE's `data_format='auto'`: 2 or 4 bytes per sample from the data size and the header's sample count. */
function sampleFormat(
  setup: SetupFields,
  eventTablePos: number,
  warnings: string[],
): { bytesPerSample: 2 | 4; nSamples: number } {
  const n = setup.nChannels;
  const dataSize =
    eventTablePos < SETUP_BYTES
      ? setup.headerSamples * n
      : eventTablePos - (SETUP_BYTES + ELECTLOC_BYTES * n);
  const ratio = setup.headerSamples === 0 ? 0 : floorDiv(dataSize, setup.headerSamples * n);
  if (ratio === 2 || ratio === 4) return { bytesPerSample: ratio, nSamples: setup.headerSamples };
  warnings.push('the sample size could not be derived from the header; 16-bit samples assumed (as MNE)');
  return { bytesPerSample: 2, nSamples: floorDiv(dataSize, 2 * n) };
}

/** MNE's `read_str`: bytes up to the first NUL, decoded as ASCII (MNE fails on other bytes). */
function readStr(bytes: Uint8Array, what: string): string {
  const end = bytes.indexOf(0);
  const used = end < 0 ? bytes : bytes.subarray(0, end);
  let out = '';
  for (const b of used) {
    if (b > 0x7f) throw unreadableRecording(`${what} is not ASCII`);
    out += String.fromCharCode(b);
  }
  return out;
}

/** Validates the SETUP counts before anything is allocated from them. */
export function checkSetup(setup: SetupFields, fileSize: number, name: string): void {
  if (setup.nChannels === 0) throw unreadableRecording(`${name}: the header declares no channels`);
  if (setup.nChannels > LIMITS.maxChannels) {
    throw unreadableRecording(
      `${name}: ${setup.nChannels} channels declared, more than the limit of ${LIMITS.maxChannels}`,
    );
  }
  if (setup.sfreq === 0) throw unreadableRecording(`${name}: the header declares a sampling rate of 0`);
  const electrodes = SETUP_BYTES + ELECTLOC_BYTES * setup.nChannels;
  if (electrodes > fileSize) {
    throw unreadableRecording(
      `${name}: ${setup.nChannels} electrode blocks need ${electrodes} bytes; the file has ${fileSize}`,
    );
  }
}

/** Parses SETUP + ELECTLOC blocks (`head` holds the first 900 + 75 × nChannels bytes). */
export function parseCntHeader(
  head: Uint8Array,
  setup: SetupFields,
  fileSize: number,
  name: string,
): CntHeader {
  const warnings: string[] = [];
  const n = setup.nChannels;
  // MNE reads the header with data_format='auto', which is 4-byte for the large-file computation.
  const eventTablePos = eventTablePosition(setup, fileSize, 4);
  const { bytesPerSample, nSamples } = sampleFormat(setup, eventTablePos, warnings);
  if (!Number.isSafeInteger(nSamples) || nSamples <= 0) {
    throw unreadableRecording(
      `${name}: the header gives ${quoteValue(String(nSamples))} samples per channel`,
    );
  }
  const channelOffset = setup.channelOffsetField > 1 ? floorDiv(setup.channelOffsetField, bytesPerSample) : 1;
  if (channelOffset < 1) {
    throw unreadableRecording(
      `${name}: block size ${quoteValue(String(setup.channelOffsetField))} is less than one sample`,
    );
  }
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const channels: CntChannel[] = [];
  for (let i = 0; i < n; i++) {
    const at = SETUP_BYTES + ELECTLOC_BYTES * i;
    const sensitivity = dv.getFloat32(at + 59, true);
    const calib = dv.getFloat32(at + 71, true);
    channels.push({
      name: readStr(head.subarray(at, at + 10), `the label of channel ${i + 1}`),
      bad: (head[at + 4] ?? 0) !== 0,
      x: dv.getFloat32(at + 19, true),
      y: -dv.getFloat32(at + 23, true),
      baseline: dv.getInt16(at + 47, true),
      cal: (Math.fround(calib * sensitivity) * 1e-6) / 204.8,
    });
  }
  return {
    nChannels: n,
    sfreq: setup.sfreq,
    nSamples,
    bytesPerSample,
    channelOffset,
    dataOffset: SETUP_BYTES + ELECTLOC_BYTES * n,
    headerSamples: setup.headerSamples,
    eventTablePos,
    channels,
    warnings,
  };
}
