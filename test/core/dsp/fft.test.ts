import { fft, fftRadix2, makeFftPlan, nextPowerOfTwo } from '../../../lib/core/dsp/fft';
import { maxAbsDiff } from './golden';

/** O(n²) DFT in double precision, the definition the FFT must reproduce. */
function naiveDft(re: Float64Array, im: Float64Array, inverse: boolean): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const angle = (sign * 2 * Math.PI * ((k * t) % n)) / n;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      sr += (re[t] as number) * c - (im[t] as number) * s;
      si += (re[t] as number) * s + (im[t] as number) * c;
    }
    outRe[k] = inverse ? sr / n : sr;
    outIm[k] = inverse ? si / n : si;
  }
  return [outRe, outIm];
}

function pseudoRandom(n: number, seed: number): Float64Array {
  let state = seed;
  return Float64Array.from({ length: n }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  });
}

describe('fft', () => {
  const sizes = [1, 2, 3, 4, 5, 7, 8, 16, 32, 64, 100, 128, 200, 255, 256, 512, 1000, 1024];
  it.each(sizes)(
    'length %i matches the O(n²) DFT forward and inverse (1e-12 of the input scale × n)',
    (n) => {
      for (const inverse of [false, true]) {
        const re = pseudoRandom(n, n + 1);
        const im = pseudoRandom(n, n + 7);
        const [wantRe, wantIm] = naiveDft(re, im, inverse);
        fft(re, im, inverse);
        const tol = 1e-13 * Math.max(1, inverse ? 1 : n);
        expect(maxAbsDiff(re, wantRe)).toBeLessThan(tol);
        expect(maxAbsDiff(im, wantIm)).toBeLessThan(tol);
      }
    },
  );

  it('round-trips a 65536-point transform (radix-4 passes and a final radix-2 stage)', () => {
    for (const n of [32768, 65536]) {
      const plan = makeFftPlan(n);
      const re = pseudoRandom(n, 3);
      const im = pseudoRandom(n, 5);
      const [re0, im0] = [re.slice(), im.slice()];
      fftRadix2(plan, re, im);
      expect(maxAbsDiff(re, re0)).toBeGreaterThan(1);
      fftRadix2(plan, re, im, true);
      expect(maxAbsDiff(re, re0)).toBeLessThan(1e-14);
      expect(maxAbsDiff(im, im0)).toBeLessThan(1e-14);
    }
  });

  it('rejects non-power-of-two plans and mismatched lengths', () => {
    expect(() => makeFftPlan(12)).toThrow(RangeError);
    expect(() => fftRadix2(makeFftPlan(8), new Float64Array(4), new Float64Array(4))).toThrow(RangeError);
    expect(() => fft(new Float64Array(3), new Float64Array(4))).toThrow(RangeError);
    expect([1, 2, 3, 1000, 1024, 1025].map(nextPowerOfTwo)).toEqual([1, 2, 4, 1024, 1024, 2048]);
  });
});
