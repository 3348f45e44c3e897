import { isApiError } from '../../../lib/core/errors';
import {
  autoHighTransition,
  autoLowTransition,
  designFir,
  MAX_FILTER_LENGTH,
  roundHalfEven,
} from '../../../lib/core/dsp/fir';
import { maxAbs, maxAbsDiff, readGolden } from './golden';

interface FirCase {
  sfreq: number;
  l_freq: number | null;
  h_freq: number | null;
  error?: string;
  length?: number;
  sum?: number;
  h?: number[];
  sample_idx?: number[];
  sample?: number[];
}

const { cases } = readGolden<{ cases: FirCase[] }>('fir.json');
const worst = { taps: 0, sum: 0 };
const label = (c: FirCase): string => `${c.sfreq} Hz, l=${c.l_freq}, h=${c.h_freq}`;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('designFir against MNE 1.3 create_filter (golden)', () => {
  const designed = cases.filter((c) => c.error === undefined);
  const failing = cases.filter((c) => c.error !== undefined);

  it('covers low-, high-, band-pass, band-stop and error cases', () => {
    expect(designed.length).toBeGreaterThanOrEqual(18);
    expect(failing.length).toBeGreaterThanOrEqual(6);
  });

  it.each(designed.map((c) => [label(c), c] as const))('%s: same length and taps', (_name, c) => {
    const filter = designFir(c.sfreq, c.l_freq, c.h_freq);
    expect(filter.h.length).toBe(c.length);
    const scale = maxAbs(filter.h);
    if (c.h) {
      // MNE's taps to rounding: ≤ 1e-13 of the largest tap
      worst.taps = Math.max(worst.taps, maxAbsDiff(filter.h, c.h) / scale);
      expect(maxAbsDiff(filter.h, c.h) / scale).toBeLessThan(1e-13);
    } else {
      const ours = (c.sample_idx ?? []).map((i) => filter.h[i] as number);
      expect(ours.length).toBeGreaterThan(100);
      worst.taps = Math.max(worst.taps, maxAbsDiff(ours, c.sample ?? []) / scale);
      expect(maxAbsDiff(ours, c.sample ?? []) / scale).toBeLessThan(1e-13);
    }
    const sum = filter.h.reduce((s, v) => s + v, 0);
    worst.sum = Math.max(worst.sum, Math.abs(sum - (c.sum ?? NaN)));
    expect(Math.abs(sum - (c.sum ?? NaN))).toBeLessThan(1e-12);
    // symmetric (linear phase) to rounding
    expect(maxAbsDiff(filter.h, filter.h.slice().reverse()) / scale).toBeLessThan(1e-14);
  });

  it.each(failing.map((c) => [label(c), c] as const))('%s: rejected as MNE rejects it', (_name, c) => {
    const err = thrown(() => designFir(c.sfreq, c.l_freq, c.h_freq));
    expect(isApiError(err)).toBe(true);
    if (isApiError(err)) {
      expect(err.status).toBe(400);
      expect(err.code).toBe('invalid_band');
    }
  });

  it('names the valid range when a frequency is outside (0, Nyquist)', () => {
    for (const [l, h] of [
      [null, 500],
      [null, 600],
      [-1, null],
      [1, 500],
      [600, null],
      [null, 0],
    ] as const) {
      const err = thrown(() => designFir(1000, l, h));
      expect(isApiError(err) && err.message.includes('0 < f < 500 Hz')).toBe(true);
    }
  });
});

describe('auto parameters', () => {
  it('follow MNE: l = min(max(l/4, 2), l), h = min(max(h/4, 2), Nyquist − h)', () => {
    expect(autoLowTransition(1)).toBe(1);
    expect(autoLowTransition(4)).toBe(2);
    expect(autoLowTransition(40)).toBe(10);
    expect(autoHighTransition(40, 1000)).toBe(10);
    expect(autoHighTransition(4, 1000)).toBe(2);
    expect(autoHighTransition(250, 512)).toBe(6);
  });

  it('describe the design (kind, transitions, gain points)', () => {
    const bp = designFir(1000, 1, 40);
    expect(bp).toMatchObject({ kind: 'bandpass', lTransBandwidth: 1, hTransBandwidth: 10 });
    expect(bp.freq).toEqual([0, 1, 40, 50, 500]);
    expect(bp.gain).toEqual([0, 1, 1, 0, 0]);
    expect(designFir(1000, 40, 20)).toMatchObject({ kind: 'bandstop', gain: [1, 1, 0, 0, 1, 1] });
    expect(designFir(1000, 0, 40).kind).toBe('lowpass');
    const all = designFir(1000, null, null);
    expect(all.kind).toBe('allpass');
    expect(Array.from(all.h)).toEqual([1]);
  });

  it('rounds ties to even as Python round() does', () => {
    expect([0.5, 1.5, 2.5, -2.5, 3.5, 2.4999, 7].map(roundHalfEven)).toEqual([0, 2, 2, -2, 4, 2, 7]);
  });

  it('refuses filters longer than MAX_FILTER_LENGTH instead of allocating them', () => {
    const err = thrown(() => designFir(20000, 0.01, null));
    expect(
      isApiError(err) && err.code === 'invalid_band' && err.message.includes(String(MAX_FILTER_LENGTH)),
    ).toBe(true);
    const nanErr = thrown(() => designFir(1000, Number.NaN, null));
    expect(isApiError(nanErr)).toBe(true);
  });
});

afterAll(() => {
  console.log(
    `worst FIR errors vs MNE (taps relative to the largest tap; |Σh − Σh_MNE|): ${JSON.stringify(worst)}`,
  );
});
