/**
 * KIT/Yokogawa `.sqd`/`.con` recordings, read as MNE-Python 1.3's `read_raw_kit(path)` reads them by default:
 * channels in device coordinates, samples in SI units, and the synthesized "STI 014" trigger channel
 * (stim='>', slope='-', stimthresh=1, stim_code='binary'). Without companion files dev_head_t is the identity and
 * dig empty, as MNE gives; with marker/elp/hsp files (MNE's mrk=, elp=, hsp=) they come from the coregistration.
 * Newer .sqd files store their own digitisation; then MNE (and this reader) coregister from it by default, and
 * EEG channels take their digitised position (left in the digitiser frame, as MNE leaves it).
 */
import { basename } from 'node:path';
import { unreadableRecording } from '../../core/errors';
import type { ByteSource, SourceFs } from '../source';
import { eventsKnown } from '../events';
import type { ChannelInfo, OpenOptions, Recording, RecordingInfo } from '../types';
import { convertKitChannels, defaultTriggerChannels } from './channels';
import {
  coregister,
  parseElp,
  parseHsp,
  readMarkerPoints,
  readStoredDigitization,
  type KitCoregistration,
} from './coreg';
import { readSqdHeader, type SqdHeader } from './sqd';
import { checkWindow as checkWindowArgs } from '../eeg-shared/window';
import { channelArrays } from '../../core/channel-arrays';

/** Samples decoded per read, so a long window never needs one huge buffer. */
const MAX_READ_BYTES = 8 * 1024 * 1024;
const STIM_THRESHOLD = 1;

/** Paths of the companion files MNE takes as mrk=, elp=, hsp= (marker .sqd, Polhemus .elp and .hsp). */
export interface KitCoregFiles {
  mrk: string;
  elp: string;
  hsp: string;
}

/** Opens a file, reporting a missing one as an unreadable recording (not a raw file-system error). */
async function openExisting(fs: SourceFs, path: string): Promise<ByteSource> {
  if (!(await fs.exists(path))) throw unreadableRecording(`${basename(path)} is missing`);
  return fs.open(path);
}

async function readTextFile(fs: SourceFs, path: string): Promise<string> {
  const src = await openExisting(fs, path);
  try {
    if (src.size > 64 * 1024 * 1024) throw unreadableRecording(`${src.name} is too large`);
    return new TextDecoder('utf-8').decode(await src.read(0, src.size));
  } finally {
    await src.close();
  }
}

async function readCoregistration(fs: SourceFs, files: KitCoregFiles): Promise<KitCoregistration> {
  const mrk = await openExisting(fs, files.mrk);
  const markers = await readMarkerPoints(mrk).finally(() => mrk.close());
  return coregister(
    markers,
    parseElp(await readTextFile(fs, files.elp)),
    parseHsp(await readTextFile(fs, files.hsp)),
  );
}

/**
 * Coregistration from the file's own digitisation. Non-MEG channels whose stored name (lower case) names a
 * digitised point get that position in loc, left in the digitiser frame as MNE leaves it.
 */
async function storedCoregistration(
  src: ByteSource,
  header: SqdHeader,
  channels: ChannelInfo[],
): Promise<KitCoregistration> {
  const stored = await readStoredDigitization(src);
  const eeg: [string, [number, number, number]][] = [];
  header.channels.forEach((raw, i) => {
    const key = raw.name.toLowerCase();
    const r = raw.loc === undefined && key !== '' ? stored.named.get(key) : undefined;
    if (!r) return;
    channels[i]?.loc.splice(0, 3, ...r);
    if (!eeg.some(([k]) => k === key)) eeg.push([key, r]);
  });
  return coregister(stored.markers, stored.elp, stored.hsp, eeg);
}

function buildInfo(
  header: SqdHeader,
  channels: ChannelInfo[],
  coreg: KitCoregistration | null,
): RecordingInfo {
  return {
    format: 'kit',
    kind: 'raw',
    sfreq: header.sfreq,
    nSamples: header.nSamples,
    firstSample: 0,
    tmin: 0,
    channels,
    bads: [],
    // MNE's default for files without coregistration: the identity
    devHeadT: coreg?.devHeadT ?? [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ],
    dig: coreg?.dig ?? [],
    projectors: [],
    excluded: [],
    notes: {
      kitFormat: header.version,
      kitSystemId: header.systemId,
      coregistration: coreg ? 'yes' : 'no',
    },
  };
}

interface WindowPlan {
  header: SqdHeader;
  /** Stored channel of each output row, or -1 for the synthesized stim channel. */
  sources: number[];
  triggers: number[];
}

function decodeBlock(
  bytes: Uint8Array,
  nSamp: number,
  plan: WindowPlan,
  outputs: Float64Array[],
  outAt: number,
): void {
  const { header, sources, triggers } = plan;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const value = (s: number, ch: number): number => {
    const at = (s * header.nChan + ch) * header.sampleBytes;
    const raw = header.sampleBytes === 2 ? dv.getInt16(at, true) : dv.getInt32(at, true);
    return raw * (header.convFactor[ch] ?? Number.NaN);
  };
  sources.forEach((ch, k) => {
    const out = outputs[k] as Float64Array;
    for (let s = 0; s < nSamp; s++) {
      out[outAt + s] =
        ch >= 0
          ? value(s, ch)
          : triggers.reduce((sum, t, bit) => (value(s, t) < STIM_THRESHOLD ? sum + 2 ** bit : sum), 0);
    }
  });
}

async function readWindow(
  src: ByteSource,
  plan: WindowPlan,
  start: number,
  stop: number,
): Promise<Float64Array[]> {
  const { header } = plan;
  const outputs = channelArrays(plan.sources.length, stop - start);
  const frameBytes = header.nChan * header.sampleBytes;
  const perRead = Math.max(1, Math.floor(MAX_READ_BYTES / frameBytes));
  for (let s = start; s < stop; s += perRead) {
    const n = Math.min(perRead, stop - s);
    const bytes = await src.read(header.dataOffset + s * frameBytes, n * frameBytes);
    decodeBlock(bytes, n, plan, outputs, s - start);
  }
  return outputs;
}

/** readWindow's arguments against the recording's channels and samples (shared rule). */
const checkWindow = (picks: readonly number[], start: number, stop: number, info: RecordingInfo): void =>
  checkWindowArgs(picks, start, stop, info.channels.length, info.nSamples);

/** Opens a KIT `.sqd`/`.con` file, with coregistration when the marker/elp/hsp companion files are given. */
export async function openKit(
  path: string,
  fs: SourceFs,
  _options: OpenOptions = {},
  coregFiles?: KitCoregFiles,
): Promise<Recording> {
  const src = await openExisting(fs, path);
  try {
    const header = await readSqdHeader(src);
    const channels = convertKitChannels(header.channels);
    // explicit companion files win over stored digitisation, as MNE's mrk/elp/hsp arguments do
    const coreg = coregFiles
      ? await readCoregistration(fs, coregFiles)
      : header.hasDigitization
        ? await storedCoregistration(src, header, channels)
        : null;
    const info = buildInfo(header, channels, coreg);
    const triggers = defaultTriggerChannels(info.channels);
    return {
      info,
      readEvents: eventsKnown([]),
      readWindow: async (picks, start, stop) => {
        checkWindow(picks, start, stop, info);
        const sources = picks.map((p) => (p < header.nChan ? p : -1));
        return readWindow(src, { header, sources, triggers }, start, stop);
      },
      close: () => src.close(),
    };
  } catch (e) {
    await src.close();
    throw e;
  }
}
