/**
 * MNE-Python 1.3's default FIR design for `raw.filter(l_freq, h_freq)`: method 'fir', phase 'zero', hamming
 * window, 'firwin' design, 'auto' filter length and transition bandwidths (mne/filter.py `create_filter`,
 * `_triage_filter_params`, `_firwin_design`; scipy.signal.firwin). The same arithmetic in the same order, so
 * the coefficients agree with MNE's to rounding.
 */
import { ApiError } from '../errors';

export type FilterKind = 'allpass' | 'lowpass' | 'highpass' | 'bandpass' | 'bandstop';

export interface FirFilter {
  kind: FilterKind;
  sfreq: number;
  lFreq: number | null;
  hFreq: number | null;
  /** The 'auto' transition bandwidths in Hz (null when that edge is absent). */
  lTransBandwidth: number | null;
  hTransBandwidth: number | null;
  /** Gain control points in Hz (0 … Nyquist) and their gains, as passed to `_firwin_design`. */
  freq: number[];
  gain: number[];
  /** Odd-length, symmetric (linear-phase) coefficients. */
  h: Float64Array;
}

/**
 * Longest filter designed (taps), e.g. a 0.0165 Hz high-pass at 1 kHz or 0.066 Hz at 4 kHz: a very low high-pass
 * at a high rate would otherwise allocate (and ask the caller to read as context) without bound.
 */
export const MAX_FILTER_LENGTH = 200_001;

/** MNE's `_length_factors['hamming']`: taps per (transition bandwidth / sfreq). */
const HAMMING_LENGTH_FACTOR = 3.3;

export const invalidBand = (message: string): ApiError => new ApiError(400, 'invalid_band', message);

const validRange = (nyquist: number): string =>
  `valid frequencies are 0 < f < ${nyquist} Hz (the Nyquist frequency)`;

/** Python's round(): nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** numpy's pairwise summation (blocks of 8 accumulators, split above 128), for sums that match numpy's. */
export function pairwiseSum(a: Float64Array, start = 0, n = a.length): number {
  if (n < 8) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[start + i] as number;
    return s;
  }
  if (n <= 128) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = a[start + j] as number;
    let i = 8;
    for (; i < n - (n % 8); i += 8)
      for (let j = 0; j < 8; j++) r[j] = (r[j] as number) + (a[start + i + j] as number);
    let s = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) s += a[start + i] as number;
    return s;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwiseSum(a, start, half) + pairwiseSum(a, start + half, n - half);
}

/** scipy.signal.windows.hamming(n, sym=True): 0.54 + 0.46·cos over numpy.linspace(−π, π, n). */
export function hammingSymmetric(n: number): Float64Array {
  const w = new Float64Array(n);
  if (n <= 1) return w.fill(1);
  const step = (2 * Math.PI) / (n - 1);
  const a1 = 1 - 0.54;
  for (let i = 0; i < n; i++) {
    const fac = i === n - 1 ? Math.PI : i * step + -Math.PI;
    w[i] = 0.54 + a1 * Math.cos(fac);
  }
  return w;
}

/** numpy.sinc. */
const sinc = (x: number): number => {
  const y = Math.PI * (x === 0 ? 1e-20 : x);
  return Math.sin(y) / y;
};

/** scipy.signal.firwin(n, cutoff, window='hamming', pass_zero=True, fs=2): a windowed-sinc low-pass, unit DC gain. */
export function firwinLowpass(n: number, cutoff: number): Float64Array {
  const alpha = 0.5 * (n - 1);
  const win = hammingSymmetric(n);
  const h = new Float64Array(n);
  for (let i = 0; i < n; i++) h[i] = cutoff * sinc(cutoff * (i - alpha)) * (win[i] as number);
  const s = pairwiseSum(h);
  for (let i = 0; i < n; i++) h[i] = (h[i] as number) / s;
  return h;
}

/**
 * MNE's `_firwin_design`: walk the gain steps from Nyquist down, adding or subtracting a low-pass (of the
 * length its own transition needs) at each step. `freqNorm` is in units of Nyquist.
 */
