/**
 * The KIT/Yokogawa `.sqd`/`.con` header (after MNE's io/kit/kit.py `get_kit_info`): a directory of
 * {offset u32, size, max_count, count} entries, then the system, channel, calibration, amplifier and acquisition
 * sections, all little-endian. Only continuous recordings of the supported format (V2R003 and later) are read.
 */
import { unreadableRecording, unsupportedFormat } from '../../core/errors';
import { LIMITS } from '../types';
import type { ByteSource } from '../source';

export const DIR = {
  system: 1,
  channels: 4,
  calibration: 5,
  ampFilter: 7,
  acquisition: 8,
  rawData: 9,
  coreg: 12,
  digPoints: 26,
} as const;
const MAX_DIRS = 1024;
const CONTINUOUS = 1;

/** KIT channel type codes. */
export const KIT_TYPE = {
  mag: 1,
  axialGrad: 2,
  refMag: 0x101,
  trigger: -1,
  eeg: -2,
  ecg: -3,
  etc: -4,
  null: 0,
} as const;
const MEG_TYPES = [1, 0x101, 2, 0x102, 3, 0x103, 4, 0x104];
const READABLE_MEG_TYPES: number[] = [KIT_TYPE.axialGrad, KIT_TYPE.refMag];
const MISC_TYPES: number[] = [KIT_TYPE.trigger, KIT_TYPE.eeg, KIT_TYPE.ecg, KIT_TYPE.etc];
/** Name field lengths by channel type (MNE's CHANNEL_NAME_NCHAR). */
const NAME_CHARS = new Map<number, number>([
  [KIT_TYPE.mag, 6],
  [KIT_TYPE.axialGrad, 6],
  [KIT_TYPE.trigger, 32],
  [KIT_TYPE.eeg, 8],
  [KIT_TYPE.ecg, 32],
  [KIT_TYPE.etc, 32],
]);
const GAINS = [1, 2, 5, 10, 20, 50, 100, 200];

export interface SqdChannel {
  type: number;
  name: string;
  /** MEG: x, y, z (m), theta, phi (degrees) in the KIT device frame. */
  loc?: number[];
  /** EEG/ECG amplifier gain (MNE's exg_gains). */
  exgGain?: number;
}

export interface SqdHeader {
  version: string;
  systemId: number;
  nChan: number;
  sfreq: number;
  nSamples: number;
  /** Bytes per stored sample (2 or 4). */
  sampleBytes: number;
  dataOffset: number;
  channels: SqdChannel[];
  /** Stored value → SI unit, per channel (MNE's conv_factor). */
  convFactor: number[];
  /** The file holds its own digitisation (not read here). */
  hasDigitization: boolean;
}

export interface DirEntry {
  offset: number;
  size: number;
  count: number;
}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
const decoder = new TextDecoder('utf-8');
function readName(b: Uint8Array, offset: number, length: number): string {
  const field = b.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return decoder.decode(nul < 0 ? field : field.subarray(0, nul));
}

export async function readDirs(src: ByteSource): Promise<DirEntry[]> {
  const first = view(await src.read(0, 16));
  const n = first.getInt32(12, true);
  if (n <= DIR.rawData || n > MAX_DIRS || n * 16 > src.size)
    throw unreadableRecording(`.sqd directory count ${n}`);
  const dv = view(await src.read(0, n * 16));
  return Array.from({ length: n }, (_, i) => ({
    offset: dv.getUint32(i * 16, true),
    size: dv.getInt32(i * 16 + 4, true),
    count: dv.getInt32(i * 16 + 12, true),
  }));
}

function dir(dirs: DirEntry[], index: number): DirEntry {
  const d = dirs[index];
  if (!d) throw unreadableRecording(`.sqd has no directory entry ${index}`);
  return d;
}

interface SystemInfo {
  version: string;
  systemId: number;
  nChan: number;
  fllType: number;
  adcRange: number;
  adcAllocated: number;
  adcStored: number;
}

