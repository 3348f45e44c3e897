/**
 * From EDF signal headers to MNE's channel list (`_read_edf_header` + `_get_info`): annotation signals set
 * aside, duplicate labels made unique, the stim channel found, per-channel calibration, and the sampling rate.
 * Signals whose samples-per-record differ from the main rate are listed as excluded (MNE resamples them).
 */
import { unreadableRecording } from '../../core/errors';
import type { ChannelType } from '../types';
import { uniqueChannelNames } from '../eeg-shared/unique-names';
import type { EdfHeader } from './header';

const ANNOTATION_LABELS = ['EDF Annotations', 'BDF Annotations'];
const STIM_NAMES = ['status', 'trigger'];
/** MNE keeps the low 17 bits of stim channels. */
export const STIM_MASK = 2 ** 17 - 1;

export interface EdfChannel {
  name: string;
  type: ChannelType;
  /** Index of the signal in the file. */
  signal: number;
  /** value = (digital · cal + offset) · gain; stim channels are then truncated and masked. */
  cal: number;
  offset: number;
  gain: number;
  isStim: boolean;
  samplesPerRecord: number;
  /** Unit text from the header (MNE's orig_units). */
  origUnit: string;
}

export interface EdfLayout {
  sfreq: number;
  /** Samples per record of the channels offered (MNE's max_samp). */
  recordSamples: number;
  channels: EdfChannel[];
  excluded: { name: string; reason: string }[];
  /** Signal indices of the annotation (TAL) signals. */
  annotationSignals: number[];
  /** Offset of each signal within a record, in samples. */
  signalOffsets: number[];
  recordSamplesAll: number;
}

/** MNE's gain for a unit string decoded as latin-1 (µ as 0xB5, the Shift-JIS mu bytes, or "uV"). */
function unitGain(unit: string): number {
  if (unit === '\u03BCV' || unit === '\u00B5V' || unit === '\x83\xCAV' || unit === 'uV') return 1e-6;
  return unit === 'mV' ? 1e-3 : 1;
}

function calibration(s: EdfHeader['signals'][number]): { cal: number; offset: number } {
  let digitalRange = s.digitalMax - s.digitalMin;
  if (!Number.isFinite(digitalRange) || digitalRange === 0) digitalRange = 1;
  let physicalRange = s.physicalMax - s.physicalMin;
  if (physicalRange === 0) physicalRange = 1;
  const cal = physicalRange / digitalRange;
  return { cal, offset: s.physicalMin - s.digitalMin * cal };
}

/** MNE's 'auto' stim rule: the first channel whose lower-cased name is 'status' or 'trigger'. */
function stimIndices(names: readonly string[]): Set<number> {
  const lower = names.map((n) => n.toLowerCase());
  const found = new Set<number>();
  for (const stim of STIM_NAMES) {
    const index = lower.indexOf(stim);
    if (index >= 0) found.add(index);
  }
  return found;
}

function maxOf(values: readonly number[]): number {
  return values.reduce((m, v) => Math.max(m, v), -Infinity);
}

export function buildLayout(header: EdfHeader): EdfLayout {
  const signalOffsets: number[] = [];
  let total = 0;
  for (const s of header.signals) {
    signalOffsets.push(total);
    total += s.samplesPerRecord;
  }
  const annotationSignals = header.signals.flatMap((s, i) =>
    ANNOTATION_LABELS.includes(s.label) ? [i] : [],
  );
  const dataSignals = header.signals.flatMap((s, i) => (ANNOTATION_LABELS.includes(s.label) ? [] : [i]));
  if (dataSignals.length === 0) throw unreadableRecording('EDF file holds only annotation signals');
  const names = uniqueChannelNames(dataSignals.map((i) => header.signals[i]?.label ?? ''));
  const stim = stimIndices(names);
  const spr = dataSignals.map((i) => header.signals[i]?.samplesPerRecord ?? 0);
  const nonStim = spr.filter((_, k) => !stim.has(k));
  const recordSamples = maxOf(nonStim.length > 0 ? nonStim : spr);
  const sfreq = (recordSamples * 1) / header.recordDuration;
  // A subnormal record duration (e.g. 1e-320) overflows the rate: MNE opens it with sfreq inf, unusable for any
  // window, so it is the file's defect here (422), never a request error later.
  if (!Number.isFinite(sfreq)) {
    throw unreadableRecording(`record duration ${header.recordDuration} s gives a sampling rate of ${sfreq}`);
  }
  const channels: EdfChannel[] = [];
  const excluded: { name: string; reason: string }[] = [];
  dataSignals.forEach((signal, k) => {
    const s = header.signals[signal];
    const name = names[k];
    if (!s || name === undefined) return;
    if (s.samplesPerRecord !== recordSamples) {
      excluded.push({
        name,
        reason: `${s.samplesPerRecord} samples per record instead of ${recordSamples} (not resampled)`,
      });
      return;
    }
    const isStim = stim.has(k);
    const bdfStim = isStim && header.subtype === 'bdf';
    const { cal, offset } = bdfStim ? { cal: 1, offset: 0 } : calibration(s);
    channels.push({
      name,
      type: isStim ? 'stim' : 'eeg',
      signal,
      cal,
      offset,
      gain: isStim ? 1 : unitGain(s.unit),
      isStim,
      samplesPerRecord: s.samplesPerRecord,
      origUnit: s.unit,
    });
  });
  return {
    sfreq,
    recordSamples,
    channels,
    excluded,
    annotationSignals,
    signalOffsets,
    recordSamplesAll: total,
  };
}
