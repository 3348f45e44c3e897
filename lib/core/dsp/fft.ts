/**
 * Small complex FFT: iterative radix-2 for powers of two (with an explicit, reusable plan) and Bluestein's
 * chirp-z algorithm for any other length. Arrays are split real/imaginary Float64Arrays transformed in place.
 * Forward is X[k] = Σ x[n]·e^{−2πikn/N}; inverse includes the 1/N factor.
 */

/** Twiddle factors and bit-reversal permutation for one power-of-two size (plain data, reusable). */
export interface FftPlan {
  n: number;
  /** Twiddles e^{−2πik/size} for every stage, stage of span `half` stored from offset half − 1 (k < half). */
  cos: Float64Array;
  sin: Float64Array;
  bitReverse: Uint32Array;
}

export const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export function makeFftPlan(n: number): FftPlan {
  if (!isPowerOfTwo(n)) throw new RangeError(`FFT plan size must be a power of two, got ${n}`);
  const cos = new Float64Array(Math.max(n - 1, 1));
  const sin = new Float64Array(Math.max(n - 1, 1));
  for (let half = 1; half < n; half *= 2) {
    for (let k = 0; k < half; k++) {
      // the same angle as k·(n / size) / n, so every stage shares the full-size table's values
      const angle = (-2 * Math.PI * k * (n / (2 * half))) / n;
      cos[half - 1 + k] = Math.cos(angle);
      sin[half - 1 + k] = Math.sin(angle);
    }
  }
  const bits = Math.round(Math.log2(n));
  const bitReverse = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
    bitReverse[i] = r;
  }
  return { n, cos, sin, bitReverse };
}

function permute(plan: FftPlan, re: Float64Array, im: Float64Array): void {
  const { n, bitReverse } = plan;
  for (let i = 0; i < n; i++) {
    const j = bitReverse[i] as number;
    if (j > i) {
      const tr = re[i] as number;
      re[i] = re[j] as number;
      re[j] = tr;
      const ti = im[i] as number;
      im[i] = im[j] as number;
      im[j] = ti;
    }
  }
}

/** One radix-2 stage: butterflies of span `half`, each block swept contiguously with the stage's twiddles. */
function stage(plan: FftPlan, re: Float64Array, im: Float64Array, half: number, sign: number): void {
  const { n, cos, sin } = plan;
  const size = half * 2;
  const offset = half - 1;
  for (let start = 0; start < n; start += size) {
    for (let k = 0; k < half; k++) {
      const wr = cos[offset + k] as number;
      const wi = sign * (sin[offset + k] as number);
      const a = start + k;
      const b = a + half;
      const br = re[b] as number;
      const bi = im[b] as number;
      const tr = wr * br - wi * bi;
      const ti = wr * bi + wi * br;
      const ar = re[a] as number;
      const ai = im[a] as number;
      re[b] = ar - tr;
      im[b] = ai - ti;
      re[a] = ar + tr;
      im[a] = ai + ti;
    }
  }
}

/** The first stage (span 1, twiddle 1): sums and differences of neighbours. */
function firstStage(n: number, re: Float64Array, im: Float64Array): void {
  for (let a = 0; a < n; a += 2) {
    const ar = re[a] as number;
    const ai = im[a] as number;
    const br = re[a + 1] as number;
    const bi = im[a + 1] as number;
    re[a] = ar + br;
    im[a] = ai + bi;
    re[a + 1] = ar - br;
    im[a + 1] = ai - bi;
  }
}

/**
 * Two radix-2 stages (spans `half` and 2·half) in one pass over memory: per group of four points, a pair of
 * span-half butterflies with twiddle W(2·half)^k, then span-2·half butterflies with W(4·half)^k and
 * W(4·half)^(k+half) = ∓i·W(4·half)^k. Same arithmetic as two separate stages, fewer passes and products.
 */
function doubleStage(plan: FftPlan, re: Float64Array, im: Float64Array, half: number, sign: number): void {
  const { n, cos, sin } = plan;
  const size = half * 4;
  const o1 = half - 1;
  const o2 = 2 * half - 1;
  for (let start = 0; start < n; start += size) {
    for (let k = 0; k < half; k++) {
      const w1r = cos[o1 + k] as number;
      const w1i = sign * (sin[o1 + k] as number);
      const w2r = cos[o2 + k] as number;
      const w2i = sign * (sin[o2 + k] as number);
      const i0 = start + k;
      const i1 = i0 + half;
      const i2 = i1 + half;
      const i3 = i2 + half;
      const x1r = re[i1] as number;
      const x1i = im[i1] as number;
      const t1r = w1r * x1r - w1i * x1i;
      const t1i = w1r * x1i + w1i * x1r;
      const x0r = re[i0] as number;
      const x0i = im[i0] as number;
      const y0r = x0r + t1r;
      const y0i = x0i + t1i;
      const y1r = x0r - t1r;
      const y1i = x0i - t1i;
      const x3r = re[i3] as number;
      const x3i = im[i3] as number;
      const t3r = w1r * x3r - w1i * x3i;
      const t3i = w1r * x3i + w1i * x3r;
      const x2r = re[i2] as number;
      const x2i = im[i2] as number;
      const y2r = x2r + t3r;
      const y2i = x2i + t3i;
      const y3r = x2r - t3r;
      const y3i = x2i - t3i;
      const ur = w2r * y2r - w2i * y2i;
      const ui = w2r * y2i + w2i * y2r;
      const zr = w2r * y3r - w2i * y3i;
      const zi = w2r * y3i + w2i * y3r;
      // v = z·(−i) forward, z·(+i) inverse
      const vr = sign * zi;
      const vi = -sign * zr;
      re[i0] = y0r + ur;
      im[i0] = y0i + ui;
      re[i2] = y0r - ur;
      im[i2] = y0i - ui;
      re[i1] = y1r + vr;
      im[i1] = y1i + vi;
      re[i3] = y1r - vr;
      im[i3] = y1i - vi;
    }
  }
}