function firwinDesign(n: number, freqNorm: number[], gain: number[], sfreq: number): Float64Array {
  const h = new Float64Array(n);
  let prevFreq = freqNorm[freqNorm.length - 1] as number;
  let prevGain = gain[gain.length - 1] as number;
  if (prevGain === 1) h[n >> 1] = 1;
  for (let i = freqNorm.length - 2; i >= 0; i--) {
    const thisFreq = freqNorm[i] as number;
    const thisGain = gain[i] as number;
    if (thisGain !== prevGain) {
      const transition = (prevFreq - thisFreq) / 2;
      let thisN = roundHalfEven(HAMMING_LENGTH_FACTOR / transition);
      thisN += 1 - (thisN % 2);
      if (thisN > n) {
        throw invalidBand(
          `The filter length ${n} is too short for the ${((transition * sfreq) / 2).toFixed(2)} Hz transition ` +
            `band, which requires ${thisN} samples (as MNE-Python); choose band edges further apart`,
        );
      }
      const lowpass = firwinLowpass(thisN, (prevFreq + thisFreq) / 2);
      const offset = (n - thisN) >> 1;
      const sign = thisGain === 0 ? -1 : 1;
      for (let k = 0; k < thisN; k++)
        h[offset + k] = (h[offset + k] as number) + sign * (lowpass[k] as number);
    }
    prevGain = thisGain;
    prevFreq = thisFreq;
  }
  return h;
}

/** 'auto' lower transition bandwidth: min(max(0.25·l, 2), l). */
export const autoLowTransition = (lFreq: number): number => Math.min(Math.max(0.25 * lFreq, 2), lFreq);
/** 'auto' upper transition bandwidth: min(max(0.25·h, 2), Nyquist − h). */
export const autoHighTransition = (hFreq: number, sfreq: number): number =>
  Math.min(Math.max(0.25 * hFreq, 2), sfreq / 2 - hFreq);

/** 'auto' filter length: ceil(3.3 / narrowest transition × sfreq), made odd. */
export function autoFilterLength(sfreq: number, transitions: number[]): number {
  const narrowest = Math.min(Infinity, ...transitions);
  let n = Math.max(Math.ceil((HAMMING_LENGTH_FACTOR / narrowest) * sfreq), 1);
  n += (n - 1) % 2;
  if (!(n <= MAX_FILTER_LENGTH)) {
    throw invalidBand(
      `The filter would need ${n} taps (limit ${MAX_FILTER_LENGTH}); use a higher high-pass frequency`,
    );
  }
  return n;
}

function checkInputs(sfreq: number, lFreq: number | null, hFreq: number | null): void {
  if (!(Number.isFinite(sfreq) && sfreq > 0))
    throw invalidBand(`The sampling rate ${sfreq} Hz is not positive`);
  const nyquist = sfreq / 2;
  for (const [name, f] of [
    ['l_freq', lFreq],
    ['h_freq', hFreq],
  ] as const) {
    if (f === null) continue;
    if (!Number.isFinite(f)) throw invalidBand(`${name} ${f} is not a number; ${validRange(nyquist)}`);
    if (f >= nyquist)
      throw invalidBand(`${name} ${f} Hz must be less than the Nyquist frequency; ${validRange(nyquist)}`);
    if (f < 0 || (name === 'h_freq' && f === 0)) {
      throw invalidBand(`${name} ${f} Hz must be greater than zero; ${validRange(nyquist)}`);
    }
  }
}

interface Plan {
  kind: FilterKind;
  freq: number[];
  gain: number[];
  lTrans: number | null;
  hTrans: number | null;
}

function planLowpass(sfreq: number, hFreq: number): Plan {
  const nyquist = sfreq / 2;
  const hTrans = autoHighTransition(hFreq, sfreq);
  const stop = hFreq + hTrans;
  if (stop > nyquist)
    throw invalidBand(`Low-pass stop frequency ${stop} Hz exceeds Nyquist; ${validRange(nyquist)}`);
  const freq = [0, hFreq, stop];
  const gain = [1, 1, 0];
  if (stop !== nyquist) {
    freq.push(nyquist);
    gain.push(0);
  }
  return { kind: 'lowpass', freq, gain, lTrans: null, hTrans };
}

function planHighpass(sfreq: number, lFreq: number): Plan {
  const lTrans = autoLowTransition(lFreq);
  const stop = lFreq - lTrans;
  const freq = [stop, lFreq, sfreq / 2];
  const gain = [0, 1, 1];
  if (stop !== 0) {
    freq.unshift(0);
    gain.unshift(0);
  }
  return { kind: 'highpass', freq, gain, lTrans, hTrans: null };
}

