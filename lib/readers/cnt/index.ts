/**
 * Neuroscan CNT reader (after MNE 1.3 `read_raw_cnt` with default options: data_format='auto', every channel
 * EEG, positions from the header's 2-D layout lifted onto a sphere, events from the event table). Samples are
 * stored in blocks of `channelOffset` samples per channel (1 = multiplexed); a window reads only the blocks it
 * overlaps, through the record reader shared with EDF/BDF. Volts = (digital − baseline) × cal.
 */
import { quoteValue, unreadableRecording, unsupportedFormat } from '../../core/errors';
import { attachToRaw } from '../eeg-shared/annotations';
import { eventsKnown } from '../events';
import { uniqueChannelNames } from '../eeg-shared/unique-names';
import { checkWindow } from '../eeg-shared/window';
import { readDigital, type RecordGeometry } from '../edf/records';
import type { ByteSource, SourceFs } from '../source';
import {
  DEFAULT_MAX_DECODED_BYTES,
  type ChannelInfo,
  type DigPoint,
  type OpenOptions,
  type Recording,
  type RecordingInfo,
} from '../types';
import { readCntEvents } from './events';
import {
  ELECTLOC_BYTES,
  SETUP_BYTES,
  checkSetup,
  eventTablePosition,
  parseCntHeader,
  parseSetup,
  type CntHeader,
} from './header';
import { topoToSphere } from './positions';

/** Above this, MNE 1.3's uint16 header arithmetic (75 × n) overflows and it reads another layout. */
export const MAX_CNT_CHANNELS = 873;

async function readHeader(source: ByteSource): Promise<CntHeader> {
  if (source.size < SETUP_BYTES) throw unreadableRecording(`${source.name} is too short for a CNT header`);
  const setup = parseSetup(await source.read(0, SETUP_BYTES));
  if (setup.nChannels > MAX_CNT_CHANNELS) {
    throw unsupportedFormat(
      `${source.name}: ${quoteValue(String(setup.nChannels))} channels; CNT files with more than ` +
        `${MAX_CNT_CHANNELS} are not read (MNE 1.3's header arithmetic overflows)`,
    );
  }
  checkSetup(setup, source.size, source.name);
  const head = await source.read(0, SETUP_BYTES + ELECTLOC_BYTES * setup.nChannels);
  const header = parseCntHeader(head, setup, source.size, source.name);
  return { ...header, eventTablePos: eventTablePosition(setup, source.size, header.bytesPerSample) };
}

/** MNE's dig for CNT: the electrodes, then fiducials (MNE's order: nasion +y, LPA −x, RPA +x) × their mean radius. */
function digPoints(coords: [number, number, number][]): DigPoint[] {
  const eeg: DigPoint[] = coords.map((r, i) => ({ kind: 'eeg', ident: i + 1, r, coordFrame: 'head' }));
  const radius = coords.reduce((s, r) => s + Math.hypot(...r), 0) / coords.length;
  const cardinal: DigPoint[] = [
    { kind: 'cardinal', ident: 2, r: [0, radius, 0], coordFrame: 'head' },
    { kind: 'cardinal', ident: 1, r: [-radius, 0, 0], coordFrame: 'head' },
    { kind: 'cardinal', ident: 3, r: [radius, 0, 0], coordFrame: 'head' },
  ];
  return [...eeg, ...cardinal];
}

export async function openCnt(path: string, fs: SourceFs, options: OpenOptions = {}): Promise<Recording> {
  const source = await fs.open(path);
  try {
    const header = await readHeader(source);
    const names = uniqueChannelNames(header.channels.map((c) => c.name));
    const coords = topoToSphere(header.channels);
    const channels: ChannelInfo[] = header.channels.map((c, i) => {
      const loc = new Array<number>(12).fill(NaN);
      [loc[0], loc[1], loc[2]] = coords[i] ?? [NaN, NaN, NaN];
      return { name: names[i] ?? c.name, type: 'eeg', unit: 'V', coilType: 1, loc, coordFrame: 'head' };
    });
    const raw = await readCntEvents(source, {
      nChannels: header.nChannels,
      sfreq: header.sfreq,
      bytesPerSample: header.bytesPerSample,
      tablePos: header.eventTablePos,
      maxDecodedBytes: options.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES,
    });
    const info: RecordingInfo = {
      format: 'cnt',
      kind: 'raw',
      sfreq: header.sfreq,
      nSamples: header.nSamples,
      firstSample: 0,
      tmin: 0,
      channels,
      bads: header.channels.filter((c) => c.bad).map((c) => c.name),
      devHeadT: null,
      dig: digPoints(coords),
      projectors: [],
      excluded: [],
      notes: {
        bytesPerSample: header.bytesPerSample,
        channelOffset: header.channelOffset,
        ...(header.warnings.length > 0 ? { warnings: header.warnings.join('; ') } : {}),
      },
    };
    const g: RecordGeometry = {
      headerBytes: header.dataOffset,
      bytesPerSample: header.bytesPerSample,
      recordBytes: header.channelOffset * header.nChannels * header.bytesPerSample,
      recordSamples: header.channelOffset,
    };
    return {
      info,
      readEvents: eventsKnown(attachToRaw(raw, (header.nSamples - 1) / header.sfreq + 1 / header.sfreq)),
      async readWindow(picks, start, stop) {
        checkWindow(picks, start, stop, channels.length, header.nSamples);
        const slots = picks.map((p) => ({ signalOffset: p * header.channelOffset }));
        const digital = await readDigital(source, g, slots, start, stop);
        return digital.map((d, k) => {
          const c = header.channels[picks[k] ?? 0];
          const baseline = c?.baseline ?? 0;
          const cal = c?.cal ?? NaN;
          for (let i = 0; i < d.length; i++) d[i] = ((d[i] ?? 0) - baseline) * cal;
          return d;
        });
      },
      close: () => source.close(),
    };
  } catch (e) {
    await source.close();
    throw e;
  }
}