async function readSystem(src: ByteSource, d: DirEntry): Promise<SystemInfo> {
  const b = await src.read(d.offset, 736);
  const dv = view(b);
  const [version, revision] = [dv.getInt32(0, true), dv.getInt32(4, true)];
  const label = `V${version}R${String(revision).padStart(3, '0')}`;
  if (version < 2 || (version === 2 && revision < 3))
    throw unsupportedFormat(`KIT file format ${label} is not supported`);
  const oldAdc = version === 2 && revision <= 3;
  const adcAt = oldAdc ? 720 : 724;
  return {
    version: label,
    systemId: dv.getInt32(8, true),
    nChan: dv.getInt32(268, true),
    fllType: dv.getInt32(564, true),
    adcRange: oldAdc ? dv.getInt32(716, true) : dv.getFloat64(716, true),
    adcAllocated: dv.getInt32(adcAt + 4, true),
    adcStored: dv.getInt32(adcAt + 8, true),
  };
}

function parseChannel(b: Uint8Array, systemId: number, index: number): SqdChannel {
  const dv = view(b);
  let type = dv.getInt32(0, true);
  // System 52 labelled its reference channels NULL (as MNE corrects).
  if (systemId === 52 && index < 160 && type === KIT_TYPE.null) type = KIT_TYPE.refMag;
  if (MEG_TYPES.includes(type)) {
    if (!READABLE_MEG_TYPES.includes(type))
      throw unsupportedFormat(`KIT MEG channel type ${type} is not supported`);
    const loc = [0, 1, 2, 3, 4].map((k) => dv.getFloat64(4 + 8 * k, true));
    const chars = NAME_CHARS.get(type);
    return { type, loc, name: chars ? readName(b, 60, chars) : '' };
  }
  if (MISC_TYPES.includes(type)) {
    const chars = NAME_CHARS.get(type) ?? 32;
    const name = readName(b, 12, chars);
    if (type !== KIT_TYPE.eeg && type !== KIT_TYPE.ecg) return { type, name };
    return { type, name, exgGain: dv.getFloat64(12 + chars + (type === KIT_TYPE.eeg ? 6 : 8), true) };
  }
  if (type === KIT_TYPE.null) return { type, name: '' };
  throw unreadableRecording(`unknown KIT channel type ${type}`);
}

/** Bytes of a channel record MNE may read: up to a MEG name (60 + 6) or an ECG gain (52 + 8). */
const CHANNEL_READ_BYTES = 68;

async function readChannels(src: ByteSource, d: DirEntry, sys: SystemInfo): Promise<SqdChannel[]> {
  if (sys.nChan <= 0 || sys.nChan > LIMITS.maxChannels || d.size <= 0)
    throw unreadableRecording(`.sqd channel count ${sys.nChan}`);
  const span = d.size * (sys.nChan - 1) + CHANNEL_READ_BYTES;
  const readable = Math.min(span, src.size - d.offset);
  if (readable < d.size * (sys.nChan - 1) + 4)
    throw unreadableRecording('.sqd channel records are truncated');
  const bytes = new Uint8Array(span);
  bytes.set(await src.read(d.offset, readable));
  return Array.from({ length: sys.nChan }, (_, i) =>
    parseChannel(bytes.subarray(i * d.size, i * d.size + CHANNEL_READ_BYTES), sys.systemId, i),
  );
}

/** Sorted FLL types MNE knows, and whether each is a "Kapper" (>= 100) amplifier. */
const FLL_TYPES = [0, 10, 20, 50, 60, 100, 101, 120, 200, 300];

/** MNE falls back to the next lower known FLL type (and, quirkily, the last one below the first). */
function knownFllType(fll: number): number {
  if (FLL_TYPES.includes(fll)) return fll;
  const below = FLL_TYPES.filter((t) => t <= fll);
  return below.at(-1) ?? (FLL_TYPES.at(-1) as number);
}

function amplifierGain(amp: number, fllType: number): number {
  const g = (i: number): number => GAINS[i] ?? 1;
  if (knownFllType(fllType) >= 100)
    return g((amp & 0x7000) >>> 12) * g((amp & 0x70000000) >>> 28) * g((amp & 0x07000000) >>> 24);
  return g((amp & 0x1800) >>> 11) * g(amp & 0x7);
}