function planBandpass(sfreq: number, lFreq: number, hFreq: number): Plan {
  const nyquist = sfreq / 2;
  const lTrans = autoLowTransition(lFreq);
  const hTrans = autoHighTransition(hFreq, sfreq);
  const stop2 = hFreq + hTrans;
  if (stop2 > nyquist)
    throw invalidBand(`Upper stop frequency ${stop2} Hz exceeds Nyquist; ${validRange(nyquist)}`);
  const freq = [lFreq - lTrans, lFreq, hFreq, stop2];
  const gain = [0, 1, 1, 0];
  if (stop2 !== nyquist) {
    freq.push(nyquist);
    gain.push(0);
  }
  if (freq[0] !== 0) {
    freq.unshift(0);
    gain.unshift(0);
  }
  return { kind: 'bandpass', freq, gain, lTrans, hTrans };
}

/** Band-stop (l_freq > h_freq): MNE triages with the edges swapped and the transitions moved inside the stop band. */
function planBandstop(sfreq: number, lFreq: number, hFreq: number): Plan {
  const nyquist = sfreq / 2;
  const lowEdge = hFreq;
  const highEdge = lFreq;
  const lTrans = autoLowTransition(lowEdge);
  const hTrans = autoHighTransition(highEdge, sfreq);
  const pass1 = lowEdge - lTrans + lTrans;
  const stop1 = lowEdge + lTrans;
  const pass2 = highEdge + hTrans - hTrans;
  const stop2 = highEdge - hTrans;
  const points = [
    [pass1, 1],
    [stop1, 0],
    [stop2, 0],
    [pass2, 1],
  ].sort((a, b) => (a[0] as number) - (b[0] as number));
  const freq = points.map((p) => p[0] as number);
  const gain = points.map((p) => p[1] as number);
  if (freq[0] !== 0) {
    freq.unshift(0);
    gain.unshift(1);
  }
  if (freq[freq.length - 1] !== nyquist) {
    freq.push(nyquist);
    gain.push(1);
  }
  for (let i = 2; i < gain.length; i++) {
    if (Math.abs((gain[i] as number) - 2 * (gain[i - 1] as number) + (gain[i - 2] as number)) > 1) {
      throw invalidBand('Stop bands are not sufficiently separated (band-stop edges too close)');
    }
  }
  // MNE's auto transitions for a band-stop are named by the triage's swapped roles: l for the lower edge
  return { kind: 'bandstop', freq, gain, lTrans, hTrans };
}

function planFilter(sfreq: number, lFreq: number | null, hFreq: number | null): Plan {
  if (lFreq === null && hFreq === null) {
    return { kind: 'allpass', freq: [0, sfreq / 2], gain: [1, 1], lTrans: null, hTrans: null };
  }
  if (lFreq === null) return planLowpass(sfreq, hFreq as number);
  if (hFreq === null) return planHighpass(sfreq, lFreq);
  return lFreq < hFreq ? planBandpass(sfreq, lFreq, hFreq) : planBandstop(sfreq, lFreq, hFreq);
}

/**
 * The filter `raw.filter(lFreq, hFreq)` applies in MNE 1.3 (defaults). `null` leaves that edge open; an l_freq
 * of 0 means none (as MNE). Frequencies outside (0, Nyquist) → ApiError 400 `invalid_band`.
 */
export function designFir(sfreq: number, lFreq: number | null, hFreq: number | null): FirFilter {
  checkInputs(sfreq, lFreq, hFreq);
  const l = lFreq === 0 ? null : lFreq;
  const plan = planFilter(sfreq, l, hFreq);
  const transitions = [plan.lTrans, plan.hTrans].filter((t): t is number => t !== null);
  const n = autoFilterLength(sfreq, transitions);
  const nyquist = sfreq / 2;
  const freqNorm = plan.freq.map((f) => f / nyquist);
  const h = firwinDesign(n, freqNorm, plan.gain, sfreq);
  return {
    kind: plan.kind,
    sfreq,
    lFreq: l,
    hFreq,
    lTransBandwidth: plan.lTrans,
    hTransBandwidth: plan.hTrans,
    freq: plan.freq,
    gain: plan.gain,
    h,
  };
}
