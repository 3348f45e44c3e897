/**
 * Per-channel values over a window, time-to-sample selection and event-related averages as MNE-Python 1.3
 * computes them: `_time_mask` (utils/numerics.py), `plot_evoked_topomap`'s time index and `average` window,
 * `Epochs` sample selection (`int(round(tmin·sfreq))` offsets, epochs outside the data dropped), `rescale`
 * mode 'mean' baselines, and the average EEG reference over good EEG channels.
 */
import { ApiError } from '../errors';
import { roundHalfEven } from './fir';
import { channelArrays } from '../channel-arrays';

export const invalidTime = (message: string): ApiError => new ApiError(400, 'invalid_time', message);

/** Python's int(round(x)): nearest integer, ties to even. */
const pyRound = roundHalfEven;

/** Sample times (s) of `n` samples starting at sample `first`: (first + i) / sfreq, as MNE's `times`. */
export function sampleTimes(first: number, n: number, sfreq: number): Float64Array {
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = (first + i) / sfreq;
  return t;
}

export interface SampleRange {
  start: number;
  /** Exclusive. */
  stop: number;
}

/**
 * MNE's `_time_mask(times, tmin, tmax, sfreq)`: samples with round(tmin·sfreq)/sfreq − ½/sfreq ≤ t ≤
 * round(tmax·sfreq)/sfreq + ½/sfreq (null = open end). `invalid_time` when nothing remains.
 */
export function timeMask(
  times: Float64Array,
  tmin: number | null,
  tmax: number | null,
  sfreq: number,
): SampleRange {
  const first = times[0];
  const last = times[times.length - 1];
  if (first === undefined || last === undefined) throw invalidTime('There are no samples to select from');
  const lo = pyRound((tmin ?? first) * sfreq) / sfreq - 0.5 / sfreq;
  const hi = pyRound((tmax ?? last) * sfreq) / sfreq + 0.5 / sfreq;
  if (lo > hi) throw invalidTime(`tmin (${tmin}) must be less than or equal to tmax (${tmax})`);
  let start = 0;
  while (start < times.length && !((times[start] as number) >= lo && (times[start] as number) <= hi)) start++;
  let stop = start;
  while (stop < times.length && (times[stop] as number) >= lo && (times[stop] as number) <= hi) stop++;
  if (start === stop) {
    throw invalidTime(
      `No samples between tmin=${tmin} and tmax=${tmax} s (the data spans ${first} to ${last} s)`,
    );
  }
  return { start, stop };
}

/** The sample a topomap at time t shows (`plot_evoked_topomap`): the first of `_time_mask(times, t, None)`. */
export const nearestSample = (times: Float64Array, t: number, sfreq: number): number =>
  timeMask(times, t, null, sfreq).start;

/**
 * `plot_evoked_topomap(average=w)`: the samples strictly within ±w/2 of the time of the sample shown for t
 * (MNE centres on that sample's time, not on t). Empty when w is shorter than the sample spacing.
 */
export function averagingSamples(times: Float64Array, t: number, width: number, sfreq: number): number[] {
  if (!(width > 0))
    throw invalidTime(`The averaging window must be a positive number of seconds, got ${width}`);
  const centre = times[nearestSample(times, t, sfreq)] as number;
  const lo = centre - width / 2;
  const hi = centre + width / 2;
  const picked: number[] = [];
  times.forEach((time, i) => {
    if (lo < time && time < hi) picked.push(i);
  });
  return picked;
}

/** Per-channel mean over samples [start, stop). */
export function channelMeans(data: Float64Array[], range: SampleRange): Float64Array {
  const n = range.stop - range.start;
  return Float64Array.from(data, (x) => {
    let s = 0;
    for (let i = range.start; i < range.stop; i++) s += x[i] as number;
    return s / n;
  });
}

/** Per-channel root mean square over samples [start, stop). */
export function channelRms(data: Float64Array[], range: SampleRange): Float64Array {
  const n = range.stop - range.start;
  return Float64Array.from(data, (x) => {
    let s = 0;
    for (let i = range.start; i < range.stop; i++) s += (x[i] as number) ** 2;
    return Math.sqrt(s / n);
  });
}

/** Per-channel mean over an explicit list of sample indices (e.g. from `averagingSamples`). */
export function channelMeansAt(data: Float64Array[], indices: number[]): Float64Array {
  return Float64Array.from(data, (x) => indices.reduce((s, i) => s + (x[i] as number), 0) / indices.length);
}

export interface EpochLayout {
  /** Offset of the first epoch sample from the event, in samples: int(round(tmin·sfreq)). */
  startOffset: number;
  length: number;
  /** Epoch times (s): (startOffset + i) / sfreq. */
  times: Float64Array;
}

/** MNE Epochs' `_raw_times`: samples round(tmin·sfreq) … round(tmax·sfreq) inclusive. */
export function epochLayout(tmin: number, tmax: number, sfreq: number): EpochLayout {
  const startOffset = pyRound(tmin * sfreq);
  const length = pyRound(tmax * sfreq) + 1 - startOffset;
  if (!(length >= 1))
    throw invalidTime(`The epoch tmin (${tmin}) must be less than or equal to tmax (${tmax})`);
  return { startOffset, length, times: sampleTimes(startOffset, length, sfreq) };
}

/** The raw sample range of one epoch, or null when it runs outside [0, nTimes) (MNE drops such epochs). */
export function epochRange(
  onset: number,
  layout: EpochLayout,
  sfreq: number,
  nTimes: number,
): SampleRange | null {
  const start = pyRound(onset + (layout.times[0] as number) * sfreq);
  const stop = start + layout.length;
  return start < 0 || stop > nTimes ? null : { start, stop };
}

