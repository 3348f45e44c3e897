/**
 * CTF `.ds` datasets, read as MNE-Python 1.3's `read_raw_ctf(path)` reads them by default (clean_names=False,
 * system_clock='truncate', compensation as stored): `.res4` header, `.hc` head coils → dev_head_t and fiducials,
 * optional `.eeg` electrode and `*.pos` Polhemus files → EEG positions and dig, `BadChannels`, `MarkerFile.mrk` and
 * `bad.segments` → events, and `.meg4` (+ `.N_meg4`) data read window by window. Compensation coefficients are not
 * read (the data are returned with the grade they were stored in, `notes.compensationGrade`).
 */
import { basename, join } from 'node:path';
import { unreadableRecording } from '../../core/errors';
import { trimEndOf } from '../../core/strings';
import type { ByteSource, SourceFs } from '../source';
import { eventsKnown } from '../events';
import type { DigPoint, OpenOptions, Recording, RecordingEvent, RecordingInfo } from '../types';
import { compensationGrade, convertChannels, eegDigPoints, type CtfChannel } from './channels';
import { applyEegFile, parseEegFile, parsePosFile } from './digitization';
import { parseHeadCoils, type HeadCoil } from './hc';
import { ctfEvents, type TrialTiming } from './markers';
import {
  meg4FileName,
  probeMeg4,
  readTrialSpan,
  type ChannelRequest,
  type Meg4File,
  type Meg4Layout,
} from './meg4';
import { readRes4, type Res4 } from './res4';
import { applyTransform, makeCtfTransforms, type CtfTransforms } from './transforms';
import { checkWindow as checkWindowArgs } from '../eeg-shared/window';
import { channelArrays } from '../../core/channel-arrays';

/**
 * Data files a dataset may have (`.meg4`, `.1_meg4`, ..., each under 2 GB as CTF's acquisition writes them):
 * 16 files hold 32 GB, hours of a 300-channel system. Each stays open while the recording is cached, so more
 * are refused rather than holding hundreds of handles per cache entry.
 */
export const MAX_MEG4_FILES = 16;
/** Upper bound on the size of the text files (.hc, BadChannels, MarkerFile.mrk, bad.segments). */
const MAX_TEXT_BYTES = 16 * 1024 * 1024;

async function readText(fs: SourceFs, path: string): Promise<string | null> {
  if (!(await fs.exists(path))) return null;
  const src = await fs.open(path);
  try {
    if (src.size > MAX_TEXT_BYTES) throw unreadableRecording(`${src.name} is too large (${src.size} bytes)`);
    return new TextDecoder('utf-8').decode(await src.read(0, src.size));
  } finally {
    await src.close();
  }
}

async function readRes4File(fs: SourceFs, path: string): Promise<Res4> {
  if (!(await fs.exists(path))) throw unreadableRecording(`${basename(path)} is missing`);
  const src = await fs.open(path);
  try {
    return await readRes4(src);
  } finally {
    await src.close();
  }
}

const IDENTITY = [
  [1, 0, 0, 0],
  [0, 1, 0, 0],
  [0, 0, 1, 0],
  [0, 0, 0, 1],
];

const FIDUCIAL_IDENT = { lpa: 1, nasion: 2, rpa: 3 } as const;

/** Head-frame coils become dig points (cardinal, or HPI for spare coils), in .hc order as in MNE. */
function coilDigPoints(coils: HeadCoil[], t: CtfTransforms | null): DigPoint[] {
  if (!t) return [];
  return coils
    .filter((c) => c.frame === 'ctf_head')
    .map((c) => ({
      kind: c.kind === 'spare' ? 'hpi' : 'cardinal',
      ident: c.kind === 'spare' ? 4 : FIDUCIAL_IDENT[c.kind],
      r: applyTransform(t.ctfHeadHead, c.r),
      coordFrame: 'head',
    }));
}

/** CTF's own names without the system suffix ("MLC11-4304" → "MLC11"), as MNE's _clean_names. */
const cleanName = (name: string): string => {
  const beforeDash = name.includes('-') ? (name.split('-')[0] ?? name) : name;
  return beforeDash.endsWith('_v') ? beforeDash.slice(0, -2) : beforeDash;
};

/** BadChannels lists cleaned names, one per line; unknown names and blank lines are ignored. */
function parseBadChannels(text: string | null, names: string[]): string[] {
  if (text === null) return [];
  const byCleanName = new Map(names.map((n) => [cleanName(n), n]));
  return text
    .split('\n')
    .map((line) => byCleanName.get(line.trim()))
    .filter((n): n is string => n !== undefined && n.length > 0);
}

