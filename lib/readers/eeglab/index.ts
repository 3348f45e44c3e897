/**
 * EEGLAB .set reader (after MNE 1.3's `read_raw_eeglab` / `read_epochs_eeglab`). The .set is a MATLAB v5
 * MAT-file (read whole) or a v7.3 HDF5 file; samples come from the numeric EEG.data inside it or from the
 * .fdt file it names (float32 LE, each time point holding all channels, µV), read by window.
 */
import { basename, dirname, extname, join } from 'node:path';
import { unreadableRecording, unsupportedFormat } from '../../core/errors';
import type { ByteSource, SourceFs } from '../source';
import {
  DEFAULT_MAX_DECODED_BYTES,
  type OpenOptions,
  type Recording,
  type RecordingEvent,
  type RecordingInfo,
} from '../types';
import { eventsKnown } from '../events';
import { matFileVersion, readMat5 } from '../mat/mat5';
import type { MatVariables } from '../mat/types';
import { eegChannels, epochEvents, epochLabels, rawEvents } from './info';
import { readMat73 } from './mat73';
import type { EegSet } from './set';
import { parseEegSet } from './set';
import { channelArrays } from '../../core/channel-arrays';

/** EEGLAB stores µV; MNE's fixed calibration. */
const CAL = 1e-6;
const BLOCK_BYTES = 1024 * 1024;

/** Samples of all channels, multiplexed: sample s of channel c at index c + nbchan * s. */
interface SampleStore {
  read(start: number, stop: number): Promise<(index: number) => number>;
  close(): Promise<void>;
}

export async function openEeglab(path: string, fs: SourceFs, options: OpenOptions = {}): Promise<Recording> {
  const maxBytes = options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES;
  const vars = await readSetVariables(path, fs, maxBytes);
  const set = parseEegSet(vars, basename(path));
  const store = await openSamples(set, path, fs);
  const { info, events } = buildInfo(set);
  return {
    info,
    readEvents: eventsKnown(events),
    readWindow: (picks, start, stop) => readWindow(store, info, set.nbchan, picks, start, stop),
    close: () => store.close(),
  };
}

async function readSetVariables(path: string, fs: SourceFs, maxBytes: number): Promise<MatVariables> {
  const src = await fs.open(path);
  try {
    if (src.size < 128) throw unreadableRecording(`${src.name} is too short for a MAT-file`);
    const version = matFileVersion(await src.read(0, 128));
    if (version === 'v7.3') return await readMat73(await readAll(src, maxBytes), src.name, maxBytes);
    if (version !== 'v5') throw unsupportedFormat(`${src.name} is not a MATLAB MAT-file`);
    const bytes = await readAll(src, maxBytes);
    // The file's own bytes stay in memory while it is parsed: they count against the budget too.
    return readMat5(bytes, src.name, { maxDecodedBytes: maxBytes - bytes.length });
  } finally {
    await src.close();
  }
}

async function readAll(src: ByteSource, maxBytes: number): Promise<Uint8Array> {
  if (src.size > maxBytes) throw unreadableRecording(`${src.name} is larger than ${maxBytes} bytes`);
  return src.read(0, src.size);
}

function buildInfo(set: EegSet): { info: RecordingInfo; events: RecordingEvent[] } {
  const { channels, dig, fileUnits } = eegChannels(set);
  const epoched = set.trials > 1;
  const nSamples = set.pnts * set.trials;
  const labels = epoched ? epochLabels(set) : undefined;
  const info: RecordingInfo = {
    format: 'eeglab',
    kind: epoched ? 'epochs' : 'raw',
    sfreq: set.srate,
    nSamples,
    firstSample: 0,
    tmin: epoched ? set.xmin : 0,
    channels,
    bads: [],
    devHeadT: null,
    dig,
    projectors: [],
    excluded: [],
    ...(fileUnits ? { fileUnits } : {}),
  };
  if (labels) {
    info.notes = {
      trials: set.trials,
      samplesPerEpoch: set.pnts,
      eventId: JSON.stringify(Object.fromEntries(labels.eventId)),
    };
  }
  return { info, events: labels ? epochEvents(set, labels) : rawEvents(set.events, set.srate, nSamples) };
}

async function openSamples(set: EegSet, setPath: string, fs: SourceFs): Promise<SampleStore> {
  const total = set.nbchan * set.pnts * set.trials;
  if ('values' in set.data) {
    const values = set.data.values.real;
    if (values.length !== total) {
      throw unreadableRecording(
        `EEG.data holds ${values.length} values for ${set.nbchan}×${set.pnts}×${set.trials}`,
      );
    }
    return {
      read: async (start) => (i) => (values[i + start * set.nbchan] ?? NaN) * CAL,
      close: async () => {},
    };
  }
  const src = await fs.open(await findFdt(setPath, set.data.file, fs));
  if (src.size < total * 4) {
    await src.close();
    throw unreadableRecording(`${src.name} holds ${src.size} bytes, ${total * 4} needed`);
  }
  return {
    read: async (start, stop) => {
      const bytes = await src.read(start * set.nbchan * 4, (stop - start) * set.nbchan * 4);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return (i) => view.getFloat32(i * 4, true) * CAL;
    },
    close: () => src.close(),
  };
}

/** The data file EEG.data names, beside the .set; or the .set's own name with .fdt, as MNE falls back to. */
async function findFdt(setPath: string, dataName: string, fs: SourceFs): Promise<string> {
  const ext = extname(dataName).toLowerCase();
  if (ext === '.dat') throw unsupportedFormat('old EEGLAB .dat data files are not supported');
  if (ext !== '.fdt') throw unsupportedFormat(`EEG.data names a ${ext || 'extension-less'} file, not a .fdt`);
  const named = join(dirname(setPath), basename(dataName.replace(/\\/g, '/')));
  if (await fs.exists(named)) return named;
  const sibling = setPath.replace(/\.set$/i, '') + '.fdt';
  if (await fs.exists(sibling)) return sibling;
  throw unreadableRecording(`the data file ${basename(named)} is missing`);
}

async function readWindow(
  store: SampleStore,
  info: RecordingInfo,
  nbchan: number,
  picks: readonly number[],
  start: number,
  stop: number,
): Promise<Float64Array[]> {
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(stop) ||
    start < 0 ||
    stop > info.nSamples ||
    stop < start
  ) {
    throw unreadableRecording(`window [${start}, ${stop}) is outside 0..${info.nSamples}`);
  }
  for (const p of picks) {
    if (!Number.isInteger(p) || p < 0 || p >= nbchan)
      throw unreadableRecording(`channel index ${p} out of range`);
  }
  const n = stop - start;
  const out = channelArrays(picks.length, n);
  // Read in blocks so a long window of a wide recording never needs one huge buffer.
  const block = Math.max(1, Math.floor(BLOCK_BYTES / (nbchan * 4)));
  for (let from = start; from < stop; from += block) {
    const to = Math.min(stop, from + block);
    const at = await store.read(from, to);
    picks.forEach((c, k) => {
      const row = out[k] as Float64Array;
      for (let s = from; s < to; s++) row[s - start] = at(c + nbchan * (s - from));
    });
  }
  return out;
}
