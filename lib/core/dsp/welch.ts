/**
 * Welch power spectral density as `raw.compute_psd(method='welch')` in MNE-Python 1.3 (`psd_array_welch` →
 * scipy.signal.spectrogram): n_fft = 256 (capped at the window length), segments of n_fft samples without
 * overlap, each detrended by its mean and multiplied by a periodic Hamming window, one-sided density scaling
 * 1 / (sfreq · Σw²) with non-DC/non-Nyquist bins doubled, mean over segments. Frequencies k·sfreq/n_fft.
 * Band power follows `plot_psds_topomap`: mean over fmin < f < fmax (strict), optional 10·log10.
 */
import { fft, fftRadix2, isPowerOfTwo, makeFftPlan } from './fft';
import { invalidBand, pairwiseSum } from './fir';

export const DEFAULT_N_FFT = 256;

export const BAND_NAMES = ['delta', 'theta', 'alpha', 'beta', 'gamma'] as const;
export type BandName = (typeof BAND_NAMES)[number];

/** MNE's default topomap bands (Hz, exclusive edges). */
export const BANDS: Readonly<Record<BandName, readonly [number, number]>> = {
  delta: [0, 4],
  theta: [4, 8],
  alpha: [8, 12],
  beta: [12, 30],
  gamma: [30, 45],
};

export interface Psd {
  freqs: Float64Array;
  /** psd[channel][frequency], in (unit)²/Hz. */
  psd: Float64Array[];
  nFft: number;
  nSegments: number;
}

/** scipy's get_window('hamming', n) (fftbins=True): the symmetric window of n + 1 points without its last. */
export function hammingPeriodic(n: number): Float64Array {
  const w = new Float64Array(n);
  if (n <= 1) return w.fill(1);
  const step = (2 * Math.PI) / n;
  const a1 = 1 - 0.54;
  for (let i = 0; i < n; i++) w[i] = 0.54 + a1 * Math.cos(i * step + -Math.PI);
  return w;
}

/** The one-sided density spectrum of one segment, added into `acc` (bins 0 … n/2). */
function accumulateSegment(
  segment: Float64Array,
  window: Float64Array,
  scale: number,
  acc: Float64Array,
  transform: (re: Float64Array, im: Float64Array) => void,
): void {
  const n = segment.length;
  const mean = pairwiseSum(segment) / n;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) re[i] = (window[i] as number) * ((segment[i] as number) - mean);
  transform(re, im);
  const bins = acc.length;
  const lastDoubled = n % 2 === 0 ? bins - 1 : bins;
  for (let k = 0; k < bins; k++) {
    const r = re[k] as number;
    const m = im[k] as number;
    let p = (r * r + m * m) * scale;
    if (k >= 1 && k < lastDoubled) p *= 2;
    acc[k] = (acc[k] as number) + p;
  }
}

/** Welch PSD of each channel (all the same length ≥ 1). */
export function welchPsd(data: Float64Array[], sfreq: number, nFftWanted = DEFAULT_N_FFT): Psd {
  const nTimes = data[0]?.length ?? 0;
  if (nTimes < 1) throw new RangeError('Welch PSD needs at least one sample');
  if (data.some((x) => x.length !== nTimes)) throw new RangeError('all channels must have the same length');
  if (!Number.isInteger(nFftWanted) || nFftWanted < 1)
    throw new RangeError(`n_fft must be a positive integer`);
  if (!(sfreq > 0)) throw new RangeError(`sfreq must be positive, got ${sfreq}`);
  const nFft = Math.min(nFftWanted, nTimes);
  const nSegments = Math.floor(nTimes / nFft);
  const window = hammingPeriodic(nFft);
  const scale = 1 / (sfreq * pairwiseSum(window.map((w) => w * w)));
  const plan = isPowerOfTwo(nFft) ? makeFftPlan(nFft) : null;
  const transform = (re: Float64Array, im: Float64Array): void =>
    plan ? fftRadix2(plan, re, im) : fft(re, im);
  const bins = Math.floor(nFft / 2) + 1;
  const freqs = new Float64Array(bins);
  for (let k = 0; k < bins; k++) freqs[k] = k * (sfreq / nFft);
  const psd = data.map((x) => {
    const acc = new Float64Array(bins);
    for (let s = 0; s < nSegments; s++) {
      accumulateSegment(x.subarray(s * nFft, (s + 1) * nFft), window, scale, acc, transform);
    }
    return acc.map((v) => v / nSegments);
  });
  return { freqs, psd, nFft, nSegments };
}

export interface BandOptions {
  /** 10·log10 of the band mean (ignored with normalize, as MNE). */
  dB?: boolean;
  /** Divide each spectrum by its total first and sum over the band (MNE's normalize=True). */
  normalize?: boolean;
}

/** Indices of the bins with fmin < f < fmax; `invalid_band` when there are none. */
export function bandBins(freqs: Float64Array, fmin: number, fmax: number): number[] {
  const bins: number[] = [];
  freqs.forEach((f, k) => {
    if (fmin < f && f < fmax) bins.push(k);
  });
  if (bins.length === 0) {
    const resolution = freqs.length > 1 ? (freqs[1] as number) : 0;
    throw invalidBand(
      `No frequencies in the band (${fmin}, ${fmax}) Hz: the spectrum has bins every ${resolution} Hz up to ` +
        `${freqs[freqs.length - 1] ?? 0} Hz (band edges are exclusive)`,
    );
  }
  return bins;
}

/** One value per channel: the band mean of the PSD (or the normalised sum), optionally in dB. */
export function bandPower(
  spectrum: Psd,
  fmin: number,
  fmax: number,
  options: BandOptions = {},
): Float64Array {
  const bins = bandBins(spectrum.freqs, fmin, fmax);
  return Float64Array.from(spectrum.psd, (p) => {
    if (options.normalize) {
      const total = pairwiseSum(p);
      return bins.reduce((s, k) => s + (p[k] as number) / total, 0);
    }
    const mean = bins.reduce((s, k) => s + (p[k] as number), 0) / bins.length;
    return options.dB ? 10 * Math.log10(mean) : mean;
  });
}