export type Baseline = [number | null, number | null];

/** `rescale`'s baseline slice over `times`: first t ≥ bmin to last t ≤ bmax (null = that end). */
export function baselineRange(times: Float64Array, baseline: Baseline): SampleRange {
  const [bmin, bmax] = baseline;
  let start = 0;
  if (bmin !== null) {
    start = times.findIndex((t) => t >= bmin);
    if (start < 0) throw invalidTime(`The baseline start (${bmin}) is after the last time of the epoch`);
  }
  let stop = times.length;
  if (bmax !== null) {
    let last = -1;
    times.forEach((t, i) => {
      if (t <= bmax) last = i;
    });
    if (last < 0) throw invalidTime(`The baseline end (${bmax}) is before the first time of the epoch`);
    stop = last + 1;
  }
  if (start >= stop) throw invalidTime(`The baseline (${bmin}, ${bmax}) selects no samples`);
  return { start, stop };
}

/** MNE's baseline checks (`_check_baseline`): ordered and within the epoch ± one sample. */
function checkBaseline(baseline: Baseline, times: Float64Array, sfreq: number): void {
  const tmin = times[0] as number;
  const tmax = times[times.length - 1] as number;
  const bmin = baseline[0] ?? tmin;
  const bmax = baseline[1] ?? tmax;
  if (bmin > bmax) throw invalidTime(`Baseline min (${bmin}) must be less than baseline max (${bmax})`);
  if (bmin < tmin - 1 / sfreq || bmax > tmax + 1 / sfreq) {
    throw invalidTime(`Baseline interval [${bmin}, ${bmax}] s is outside the epoch [${tmin}, ${tmax}] s`);
  }
}

/** Subtracts each channel's mean over the baseline samples (`rescale(..., mode='mean')`), in place. */
export function subtractBaseline(epoch: Float64Array[], range: SampleRange): void {
  for (const x of epoch) {
    let s = 0;
    for (let i = range.start; i < range.stop; i++) s += x[i] as number;
    const mean = s / (range.stop - range.start);
    for (let i = 0; i < x.length; i++) x[i] = (x[i] as number) - mean;
  }
}

export interface ErpOptions {
  tmin: number;
  tmax: number;
  /** null = no baseline correction. */
  baseline: Baseline | null;
}

export interface Erp {
  times: Float64Array;
  /** Event samples whose epochs were inside the data (in order). */
  kept: number[];
  /** average[channel][time]; empty channels when no epoch was kept. */
  average: Float64Array[];
}

/** Cuts one epoch (copies) from continuous data. */
export const cutEpoch = (data: Float64Array[], range: SampleRange): Float64Array[] =>
  data.map((x) => x.slice(range.start, range.stop));

/** Mean over epochs, per channel and sample. */
export function averageEpochs(epochs: Float64Array[][], nChannels: number, length: number): Float64Array[] {
  const sums = channelArrays(nChannels, length);
  for (const epoch of epochs) {
    epoch.forEach((x, c) => {
      const s = sums[c] as Float64Array;
      for (let i = 0; i < length; i++) s[i] = (s[i] as number) + (x[i] as number);
    });
  }
  return sums.map((s) => s.map((v) => v / epochs.length));
}

/**
 * An evoked response from continuous data (`data[channel][sample]`, sample 0 = the first sample of `onsets`'
 * frame): epochs tmin…tmax around each onset, dropped when outside the data, baseline-corrected, averaged.
 */
export function erp(data: Float64Array[], sfreq: number, onsets: number[], options: ErpOptions): Erp {
  const layout = epochLayout(options.tmin, options.tmax, sfreq);
  if (options.baseline) checkBaseline(options.baseline, layout.times, sfreq);
  const baseline = options.baseline ? baselineRange(layout.times, options.baseline) : null;
  const nTimes = data[0]?.length ?? 0;
  const kept: number[] = [];
  const epochs: Float64Array[][] = [];
  for (const onset of onsets) {
    const range = epochRange(onset, layout, sfreq, nTimes);
    if (!range) continue;
    const epoch = cutEpoch(data, range);
    if (baseline) subtractBaseline(epoch, baseline);
    kept.push(onset);
    epochs.push(epoch);
  }
  const average = epochs.length ? averageEpochs(epochs, data.length, layout.length) : [];
  return { times: layout.times, kept, average };
}

/**
 * Average reference (`set_eeg_reference('average')`): the mean over the good EEG channels is subtracted from
 * those channels; all other channels (bad EEG, non-EEG) are returned unchanged. New arrays.
 */
export function averageReference(data: Float64Array[], goodEeg: number[]): Float64Array[] {
  const out = data.map((x) => x.slice());
  if (goodEeg.length === 0) return out;
  const n = data[0]?.length ?? 0;
  const ref = new Float64Array(n);
  for (const c of goodEeg) {
    const x = data[c];
    if (!x) throw new RangeError(`channel index ${c} is out of range`);
    for (let i = 0; i < n; i++) ref[i] = (ref[i] as number) + (x[i] as number);
  }
  for (let i = 0; i < n; i++) ref[i] = (ref[i] as number) / goodEeg.length;
  for (const c of goodEeg) {
    const x = out[c] as Float64Array;
    for (let i = 0; i < n; i++) x[i] = (x[i] as number) - (ref[i] as number);
  }
  return out;
}