/** Opens `.meg4`, `.1_meg4`, ... until a file is missing or has no valid samples. */
async function openMeg4Files(fs: SourceFs, base: string, res4: Res4): Promise<Meg4File[]> {
  const layout: Meg4Layout = { nChan: res4.nChan, nSamp: res4.nSamp };
  const names = res4.channels.map((c) => c.name);
  const files: Meg4File[] = [];
  try {
    for (let i = 0; await fs.exists(meg4FileName(base, i)); i++) {
      if (i >= MAX_MEG4_FILES)
        throw unreadableRecording(`${basename(base)}.ds has more than ${MAX_MEG4_FILES} .meg4 data files`);
      const src = await fs.open(meg4FileName(base, i));
      const file = await probeMeg4(src, layout, names).catch(async (e: unknown) => {
        await src.close();
        throw e;
      });
      if (file.nSamples === 0) {
        await src.close();
        break;
      }
      files.push(file);
    }
  } catch (e) {
    await Promise.all(files.map((f) => f.source.close()));
    throw e;
  }
  if (files.length === 0)
    throw unreadableRecording(`${basename(meg4FileName(base, 0))} is missing or holds no samples`);
  return files;
}

interface DatasetParts {
  res4: Res4;
  channels: CtfChannel[];
  transforms: CtfTransforms | null;
  bads: string[];
  files: Meg4File[];
  dig: DigPoint[];
}

function buildInfo({ res4, channels, transforms: t, bads, files, dig }: DatasetParts): RecordingInfo {
  return {
    format: 'ctf',
    kind: 'raw',
    sfreq: res4.sfreq,
    nSamples: files.reduce((n, f) => n + f.nSamples, 0),
    firstSample: 0,
    tmin: 0,
    channels: channels.map((c) => c.info),
    bads,
    // without head coils MNE keeps its default identity transform
    devHeadT: t ? t.devHead : IDENTITY.map((row) => [...row]),
    dig,
    projectors: [],
    excluded: [],
    notes: {
      compensationGrade: compensationGrade(channels),
      samplesPerTrial: res4.nSamp,
      trials: Math.ceil(files.reduce((n, f) => n + f.nSamples, 0) / res4.nSamp),
      preTriggerSamples: res4.preTrigPts,
      res4Version: res4.magic,
      dataFiles: files.length,
    },
  };
}

/** A single *.pos file in the folder gives extra dig points (MNE ignores several, and all without head coils). */
async function readPosPoints(fs: SourceFs, dir: string, t: CtfTransforms | null): Promise<DigPoint[]> {
  const posFiles = (await fs.readdir(dir)).filter((f) => f.endsWith('.pos'));
  const [only] = posFiles;
  if (posFiles.length !== 1 || only === undefined || !t) return [];
  return parsePosFile((await readText(fs, join(dir, only))) ?? '', t);
}

async function readEvents(texts: SideTexts, timing: TrialTiming): Promise<RecordingEvent[]> {
  return ctfEvents(await texts.markers, await texts.badSegments, timing);
}

/** The folder's small text files (absent: null), read at once rather than one after another. */
interface SideTexts {
  hc: Promise<string | null>;
  eeg: Promise<string | null>;
  badChannels: Promise<string | null>;
  markers: Promise<string | null>;
  badSegments: Promise<string | null>;
}

/**
 * Starts every read in a fixed order (so whoever watches the file system sees the same paths in the same order on
 * every open); a failure surfaces where the text is awaited, and one never awaited (the open failed before) is
 * not reported as unhandled.
 */
function startSideTexts(fs: SourceFs, dir: string, base: string): SideTexts {
  const read = (path: string): Promise<string | null> => {
    const text = readText(fs, path);
    text.catch(() => undefined);
    return text;
  };
  return {
    hc: read(`${base}.hc`),
    eeg: read(`${base}.eeg`),
    badChannels: read(join(dir, 'BadChannels')),
    markers: read(join(dir, 'MarkerFile.mrk')),
    badSegments: read(join(dir, 'bad.segments')),
  };
}

/** readWindow's arguments against the recording's channels and samples (shared rule). */
const checkWindow = (picks: readonly number[], start: number, stop: number, info: RecordingInfo): void =>
  checkWindowArgs(picks, start, stop, info.channels.length, info.nSamples);