async function readAcquisition(src: ByteSource, d: DirEntry): Promise<{ sfreq: number; nSamples: number }> {
  const dv = view(await src.read(d.offset, 20));
  const acqType = dv.getInt32(0, true);
  if (acqType === 2 || acqType === 3)
    throw unsupportedFormat('KIT file holds averaged or epoched data, not a continuous recording');
  if (acqType !== CONTINUOUS) throw unreadableRecording(`KIT acquisition type ${acqType}`);
  return { sfreq: dv.getFloat64(4, true), nSamples: dv.getInt32(16, true) };
}

function conversionFactors(
  channels: SqdChannel[],
  sys: SystemInfo,
  gains: number[],
  ampGain: number,
): number[] {
  const adToVolt = sys.adcRange / 2 ** sys.adcStored;
  return channels.map((ch, i) => {
    if (MEG_TYPES.includes(ch.type)) return (adToVolt / ampGain) * (gains[i] ?? Number.NaN);
    if (ch.exgGain !== undefined) return ch.exgGain === 0 ? adToVolt : ch.exgGain / 2 ** (sys.adcStored - 14);
    return adToVolt;
  });
}

async function readGains(src: ByteSource, d: DirEntry, nChan: number): Promise<number[]> {
  const dv = view(await src.read(d.offset, nChan * 16));
  const offsets = Array.from({ length: nChan }, (_, i) => dv.getFloat64(i * 16, true));
  if (offsets.some((o) => o !== 0)) throw unreadableRecording('KIT channel offsets are not zero');
  return Array.from({ length: nChan }, (_, i) => dv.getFloat64(i * 16 + 8, true));
}

/**
 * Sample size and sample count. A header announcing more samples than the file holds (a truncated file, or a
 * garbage count) opens, as in MNE, with the samples the file holds (and no more than its raw-data directory
 * entry counts; what follows them is another section): MNE reports the announced count but fails on windows
 * reaching past the end of the file. Zero or fewer samples, as in MNE, do not open.
 */
function checkData(
  sys: SystemInfo,
  acq: { sfreq: number; nSamples: number },
  data: DirEntry,
  size: number,
): { sampleBytes: number; nSamples: number } {
  if (sys.adcAllocated !== 16 && sys.adcAllocated !== 32)
    throw unreadableRecording(`KIT sample size of ${sys.adcAllocated} bits`);
  if (!Number.isFinite(acq.sfreq) || acq.sfreq <= 0)
    throw unreadableRecording(`KIT sampling rate ${acq.sfreq}`);
  const sampleBytes = sys.adcAllocated / 8;
  let stored = Math.floor(Math.max(0, size - data.offset) / (sys.nChan * sampleBytes));
  if (acq.nSamples > stored && data.count >= sys.nChan)
    stored = Math.min(stored, Math.floor(data.count / sys.nChan));
  if (acq.nSamples <= 0 || stored === 0)
    throw unreadableRecording(`KIT data of ${acq.nSamples} samples (${stored} in the file)`);
  return { sampleBytes, nSamples: Math.min(stored, acq.nSamples) };
}

export async function readSqdHeader(src: ByteSource): Promise<SqdHeader> {
  if (src.size < 16) throw unreadableRecording(`${src.name} is too short`);
  const dirs = await readDirs(src);
  const sys = await readSystem(src, dir(dirs, DIR.system));
  const channels = await readChannels(src, dir(dirs, DIR.channels), sys);
  const gains = await readGains(src, dir(dirs, DIR.calibration), sys.nChan);
  const amp = view(await src.read(dir(dirs, DIR.ampFilter).offset, 4)).getInt32(0, true);
  const acq = await readAcquisition(src, dir(dirs, DIR.acquisition));
  const data = dir(dirs, DIR.rawData);
  const { sampleBytes, nSamples } = checkData(sys, acq, data, src.size);
  const [dig, coreg] = [dirs[DIR.digPoints], dirs[DIR.coreg]];
  return {
    version: sys.version,
    systemId: sys.systemId,
    nChan: sys.nChan,
    ...acq,
    nSamples,
    sampleBytes,
    dataOffset: data.offset,
    channels,
    convFactor: conversionFactors(channels, sys, gains, amplifierGain(amp, sys.fllType)),
    hasDigitization: (dig?.count ?? 0) > 0 && (coreg?.count ?? 0) > 0,
  };
}
