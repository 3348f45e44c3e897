/**
 * The .vhdr header (MNE 1.3 `_aux_hdr_info` + `_get_hdr_info` with default options): version line, code page,
 * [Common Infos], [Binary Infos], [Channel Infos] (name, resolution, unit → type and scale) and [Coordinates].
 */
import { quoteValue, unreadableRecording, unsupportedFormat } from '../../core/errors';
import { LIMITS, type ChannelType } from '../types';
import { isDecimalLiteral } from '../eeg-shared/decimal';
import { uniqueChannelNames } from '../eeg-shared/unique-names';
import { parseIni, type Ini } from './ini';
import { asciiIgnore, decodeWithCodepage } from './text';

export type BinaryFormat = 'INT_16' | 'INT_32' | 'IEEE_FLOAT_32';
export const BYTES_PER_SAMPLE: Record<BinaryFormat, number> = { INT_16: 2, INT_32: 4, IEEE_FLOAT_32: 4 };

export interface BvChannel {
  name: string;
  /** Key of the channel in [Channel Infos] ("ch1"), which [Coordinates] refers to. */
  key: string;
  type: ChannelType;
  /** Unit as written (after MNE drops stray "\xc2" characters). */
  origUnit: string;
  /** SI unit of the values read: 'V', '°C' or ''. */
  unit: string;
  /** value = raw · factor (MNE's range · cal). */
  factor: number;
}

export interface BvHeader {
  version: 1 | 2;
  dataFile: string;
  markerFile: string;
  orientation: 'MULTIPLEXED' | 'VECTORIZED';
  binaryFormat: BinaryFormat;
  sfreq: number;
  channels: BvChannel[];
  /** [Coordinates] entries as (channel key, "radius,theta,phi"), in file order; null when the section is absent. */
  coordinates: [string, string][] | null;
}

const VERSION = /Brain ?Vision(?: Core| V-Amp)? Data(?: Exchange)? Header File,? Version ([12])\.0/;
const VOLTAGE_UNITS: Record<string, number> = { V: 1, µV: 1e-6, uV: 1e-6, mV: 1e-3, nV: 1e-9 };
const OTHER_UNITS: Record<string, number> = {
  C: 1,
  '°C': 1,
  'n/a': 1,
  µS: 1e-6,
  uS: 1e-6,
  ARU: 1,
  S: 1,
  N: 1,
};
const EOG_NAMES = ['HEOGL', 'HEOGR', 'VEOGb'];

export function parseDecimal(text: string, what: string): number {
  const t = text.trim();
  const value = Number(t);
  if (!isDecimalLiteral(t) || !Number.isFinite(value))
    throw unreadableRecording(`BrainVision ${what} is not a number: ${quoteValue(t)}`);
  return value;
}

function option(ini: Ini, section: string, key: string): string {
  const value = ini.get(section)?.get(key.toLowerCase());
  if (value === undefined) throw unreadableRecording(`BrainVision header has no ${key} in [${section}]`);
  return value;
}

/** Splits the file into the version line and the settings before [Comment], decoded as MNE does. */
function headerText(bytes: Uint8Array): { version: 1 | 2; params: string } {
  const newline = bytes.indexOf(0x0a);
  const first = bytes.subarray(0, newline < 0 ? bytes.length : newline + 1);
  const rest = newline < 0 ? new Uint8Array(0) : bytes.subarray(newline + 1);
  const version = VERSION.exec(asciiIgnore(first).trim())?.[1];
  if (!version) throw unsupportedFormat('not a BrainVision header, version 1.0 or 2.0 (first line)');
  const settings = decodeWithCodepage(rest);
  const comment = settings.indexOf('[Comment]');
  return { version: version === '1' ? 1 : 2, params: comment < 0 ? settings : settings.slice(0, comment) };
}

function channelNumber(key: string, nchan: number): number {
  const n = Number(/ch(\d+)/.exec(key)?.[1] ?? NaN) - 1;
  if (!Number.isSafeInteger(n) || n < 0 || n >= nchan) {
    throw unreadableRecording(
      `BrainVision [Channel Infos] entry ${quoteValue(key)} is not one of ${nchan} channels`,
    );
  }
  return n;
}

