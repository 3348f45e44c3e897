/**
 * EDF, EDF+, BDF and BDF+ reader (after MNE 1.3 `read_raw_edf` / `read_raw_bdf` with default options):
 * 2- or 3-byte samples chosen by the file extension, channels in SI units, EDF+ annotations as events (read when
 * first asked for: the annotation signal is spread over every record, one small read per record, and a map
 * needs none of it).
 */
import { extname } from 'node:path';
import { quoteValue, unreadableRecording, unsupportedFormat } from '../../core/errors';
import type { ByteSource, SourceFs } from '../source';
import { LIMITS, type ChannelInfo, type OpenOptions, type Recording, type RecordingInfo } from '../types';
import { attachToRaw } from '../eeg-shared/annotations';
import { eventsOnDemand } from '../events';
import { checkWindow } from '../eeg-shared/window';
import { decodeTals, parseTals } from './annotations';
import { buildLayout, STIM_MASK, type EdfChannel, type EdfLayout } from './channels';
import { parseEdfHeader, parseFixedHeader, type EdfHeader, type EdfSubtype } from './header';
import { readDigital, readSignalBytes, type RecordGeometry } from './records';

function subtypeOf(path: string): EdfSubtype {
  const ext = extname(path).slice(1).toLowerCase();
  if (ext === 'edf' || ext === 'bdf') return ext;
  throw unsupportedFormat(`${quoteValue(ext)} is not an EDF (.edf) or BDF (.bdf) file`);
}

async function readHeader(source: ByteSource, subtype: EdfSubtype): Promise<EdfHeader> {
  if (source.size < 256) throw unreadableRecording(`${source.name} is too short for an EDF header`);
  const { headerBytes } = parseFixedHeader(await source.read(0, 256));
  if (headerBytes > source.size || headerBytes > LIMITS.maxHeaderBytes) {
    throw unreadableRecording(`${source.name}: header of ${headerBytes} bytes does not fit in the file`);
  }
  return parseEdfHeader(await source.read(0, headerBytes), source.size, subtype);
}

function geometry(header: EdfHeader, layout: EdfLayout): RecordGeometry {
  return {
    headerBytes: header.headerBytes,
    bytesPerSample: header.bytesPerSample,
    recordBytes: layout.recordSamplesAll * header.bytesPerSample,
    recordSamples: layout.recordSamples,
  };
}

async function readEvents(source: ByteSource, header: EdfHeader, layout: EdfLayout, nSamples: number) {
  if (layout.annotationSignals.length === 0) return [];
  const g = geometry(header, layout);
  const signals = layout.annotationSignals.map((i) => ({
    offset: layout.signalOffsets[i] ?? 0,
    samples: header.signals[i]?.samplesPerRecord ?? 0,
  }));
  const total = signals.reduce((sum, s) => sum + s.samples, 0) * header.bytesPerSample * header.nRecords;
  if (total > LIMITS.maxHeaderBytes)
    throw unreadableRecording(`EDF annotations take ${total} bytes, over the limit`);
  const text = decodeTals(await readSignalBytes(source, g, header.nRecords, signals));
  return attachToRaw(parseTals(text), (nSamples - 1) / layout.sfreq + 1 / layout.sfreq);
}

function channelInfo(c: EdfChannel): ChannelInfo {
  return {
    name: c.name,
    type: c.type,
    unit: c.isStim ? '' : 'V',
    coilType: c.isStim ? 0 : 1,
    loc: new Array<number>(12).fill(NaN),
    coordFrame: 'head',
  };
}

/** Digital → physical (SI) in MNE's order of operations; stim channels truncated to integers and masked. */
function toPhysical(digital: Float64Array, c: EdfChannel): Float64Array {
  for (let i = 0; i < digital.length; i++) {
    const v = ((digital[i] ?? 0) * c.cal + c.offset) * c.gain;
    digital[i] = c.isStim ? ((Math.trunc(v) % (STIM_MASK + 1)) + STIM_MASK + 1) % (STIM_MASK + 1) : v;
  }
  return digital;
}

export async function openEdf(path: string, fs: SourceFs, _options: OpenOptions = {}): Promise<Recording> {
  const subtype = subtypeOf(path);
  const source = await fs.open(path);
  try {
    const header = await readHeader(source, subtype);
    const layout = buildLayout(header);
    const nSamples = header.nRecords * layout.recordSamples;
    const info: RecordingInfo = {
      format: subtype,
      kind: 'raw',
      sfreq: layout.sfreq,
      nSamples,
      firstSample: 0,
      tmin: 0,
      channels: layout.channels.map(channelInfo),
      bads: [],
      devHeadT: null,
      dig: [],
      projectors: [],
      excluded: layout.excluded,
      notes: {
        declaredRecords: header.declaredRecords,
        ...(header.measDate ? { measDate: header.measDate } : {}),
      },
    };
    const g = geometry(header, layout);
    return {
      info,
      readEvents: eventsOnDemand(() => readEvents(source, header, layout, nSamples)),
      async readWindow(picks, start, stop) {
        checkWindow(picks, start, stop, layout.channels.length, nSamples);
        const chosen = picks.map((p) => layout.channels[p] as EdfChannel);
        const slots = chosen.map((c) => ({ signalOffset: layout.signalOffsets[c.signal] ?? 0 }));
        const digital = await readDigital(source, g, slots, start, stop);
        return digital.map((d, k) => toPhysical(d, chosen[k] as EdfChannel));
      },
      close: () => source.close(),
    };
  } catch (e) {
    await source.close();
    throw e;
  }
}
