/**
 * EDF/EDF+/BDF header (MNE 1.3 `_read_edf_header`): 256 fixed bytes, then 256 bytes per signal stored field by
 * field. Every field is validated; the record count is recomputed from the file size as MNE does.
 */
import { quoteValue, unreadableRecording } from '../../core/errors';
import { trimOf } from '../../core/strings';
import { isoFromMicros } from '../eeg-shared/dates';
import { isDecimalLiteral } from '../eeg-shared/decimal';
import { LIMITS } from '../types';

export type EdfSubtype = 'edf' | 'bdf';

export interface EdfSignalHeader {
  label: string;
  unit: string;
  physicalMin: number;
  physicalMax: number;
  digitalMin: number;
  digitalMax: number;
  samplesPerRecord: number;
}

export interface EdfHeader {
  subtype: EdfSubtype;
  bytesPerSample: 2 | 3;
  headerBytes: number;
  /** Records present in the file (from its size, as MNE). */
  nRecords: number;
  /** Records the header declares (−1 = unknown). */
  declaredRecords: number;
  recordDuration: number;
  signals: EdfSignalHeader[];
  /** ISO 8601 UTC start of recording, when the header's date and time are valid. */
  measDate: string | null;
}

const FIXED_BYTES = 256;
const SIGNAL_FIELDS: readonly [string, number][] = [
  ['label', 16],
  ['transducer', 80],
  ['unit', 8],
  ['physicalMin', 8],
  ['physicalMax', 8],
  ['digitalMin', 8],
  ['digitalMax', 8],
  ['prefiltering', 80],
  ['samplesPerRecord', 8],
  ['reserved', 32],
];

/** Each byte as the code point of the same value (Node's latin1 decoding: String.fromCharCode of every byte). */
const latin1 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
/** MNE's `_edf_str`: latin-1 text up to the first NUL. */
const edfStr = (bytes: Uint8Array): string => latin1(bytes).split('\0')[0] ?? '';
/** Python's `bytes.strip()`: ASCII whitespace at both ends. */
const stripAscii = (s: string): string => trimOf(s, ' \t\n\r\v\f');

function parseInteger(text: string, what: string): number {
  const t = stripAscii(text);
  if (!/^[+-]?\d+$/.test(t))
    throw unreadableRecording(`EDF header field ${what} is not an integer: ${quoteValue(t)}`);
  const value = Number(t);
  if (!Number.isSafeInteger(value))
    throw unreadableRecording(`EDF header field ${what} is out of range: ${quoteValue(t)}`);
  return value;
}

function parseDecimal(text: string, what: string): number {
  const t = stripAscii(text.replaceAll(',', '.'));
  if (!isDecimalLiteral(t))
    throw unreadableRecording(`EDF header field ${what} is not a number: ${quoteValue(t)}`);
  const value = Number(t);
  if (!Number.isFinite(value))
    throw unreadableRecording(`EDF header field ${what} is out of range: ${quoteValue(t)}`);
  return value;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Start date: EDF+ "Startdate dd-MMM-yyyy" in the recording field when valid, else "dd.mm.yy" (yy < 85 → 20yy). */
function measDate(recordingField: string, dateField: string, timeField: string): string | null {
  const parts = recordingField.trimEnd().split(' ');
  let ymd: [number, number, number] | null = null;
  const plus = parts.length === 5 ? /^(\d{1,2})-([a-z]{3})-(\d{4})$/i.exec(parts[1] ?? '') : null;
  const month = plus ? MONTHS.indexOf((plus[2] ?? '').toUpperCase()) : -1;
  if (plus && month >= 0) ymd = [Number(plus[3]), month + 1, Number(plus[1])];
  else {
    const d = /^\s*(\d+)\.(\d+)\.(\d+)\s*$/.exec(dateField);
    if (d) ymd = [Number(d[3]) + (Number(d[3]) < 85 ? 2000 : 1900), Number(d[2]), Number(d[1])];
  }
  const t = /^\s*(\d+)\.(\d+)\.(\d+)\s*$/.exec(timeField);
  if (!ymd || !t) return null;
  const ms = Date.UTC(ymd[0], ymd[1] - 1, ymd[2], Number(t[1]), Number(t[2]), Number(t[3]));
  const date = new Date(ms);
  const valid =
    date.getUTCDate() === ymd[2] &&
    date.getUTCHours() === Number(t[1]) &&
    date.getUTCSeconds() === Number(t[3]);
  return valid ? isoFromMicros(ms * 1000) : null;
}

/** Parses the fixed 256-byte part; returns the signal count and the header size it announces. */
export function parseFixedHeader(fixed: Uint8Array): { ns: number; headerBytes: number } {
  if (fixed.length < FIXED_BYTES) throw unreadableRecording('EDF header is shorter than 256 bytes');
  const headerBytes = parseInteger(edfStr(fixed.subarray(184, 192)), 'header bytes');
  const ns = parseInteger(edfStr(fixed.subarray(252, 256)), 'number of signals');
  if (ns < 1 || ns > LIMITS.maxChannels) throw unreadableRecording(`EDF header declares ${ns} signals`);
  if (headerBytes !== FIXED_BYTES * (ns + 1)) {
    throw unreadableRecording(
      `EDF header size ${headerBytes} does not match ${ns} signals (${FIXED_BYTES * (ns + 1)})`,
    );
  }
  return { ns, headerBytes };
}

function signalFields(bytes: Uint8Array, ns: number): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  let offset = FIXED_BYTES;
  for (const [name, width] of SIGNAL_FIELDS) {
    const values: string[] = [];
    for (let i = 0; i < ns; i++, offset += width) values.push(latin1(bytes.subarray(offset, offset + width)));
    fields.set(name, values);
  }
  return fields;
}