function parseChannel(key: string, props: string): Omit<BvChannel, 'type' | 'unit'> {
  const fields = props.split(',');
  if (fields.length < 4) fields.push('µV');
  else if (fields[3] === '') fields[3] = 'µV';
  if (fields.length < 4)
    throw unreadableRecording(
      `BrainVision channel ${quoteValue(key)} has too few fields: ${quoteValue(props)}`,
    );
  const [rawName = '', , resolutionText = '', rawUnit = ''] = fields;
  const resolution =
    resolutionText === ''
      ? rawUnit
        ? 1
        : 1e-6
      : parseDecimal(resolutionText, `resolution of ${quoteValue(key)}`);
  const origUnit = rawUnit.replace(/\xc2/g, '');
  const range = (VOLTAGE_UNITS[origUnit] ?? OTHER_UNITS[origUnit] ?? 1) * 1;
  return { name: rawName.replace(/\\1/g, ','), key, origUnit, factor: range * resolution };
}

function channelType(name: string, origUnit: string): { type: ChannelType; unit: string } {
  if (EOG_NAMES.includes(name)) return { type: 'eog', unit: 'V' };
  if (!(origUnit in VOLTAGE_UNITS)) return { type: 'misc', unit: origUnit === 'C' ? '°C' : '' };
  if (name === 'STI 014') return { type: 'stim', unit: '' };
  return { type: 'eeg', unit: 'V' };
}

function parseChannels(ini: Ini, nchan: number): BvChannel[] {
  const slots: (BvChannel | undefined)[] = new Array(nchan).fill(undefined);
  for (const [key, props] of ini.get('Channel Infos') ?? []) {
    const channel = parseChannel(key, props);
    slots[channelNumber(key, nchan)] = { ...channel, ...channelType(channel.name, channel.origUnit) };
  }
  const channels = slots.map((c, i) => {
    if (!c) throw unreadableRecording(`BrainVision header does not describe channel ${i + 1}`);
    return c;
  });
  // MNE's Info renames duplicates ("-0", "-1"); MNE 1.3 then fails on its unit table, this reader goes on.
  const names = uniqueChannelNames(channels.map((c) => c.name));
  return channels.map((c, i) => ({ ...c, name: names[i] ?? c.name }));
}

function commonSection(ini: Ini): string {
  return ini.has('Common Infos') ? 'Common Infos' : 'Common infos';
}

function binaryFormat(ini: Ini, common: string): BinaryFormat {
  const dataFormat = option(ini, common, 'DataFormat');
  if (dataFormat !== 'BINARY')
    throw unsupportedFormat(`BrainVision DataFormat ${quoteValue(dataFormat)} (only BINARY is read)`);
  const format = option(ini, 'Binary Infos', 'BinaryFormat');
  if (!(format in BYTES_PER_SAMPLE))
    throw unsupportedFormat(`BrainVision BinaryFormat ${quoteValue(format)}`);
  return format as BinaryFormat;
}

export function parseVhdr(bytes: Uint8Array): BvHeader {
  if (bytes.length > LIMITS.maxHeaderBytes) throw unreadableRecording('BrainVision header is too large');
  const { version, params } = headerText(bytes);
  const ini = parseIni(params, 2);
  const common = commonSection(ini);
  const orientation = option(ini, common, 'DataOrientation');
  if (orientation !== 'MULTIPLEXED' && orientation !== 'VECTORIZED') {
    throw unsupportedFormat(`BrainVision DataOrientation ${quoteValue(orientation)}`);
  }
  const format = binaryFormat(ini, common);
  const interval = parseDecimal(option(ini, common, 'SamplingInterval'), 'SamplingInterval');
  if (!(interval > 0)) throw unreadableRecording(`BrainVision SamplingInterval ${interval} is not positive`);
  const nchanText = option(ini, common, 'NumberOfChannels').trim();
  const nchan = /^[+-]?\d+$/.test(nchanText) ? Number(nchanText) : NaN;
  if (!(nchan >= 1 && nchan <= LIMITS.maxChannels))
    throw unreadableRecording(`BrainVision NumberOfChannels ${quoteValue(nchanText)}`);
  const coordinates = ini.get('Coordinates');
  return {
    version,
    dataFile: option(ini, common, 'DataFile'),
    markerFile: option(ini, common, 'MarkerFile'),
    orientation,
    binaryFormat: format,
    sfreq: 1e6 / interval,
    channels: parseChannels(ini, nchan),
    coordinates: coordinates ? [...coordinates] : null,
  };
}