/**
 * In-place radix-2 FFT of length plan.n. The inverse is scaled by 1/n unless `scaleInverse` is false (for
 * callers that fold the factor into their own arrays).
 */
export function fftRadix2(
  plan: FftPlan,
  re: Float64Array,
  im: Float64Array,
  inverse = false,
  scaleInverse = true,
): void {
  const { n } = plan;
  if (re.length !== n || im.length !== n) throw new RangeError(`FFT input length must be ${n}`);
  permute(plan, re, im);
  if (n >= 2) firstStage(n, re, im);
  const sign = inverse ? -1 : 1;
  let half = 2;
  for (; half * 2 < n; half *= 4) doubleStage(plan, re, im, half, sign);
  if (half < n) stage(plan, re, im, half, sign);
  if (inverse && scaleInverse) {
    const scale = 1 / n;
    for (let i = 0; i < n; i++) {
      re[i] = (re[i] as number) * scale;
      im[i] = (im[i] as number) * scale;
    }
  }
}

/** Bluestein: a length-n DFT as a circular convolution of power-of-two length ≥ 2n − 1. */
function bluestein(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  const m = nextPowerOfTwo(2 * n - 1);
  const plan = makeFftPlan(m);
  const sign = inverse ? 1 : -1;
  // chirp w[k] = e^{sign·iπk²/n}; k² reduced mod 2n keeps the angle exact for large k
  const chirpRe = new Float64Array(n);
  const chirpIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const angle = (sign * Math.PI * ((k * k) % (2 * n))) / n;
    chirpRe[k] = Math.cos(angle);
    chirpIm[k] = Math.sin(angle);
  }
  const aRe = new Float64Array(m);
  const aIm = new Float64Array(m);
  for (let k = 0; k < n; k++) {
    const xr = re[k] as number;
    const xi = im[k] as number;
    const cr = chirpRe[k] as number;
    const ci = chirpIm[k] as number;
    aRe[k] = xr * cr - xi * ci;
    aIm[k] = xr * ci + xi * cr;
  }
  const bRe = new Float64Array(m);
  const bIm = new Float64Array(m);
  for (let k = 0; k < n; k++) {
    const cr = chirpRe[k] as number;
    const ci = -(chirpIm[k] as number);
    bRe[k] = cr;
    bIm[k] = ci;
    if (k > 0) {
      bRe[m - k] = cr;
      bIm[m - k] = ci;
    }
  }
  fftRadix2(plan, aRe, aIm);
  fftRadix2(plan, bRe, bIm);
  multiplySpectra(aRe, aIm, bRe, bIm, m);
  fftRadix2(plan, aRe, aIm, true);
  const scale = inverse ? 1 / n : 1;
  for (let k = 0; k < n; k++) {
    const pr = aRe[k] as number;
    const pi = aIm[k] as number;
    const cr = chirpRe[k] as number;
    const ci = chirpIm[k] as number;
    re[k] = (pr * cr - pi * ci) * scale;
    im[k] = (pr * ci + pi * cr) * scale;
  }
}

/** In-place DFT of any length ≥ 1 (radix-2 when possible, Bluestein otherwise). */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  if (re.length !== im.length) throw new RangeError('real and imaginary parts differ in length');
  const n = re.length;
  if (n <= 1) return;
  if (isPowerOfTwo(n)) fftRadix2(makeFftPlan(n), re, im, inverse);
  else bluestein(re, im, inverse);
}

/** a ← a · b, element-wise complex product of two spectra over their first n bins. */
export function multiplySpectra(
  aRe: Float64Array,
  aIm: Float64Array,
  bRe: Float64Array,
  bIm: Float64Array,
  n: number,
): void {
  for (let k = 0; k < n; k++) {
    const ar = aRe[k] as number;
    const ai = aIm[k] as number;
    const br = bRe[k] as number;
    const bi = bIm[k] as number;
    aRe[k] = ar * br - ai * bi;
    aIm[k] = ar * bi + ai * br;
  }
}
