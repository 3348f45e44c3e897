import { isApiError } from '../../../lib/core/errors';
import { BANDS, bandPower, hammingPeriodic, welchPsd, type BandName } from '../../../lib/core/dsp/welch';
import { f64, maxAbs, maxAbsDiff, readGolden } from './golden';

interface WelchWindow {
  start: number;
  stop: number;
  n_fft: number;
  data: number[][];
  freqs: number[];
  psd: number[][];
  bands: Record<BandName, { mean: number[]; dB: number[]; normalized: number[] } | { empty: true }>;
  compute_psd_max_abs_diff?: number;
}

interface WelchGolden {
  sfreq: number;
  channels: string[];
  windows: WelchWindow[];
}

const worst = { psd: 0, band: 0, dB: 0 };

for (const name of ['bv', 'edf']) {
  const golden = readGolden<WelchGolden>(`welch_${name}.json`);
  describe(`welchPsd = MNE psd_array_welch (${name}, ${golden.sfreq} Hz)`, () => {
    for (const w of golden.windows) {
      describe(`samples [${w.start}, ${w.stop}), n_fft ${w.n_fft}`, () => {
        const spectrum = welchPsd(w.data.map(f64), golden.sfreq);

        it('has MNE frequencies k·sfreq/n_fft and n_fft = min(256, n_times)', () => {
          expect(spectrum.nFft).toBe(w.n_fft);
          expect(maxAbsDiff(spectrum.freqs, w.freqs)).toBe(0);
        });

        it('has MNE PSD values (relative 1e-12 of each channel peak)', () => {
          spectrum.psd.forEach((p, ch) => {
            const want = w.psd[ch] ?? [];
            const rel = maxAbsDiff(p, want) / maxAbs(want);
            worst.psd = Math.max(worst.psd, rel);
            expect(rel).toBeLessThan(1e-12);
          });
        });

        it.each(Object.keys(BANDS) as BandName[])('%s band: mean, dB and normalised sum as MNE', (band) => {
          const [fmin, fmax] = BANDS[band];
          const want = w.bands[band];
          if ('empty' in want) {
            // MNE raises 'No frequencies in band'; so do we, as invalid_band
            expect(() => bandPower(spectrum, fmin, fmax)).toThrow(/No frequencies in the band/);
            return;
          }
          const mean = bandPower(spectrum, fmin, fmax);
          const relMean = maxAbsDiff(mean, want.mean) / maxAbs(want.mean);
          const dB = bandPower(spectrum, fmin, fmax, { dB: true });
          const normalized = bandPower(spectrum, fmin, fmax, { normalize: true });
          worst.band = Math.max(worst.band, relMean);
          worst.dB = Math.max(worst.dB, maxAbsDiff(dB, want.dB));
          expect(relMean).toBeLessThan(1e-12);
          expect(maxAbsDiff(dB, want.dB)).toBeLessThan(1e-10);
          expect(maxAbsDiff(normalized, want.normalized)).toBeLessThan(1e-12);
        });

        if (w.compute_psd_max_abs_diff !== undefined) {
          it('is what raw.compute_psd(method="welch") gives for the same samples (checked in the generator)', () => {
            expect(w.compute_psd_max_abs_diff).toBe(0);
          });
        }
      });
    }
  });
}

describe('band edges and errors', () => {
  it('excludes the band edges (fmin < f < fmax) as plot_psds_topomap', () => {
    // 1000 Hz, n_fft 200 → bins every 5 Hz: alpha (8, 12) holds only 10 Hz; (5, 10) holds nothing → error
    const x = Float64Array.from({ length: 200 }, (_, i) => Math.sin((2 * Math.PI * 10 * i) / 1000));
    const spectrum = welchPsd([x], 1000);
    const alpha = bandPower(spectrum, 8, 12);
    expect(alpha[0]).toBe(spectrum.psd[0]?.[2]);
    let err: unknown;
    try {
      bandPower(spectrum, 5, 10);
    } catch (e) {
      err = e;
    }
    expect(isApiError(err) && err.status === 400 && err.code === 'invalid_band').toBe(true);
  });

  it('uses the periodic Hamming window (scipy get_window, fftbins=True)', () => {
    const w = hammingPeriodic(4);
    expect(maxAbsDiff(w, [0.08, 0.54, 1, 0.54])).toBeLessThan(1e-15);
  });

  it('rejects empty or ragged input', () => {
    expect(() => welchPsd([new Float64Array(0)], 100)).toThrow(RangeError);
    expect(() => welchPsd([new Float64Array(10), new Float64Array(11)], 100)).toThrow(RangeError);
    expect(() => welchPsd([new Float64Array(10)], 100, 0)).toThrow(RangeError);
    expect(() => welchPsd([new Float64Array(10)], 0)).toThrow(RangeError);
  });
});

afterAll(() => {
  console.log(`worst Welch errors vs MNE: ${JSON.stringify(worst)}`);
});
