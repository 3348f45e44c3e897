/**
 * BrainVision reader (after MNE 1.3 `read_raw_brainvision` with default options): .vhdr header, binary .eeg
 * data in SI units, .vmrk markers as events (type = marker type, value = description), and [Coordinates] as
 * head-frame EEG positions. `info.notes.positions === 'file'` tells the positions layer the file carried them.
 */
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { quoteValue, unreadableRecording } from '../../core/errors';
import type { ByteSource, SourceFs } from '../source';
import {
  LIMITS,
  type ChannelInfo,
  type OpenOptions,
  type Recording,
  type RecordingEvent,
  type RecordingInfo,
} from '../types';
import { attachToRaw } from '../eeg-shared/annotations';
import { eventsKnown } from '../events';
import { isoFromMicros } from '../eeg-shared/dates';
import { checkWindow } from '../eeg-shared/window';
import { positionsFromCoordinates, type BvPositions } from './coordinates';
import { readRaw, type BvDataLayout } from './data';
import { BYTES_PER_SAMPLE, parseVhdr, type BvChannel, type BvHeader } from './header';
import { parseVmrk, type BvMarkers } from './markers';

/** Value of `info.notes.positions` when channel positions came from the recording itself. */
export const POSITIONS_FROM_FILE = 'file';

export const carriesFilePositions = (info: RecordingInfo): boolean =>
  info.notes?.positions === POSITIONS_FROM_FILE;

/** A file named by the header, kept inside the header's folder. */
function siblingPath(vhdrPath: string, name: string, what: string): string {
  const relative = normalize(name);
  if (!name || isAbsolute(name) || relative === '..' || relative.startsWith(`..${sep}`)) {
    throw unreadableRecording(`BrainVision ${what} ${quoteValue(name)} is outside the header's folder`);
  }
  return join(dirname(vhdrPath), relative);
}

async function readWhole(fs: SourceFs, path: string, what: string): Promise<Uint8Array> {
  if (!(await fs.exists(path)))
    throw unreadableRecording(
      `the BrainVision ${what} ${quoteValue(path.split(sep).pop() ?? '')} is missing`,
    );
  const src = await fs.open(path);
  try {
    if (src.size > LIMITS.maxHeaderBytes)
      throw unreadableRecording(`the BrainVision ${what} is too large (${src.size} bytes)`);
    return await src.read(0, src.size);
  } finally {
    await src.close();
  }
}

async function openData(fs: SourceFs, path: string): Promise<ByteSource> {
  if (!(await fs.exists(path)))
    throw unreadableRecording(
      `the BrainVision data file ${quoteValue(path.split(sep).pop() ?? '')} is missing`,
    );
  return fs.open(path);
}

function channelInfo(c: BvChannel, index: number, pos: BvPositions | null): ChannelInfo {
  const loc = new Array<number>(12).fill(NaN);
  const r = pos?.positions.get(index);
  if (r && pos) loc.splice(0, 6, ...r, ...pos.reference);
  const misc = pos?.toMisc.has(index) ?? false;
  return {
    name: c.name,
    type: misc ? 'misc' : c.type,
    unit: misc ? '' : c.unit,
    coilType: c.type === 'eeg' && !misc ? 1 : 0,
    loc,
    coordFrame: 'head',
  };
}

/** MNE's annotations from markers: onsets relative to the first sample, sorted and cropped to the data. */
function markerEvents(m: BvMarkers, sfreq: number, nSamples: number): RecordingEvent[] {
  // When both dates are known MNE shifts onsets by their difference; with only orig_time it refuses the file,
  // where this reader keeps the onsets relative to the first sample.
  const shift = m.origTime !== null && m.measDate !== null ? (m.measDate - m.origTime) / 1e6 : 0;
  const events = m.markers.map((k) => ({
    onset: k.sample / sfreq - shift,
    duration: k.size / sfreq,
    type: k.type,
    value: k.description,
  }));
  return attachToRaw(events, (nSamples - 1) / sfreq + 1 / sfreq);
}

function buildInfo(h: BvHeader, m: BvMarkers, nSamples: number, pos: BvPositions | null): RecordingInfo {
  const channels = h.channels.map((c, i) => channelInfo(c, i, pos));
  const notes: Record<string, string | number> = { headerVersion: h.version };
  if (pos && pos.positions.size > 0) notes.positions = POSITIONS_FROM_FILE;
  if (m.measDate !== null) notes.measDate = isoFromMicros(m.measDate);
  return {
    format: 'brainvision',
    kind: 'raw',
    sfreq: h.sfreq,
    nSamples,
    firstSample: 0,
    tmin: 0,
    channels,
    bads: [],
    devHeadT: null,
    dig: pos?.dig ?? [],
    projectors: [],
    excluded: [],
    notes,
  };
}

export async function openBrainVision(
  vhdrPath: string,
  fs: SourceFs,
  _options: OpenOptions = {},
): Promise<Recording> {
  const header = parseVhdr(await readWhole(fs, vhdrPath, 'header'));
  const markers = parseVmrk(
    await readWhole(fs, siblingPath(vhdrPath, header.markerFile, 'MarkerFile'), 'marker file'),
  );
  const positions = header.coordinates ? positionsFromCoordinates(header.coordinates, header.channels) : null;
  const data = await openData(fs, siblingPath(vhdrPath, header.dataFile, 'DataFile'));
  const layout: BvDataLayout = {
    orientation: header.orientation,
    format: header.binaryFormat,
    nChannels: header.channels.length,
    nSamples: Math.floor(data.size / (BYTES_PER_SAMPLE[header.binaryFormat] * header.channels.length)),
  };
  if (layout.nSamples < 1) {
    await data.close();
    throw unreadableRecording(`${data.name} holds no complete sample of ${layout.nChannels} channels`);
  }
  const info = buildInfo(header, markers, layout.nSamples, positions);
  return {
    info,
    readEvents: eventsKnown(markerEvents(markers, header.sfreq, layout.nSamples)),
    async readWindow(picks, start, stop) {
      checkWindow(picks, start, stop, layout.nChannels, layout.nSamples);
      const raw = await readRaw(data, layout, picks, start, stop);
      return raw.map((values, k) => {
        const factor = header.channels[picks[k] as number]?.factor ?? NaN;
        for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) * factor;
        return values;
      });
    },
    close: () => data.close(),
  };
}
