import { designFir } from '../../../lib/core/dsp/fir';
import {
  applyZeroPhase,
  contextForBand,
  contextSamples,
  filterWindow,
  paddedSpan,
  prefersDirect,
} from '../../../lib/core/dsp/filter';
import { f64, maxAbsDiff, range, readGolden } from './golden';

interface FilterGolden {
  sfreq: number;
  channels: string[];
  n_times: number;
  windows: Record<string, [number, number]>;
  data: number[][];
  cases: { l_freq: number | null; h_freq: number | null; windows: Record<string, number[][]> }[];
}

/** Reads the window [a, b) with up to `context` samples each side, cut short by the recording's ends. */
function readWithContext(data: Float64Array[], a: number, b: number, context: number) {
  const start = Math.max(0, a - context);
  const stop = Math.min(data[0]?.length ?? 0, b + context);
  return { chunk: data.map((x) => x.subarray(start, stop)), before: a - start, after: stop - b };
}

const worst: Record<string, number> = {};

for (const name of ['bv', 'edf']) {
  const golden = readGolden<FilterGolden>(`filter_${name}.json`);
  const data = golden.data.map(f64);
  describe(`filterWindow = MNE raw.filter then crop (${name}, ${golden.sfreq} Hz, ${golden.n_times} samples)`, () => {
    for (const c of golden.cases) {
      for (const [win, [a, b]] of Object.entries(golden.windows)) {
        it(`l=${c.l_freq}, h=${c.h_freq}, ${win} window [${a}, ${b})`, () => {
          const context = contextForBand(golden.sfreq, c.l_freq, c.h_freq);
          const { chunk, before, after } = readWithContext(data, a, b, context);
          const out = filterWindow(chunk, golden.sfreq, c.l_freq, c.h_freq, before, after);
          const expected = c.windows[win] ?? [];
          expect(out).toHaveLength(expected.length);
          out.forEach((y, ch) => {
            const want = expected[ch] ?? [];
            const rel = maxAbsDiff(y, want) / range(data[ch] as Float64Array);
            worst[name] = Math.max(worst[name] ?? 0, rel);
            // brief's target is 1e-3 of the signal range; this is exact to rounding
            expect(rel).toBeLessThan(1e-10);
          });
        });
      }
    }
  });
}

describe('filtering without enough context differs from MNE (the test can fail)', () => {
  const golden = readGolden<FilterGolden>('filter_bv.json');
  it('a 0.5 Hz high-pass on the middle window with only 500 samples of context is off', () => {
    const data = golden.data.map(f64);
    const [a, b] = golden.windows.middle ?? [0, 0];
    const { chunk, before, after } = readWithContext(data, a, b, 500);
    const out = filterWindow(chunk, golden.sfreq, 0.5, null, before, after);
    const want = golden.cases.find((c) => c.l_freq === 0.5)?.windows.middle?.[0] ?? [];
    expect(maxAbsDiff(out[0] as Float64Array, want) / range(data[0] as Float64Array)).toBeGreaterThan(1e-6);
  });
});

describe('padding and convolution paths', () => {
  it('pads with odd reflection (2·x[0] − x[k]) for min(N, n) − 1 samples and zeros beyond, as reflect_limited', () => {
    const x = f64([1, 2, 4, 8]);
    // N = 7 → nEdge = min(7, 4) − 1 = 3
    expect(Array.from(paddedSpan(x, 7, -5, 14))).toEqual([0, 0, -6, -2, 0, 1, 2, 4, 8, 12, 14, 15, 0, 0]);
  });

  it('contextSamples is (N − 1)/2', () => {
    expect(contextSamples(6601)).toBe(3300);
    expect(contextSamples(1)).toBe(0);
    expect(contextForBand(1000, 0.5, null)).toBe(3300);
    expect(contextForBand(1000, null, null)).toBe(0);
  });

  it('direct and FFT convolution agree (1e-12 of the signal)', () => {
    const golden = readGolden<FilterGolden>('filter_bv.json');
    const data = golden.data.map(f64);
    for (const [l, h] of [
      [1, 40],
      [null, 30],
      [8, 12],
    ] as const) {
      const filter = designFir(golden.sfreq, l, h);
      const c = contextSamples(filter.h.length);
      const chunk = data.map((x) => x.subarray(2000 - c, 2300 + c));
      const fftOut = applyZeroPhase(chunk, filter.h, c, c);
      // direct form reference
      chunk.forEach((x, ch) => {
        const y = new Float64Array(300);
        for (let i = 0; i < 300; i++) {
          let s = 0;
          for (let k = 0; k < filter.h.length; k++) s += (filter.h[k] as number) * (x[i + k] as number);
          y[i] = s;
        }
        expect(maxAbsDiff(fftOut[ch] as Float64Array, y) / range(x)).toBeLessThan(1e-12);
      });
    }
  });

  it('long windows (several overlap-save blocks) match the single-block result', () => {
    const n = 200_000;
    const x = Float64Array.from(
      { length: n },
      (_, i) => Math.sin(i / 7) + Math.cos(i / 53) + ((i * 7919) % 13) / 13,
    );
    const filter = designFir(1000, 0.5, null);
    const c = contextSamples(filter.h.length);
    const [whole] = applyZeroPhase([x], filter.h, c, c);
    const [part] = applyZeroPhase([x.subarray(100_000 - c, 101_000 + c)], filter.h, c, c);
    expect(
      maxAbsDiff((whole as Float64Array).subarray(100_000 - c, 101_000 - c), part as Float64Array),
    ).toBeLessThan(1e-12);
  });

  it('picks direct convolution only for tiny outputs', () => {
    expect(prefersDirect(441, 1)).toBe(true);
    expect(prefersDirect(441, 1000)).toBe(false);
    expect(prefersDirect(6601, 1000)).toBe(false);
  });

  it('filters a single sample and an empty window', () => {
    const golden = readGolden<FilterGolden>('filter_bv.json');
    const data = golden.data.map(f64);
    const c = contextForBand(golden.sfreq, null, 30);
    const want = golden.cases.find((k) => k.h_freq === 30 && k.l_freq === null)?.windows.middle?.[1]?.[5];
    const [a] = golden.windows.middle ?? [0];
    const chunk = [(data[1] as Float64Array).subarray(a + 5 - c, a + 6 + c)];
    const [one] = filterWindow(chunk, golden.sfreq, null, 30, c, c);
    expect(one).toHaveLength(1);
    expect(Math.abs((one?.[0] ?? NaN) - (want ?? NaN))).toBeLessThan(1e-18);
    expect(filterWindow(chunk, golden.sfreq, null, 30, c + 1, c)[0]).toHaveLength(0);
  });
});

afterAll(() => {
  console.log(`worst |filterWindow − MNE| / signal range: ${JSON.stringify(worst)}`);
});
