/**
 * Small complex FFT: iterative radix-2 for powers of two (with an explicit, reusable plan) and Bluestein's
 * chirp-z algorithm for any other length. Arrays are split real/imaginary Float64Arrays transformed in place.
 * Forward is X[k] = Σ x[n]·e^{−2πikn/N}; inverse includes the 1/N factor.
 */

/** Twiddle factors and bit-reversal permutation for one power-of-two size (plain data, reusable). */
export interface FftPlan {
  n: number;
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
  const half = n >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    const angle = (-2 * Math.PI * k) / n;
    cos[k] = Math.cos(angle);
    sin[k] = Math.sin(angle);
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

/** In-place radix-2 FFT of length plan.n (inverse scaled by 1/n). */
export function fftRadix2(plan: FftPlan, re: Float64Array, im: Float64Array, inverse = false): void {
  const { n, cos, sin } = plan;
  if (re.length !== n || im.length !== n) throw new RangeError(`FFT input length must be ${n}`);
  permute(plan, re, im);
  const sign = inverse ? -1 : 1;
  for (let size = 2; size <= n; size *= 2) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step] as number;
        const wi = sign * (sin[k * step] as number);
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
  if (inverse) {
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
  for (let k = 0; k < m; k++) {
    const ar = aRe[k] as number;
    const ai = aIm[k] as number;
    const br = bRe[k] as number;
    const bi = bIm[k] as number;
    aRe[k] = ar * br - ai * bi;
    aIm[k] = ar * bi + ai * br;
  }
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