/** One request per distinct channel, sorted by channel, each filling the outputs of every pick that names it. */
function channelRequests(
  picks: readonly number[],
  outputs: Float64Array[],
  channels: CtfChannel[],
): ChannelRequest[] {
  const byChannel = new Map<number, ChannelRequest>();
  picks.forEach((channel, k) => {
    const out = outputs[k] as Float64Array;
    const existing = byChannel.get(channel);
    if (existing) existing.outputs.push(out);
    else byChannel.set(channel, { channel, outputs: [out], cal: channels[channel]?.cal ?? Number.NaN });
  });
  return [...byChannel.values()].sort((x, y) => x.channel - y.channel);
}

async function readWindow(
  files: Meg4File[],
  layout: Meg4Layout,
  channels: CtfChannel[],
  picks: readonly number[],
  start: number,
  stop: number,
): Promise<Float64Array[]> {
  const outputs = channelArrays(picks.length, stop - start);
  const requests = channelRequests(picks, outputs, channels);
  let fileStart = 0;
  for (const file of files) {
    const [from, to] = [
      Math.max(start, fileStart) - fileStart,
      Math.min(stop, fileStart + file.nSamples) - fileStart,
    ];
    for (let trial = Math.floor(from / layout.nSamp); from < to && trial * layout.nSamp < to; trial++) {
      const trialStart = trial * layout.nSamp;
      const a = Math.max(from, trialStart) - trialStart;
      const b = Math.min(to, trialStart + layout.nSamp) - trialStart;
      await readTrialSpan(file, layout, trial, a, b, requests, fileStart + trialStart + a - start);
    }
    fileStart += file.nSamples;
  }
  return outputs;
}

interface Metadata {
  res4: Res4;
  transforms: CtfTransforms | null;
  channels: CtfChannel[];
  dig: DigPoint[];
  bads: string[];
}

/** Everything but the data files: header, head coils, EEG positions, dig points, bad channels. */
async function readMetadata(fs: SourceFs, dir: string, base: string, texts: SideTexts): Promise<Metadata> {
  const res4 = await readRes4File(fs, `${base}.res4`);
  const coils = parseHeadCoils((await texts.hc) ?? '');
  const transforms = makeCtfTransforms(coils);
  const eegFile = await texts.eeg;
  const eegPoints = eegFile === null ? [] : parseEegFile(eegFile);
  const placed = applyEegFile(
    convertChannels(res4.channels, transforms, eegFile === null),
    eegPoints,
    transforms,
  );
  const channels = placed.channels;
  // dig: .hc fiducials, then EEG points (from the .eeg file if there is one, else from the channels), then .pos
  const eegDig = eegFile === null ? eegDigPoints(channels) : placed.dig;
  const dig = [...coilDigPoints(coils, transforms), ...eegDig, ...(await readPosPoints(fs, dir, transforms))];
  const bads = parseBadChannels(
    await texts.badChannels,
    channels.map((c) => c.info.name),
  );
  return { res4, transforms, channels, dig, bads };
}

/** Opens a CTF `.ds` folder. */
export async function openCtf(dsPath: string, fs: SourceFs, _options: OpenOptions = {}): Promise<Recording> {
  const dir = trimEndOf(dsPath, '/');
  if (!dir.endsWith('.ds')) throw unreadableRecording(`${basename(dir)} is not a CTF .ds folder`);
  const base = join(dir, basename(dir).slice(0, -3));
  const texts = startSideTexts(fs, dir, base);
  const meta = await readMetadata(fs, dir, base, texts);
  const { res4, channels } = meta;
  const files = await openMeg4Files(fs, base, res4);
  const closeFiles = async (): Promise<void> => {
    await Promise.all(files.map((f: { source: ByteSource }) => f.source.close()));
  };
  const timing = {
    sfreq: res4.sfreq,
    nSamp: res4.nSamp,
    preTrigPts: res4.preTrigPts,
    nSamples: files.reduce((n, f) => n + f.nSamples, 0),
  };
  const events = await readEvents(texts, timing).catch(async (e: unknown) => {
    await closeFiles();
    throw e;
  });
  const info = buildInfo({ ...meta, files });
  const layout: Meg4Layout = { nChan: res4.nChan, nSamp: res4.nSamp };
  return {
    info,
    readEvents: eventsKnown(events),
    readWindow: async (picks, start, stop) => {
      checkWindow(picks, start, stop, info);
      return readWindow(files, layout, channels, picks, start, stop);
    },
    close: closeFiles,
  };
}