const beforeNul = (s: string): string => s.split('\0')[0] ?? '';

function parseSignals(bytes: Uint8Array, ns: number): EdfSignalHeader[] {
  const f = signalFields(bytes, ns);
  const get = (name: string, i: number): string => f.get(name)?.[i] ?? '';
  const decimal = (name: string, i: number, what: string): number =>
    parseDecimal(beforeNul(get(name, i)), `${what} of signal ${i + 1}`);
  const signals: EdfSignalHeader[] = [];
  for (let i = 0; i < ns; i++) {
    const samplesPerRecord = parseInteger(
      beforeNul(get('samplesPerRecord', i)),
      `samples per record of signal ${i + 1}`,
    );
    if (samplesPerRecord < 0)
      throw unreadableRecording(`signal ${i + 1} has ${samplesPerRecord} samples per record`);
    signals.push({
      label: stripAscii(get('label', i)),
      unit: stripAscii(get('unit', i)),
      physicalMin: decimal('physicalMin', i, 'physical minimum'),
      physicalMax: decimal('physicalMax', i, 'physical maximum'),
      digitalMin: decimal('digitalMin', i, 'digital minimum'),
      digitalMax: decimal('digitalMax', i, 'digital maximum'),
      samplesPerRecord,
    });
  }
  return signals;
}

/** Parses the whole header (`bytes` = the first `headerBytes` bytes) of a file of `fileSize` bytes. */
export function parseEdfHeader(bytes: Uint8Array, fileSize: number, subtype: EdfSubtype): EdfHeader {
  const { ns, headerBytes } = parseFixedHeader(bytes);
  if (bytes.length < headerBytes) throw unreadableRecording('EDF header is truncated');
  const declaredRecords = parseInteger(edfStr(bytes.subarray(236, 244)), 'number of records');
  let recordDuration = parseDecimal(edfStr(bytes.subarray(244, 252)), 'record duration');
  if (recordDuration === 0) recordDuration = 1; // MNE's rule for files holding only annotations
  if (recordDuration < 0) throw unreadableRecording(`negative record duration ${recordDuration}`);
  const signals = parseSignals(bytes, ns);
  const bytesPerSample = subtype === 'bdf' ? 3 : 2;
  const samplesPerRecord = signals.reduce((sum, s) => sum + s.samplesPerRecord, 0);
  if (samplesPerRecord === 0) throw unreadableRecording('EDF data records hold no samples');
  const nRecords = Math.floor(Math.max(0, fileSize - headerBytes) / (samplesPerRecord * bytesPerSample));
  if (nRecords < 1) throw unreadableRecording('EDF file holds no complete data record');
  return {
    subtype,
    bytesPerSample,
    headerBytes,
    nRecords,
    declaredRecords,
    recordDuration,
    signals,
    measDate: measDate(
      latin1(bytes.subarray(88, 168)),
      latin1(bytes.subarray(168, 176)),
      latin1(bytes.subarray(176, 184)),
    ),
  };
}
