import { isApiError } from '../../../lib/core/errors';
import {
  averageReference,
  averagingSamples,
  baselineRange,
  channelMeans,
  channelMeansAt,
  channelRms,
  epochLayout,
  epochRange,
  erp,
  nearestSample,
  sampleTimes,
  timeMask,
  type Baseline,
} from '../../../lib/core/dsp/metrics';
import { f64, maxAbs, maxAbsDiff, readGolden } from './golden';

interface ErpGolden {
  sfreq: number;
  channels: string[];
  n_times: number;
  data: number[][];
  cases: {
    labels: string[];
    tmin: number;
    tmax: number;
    baseline: Baseline | null;
    onsets: number[];
    kept: number[];
    times: number[];
    average: number[][];
    first_epoch: number[][];
  }[];
}

interface ReferenceGolden {
  sfreq: number;
  channels: string[];
  types: string[];
  bads: string[];
  times: number[];
  before: number[][];
  after: number[][];
  single_times: { t: number; indices: number[] }[];
  topomap_times: { t: number; average: number | null; index: number; indices?: number[] }[];
  spans: { tmin: number; tmax: number; indices: number[] }[];
}

const indicesOf = (r: { start: number; stop: number }): number[] =>
  Array.from({ length: r.stop - r.start }, (_, i) => r.start + i);

function apiErrorCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return isApiError(e) ? e.code : 'not-an-ApiError';
  }
  return undefined;
}

describe('ERP = MNE Epochs(...).average() on test.vhdr markers (golden)', () => {
  const golden = readGolden<ErpGolden>('erp_bv.json');
  const data = golden.data.map(f64);
  it.each(
    golden.cases.map(
      (c) =>
        [`${c.labels.join('+')} ${c.tmin}…${c.tmax} s, baseline ${JSON.stringify(c.baseline)}`, c] as const,
    ),
  )('%s', (_name, c) => {
    const result = erp(data, golden.sfreq, c.onsets, { tmin: c.tmin, tmax: c.tmax, baseline: c.baseline });
    expect(result.kept).toEqual(c.kept);
    expect(maxAbsDiff(result.times, c.times)).toBe(0);
    result.average.forEach((y, ch) => {
      const want = c.average[ch] ?? [];
      expect(maxAbsDiff(y, want) / maxAbs(want)).toBeLessThan(1e-12);
    });
  });

  it('cuts each epoch at round(onset + tmin·sfreq) and baseline-corrects it as MNE (first epoch)', () => {
    const c = golden.cases[0];
    if (!c) throw new Error('golden has no ERP case');
    const layout = epochLayout(c.tmin, c.tmax, golden.sfreq);
    const range = epochRange(c.onsets[0] ?? 0, layout, golden.sfreq, golden.n_times);
    expect(range).toEqual({ start: 296, stop: 997 });
    const single = erp(data, golden.sfreq, [c.onsets[0] ?? 0], {
      tmin: c.tmin,
      tmax: c.tmax,
      baseline: c.baseline,
    });
    single.average.forEach((y, ch) => {
      expect(maxAbsDiff(y, c.first_epoch[ch] ?? []) / maxAbs(c.first_epoch[ch] ?? [])).toBeLessThan(1e-13);
    });
  });

  it('drops epochs outside the data and returns no average when none remain', () => {
    const layout = epochLayout(-0.2, 0.5, 1000);
    expect(epochRange(100, layout, 1000, 7900)).toBeNull();
    expect(epochRange(7500, layout, 1000, 7900)).toBeNull();
    expect(erp(data, 1000, [100, 7800], { tmin: -0.2, tmax: 0.5, baseline: null })).toMatchObject({
      kept: [],
      average: [],
    });
  });

  it('rejects baselines outside the epoch or reversed, and tmin > tmax', () => {
    expect(apiErrorCode(() => erp(data, 1000, [3000], { tmin: -0.2, tmax: 0.5, baseline: [-0.5, 0] }))).toBe(
      'invalid_time',
    );
    expect(apiErrorCode(() => erp(data, 1000, [3000], { tmin: -0.2, tmax: 0.5, baseline: [0.1, 0] }))).toBe(
      'invalid_time',
    );
    expect(apiErrorCode(() => epochLayout(0.5, 0.1, 1000))).toBe('invalid_time');
  });

  it('baseline (None, 0) spans the first sample through t = 0', () => {
    const layout = epochLayout(-0.2, 0.5, 1000);
    expect(baselineRange(layout.times, [null, 0])).toEqual({ start: 0, stop: 201 });
    expect(baselineRange(layout.times, [-0.05, 0])).toEqual({ start: 150, stop: 201 });
  });
});

describe('average reference = MNE set_eeg_reference("average") with one bad channel (golden)', () => {
  const golden = readGolden<ReferenceGolden>('reference_bv.json');
  it('subtracts the mean of the good EEG channels from them only', () => {
    const goodEeg = golden.channels
      .map((name, i) => ({ name, i }))
      .filter(({ name, i }) => golden.types[i] === 'eeg' && !golden.bads.includes(name))
      .map(({ i }) => i);
    expect(goodEeg).toHaveLength(25);
    const out = averageReference(golden.before.map(f64), goodEeg);
    out.forEach((y, ch) => {
      const want = golden.after[ch] ?? [];
      expect(maxAbsDiff(y, want) / Math.max(maxAbs(want), 1e-30)).toBeLessThan(1e-12);
    });
    // the bad channel and the misc channels are untouched
    expect(Array.from(out[0] as Float64Array)).toEqual(golden.before[0]);
    expect(Array.from(out[31] as Float64Array)).toEqual(golden.before[31]);
  });
});

describe('time selection as MNE _time_mask / plot_evoked_topomap (golden)', () => {
  const golden = readGolden<ReferenceGolden>('reference_bv.json');
  const times = sampleTimes(0, golden.times.length, golden.sfreq);

  it('sample times are (first + i)/sfreq, equal to MNE times', () => {
    expect(maxAbsDiff(times, golden.times)).toBe(0);
  });

  it.each(golden.single_times.map((s) => [s.t, s.indices] as const))(
    '_time_mask(t=%p, t) → %p',
    (t, want) => {
      expect(indicesOf(timeMask(times, t, t, golden.sfreq))).toEqual(want);
    },
  );

  it.each(golden.spans.map((s) => [s.tmin, s.tmax, s.indices.length, s] as const))(
    '_time_mask(%p, %p) selects %p samples',
    (tmin, tmax, _n, s) => {
      expect(indicesOf(timeMask(times, tmin, tmax, golden.sfreq))).toEqual(s.indices);
    },
  );

  it.each(golden.topomap_times.map((s) => [s.t, s.average, s] as const))(
    'topomap at t=%p, average=%p',
    (t, average, s) => {
      expect(nearestSample(times, t, golden.sfreq)).toBe(s.index);
      if (average !== null) expect(averagingSamples(times, t, average, golden.sfreq)).toEqual(s.indices);
    },
  );

  it('rejects times with no samples', () => {
    expect(apiErrorCode(() => timeMask(times, 0.2, 0.3, golden.sfreq))).toBe('invalid_time');
    expect(apiErrorCode(() => timeMask(times, 0.05, 0.01, golden.sfreq))).toBe('invalid_time');
    expect(apiErrorCode(() => nearestSample(times, 0.11, golden.sfreq))).toBe('invalid_time');
    expect(apiErrorCode(() => averagingSamples(times, 0.05, 0, golden.sfreq))).toBe('invalid_time');
  });
});

describe('window metrics', () => {
  const golden = readGolden<ReferenceGolden>('reference_bv.json');
  const data = golden.before.map(f64);
  it('mean, RMS and mean over indices per channel', () => {
    const range = { start: 10, stop: 30 };
    const slice = (golden.before[3] ?? []).slice(10, 30);
    const mean = slice.reduce((s, v) => s + v, 0) / slice.length;
    const rms = Math.sqrt(slice.reduce((s, v) => s + v * v, 0) / slice.length);
    expect(channelMeans(data, range)[3]).toBeCloseTo(mean, 18);
    expect(channelRms(data, range)[3]).toBeCloseTo(rms, 18);
    expect(channelMeansAt(data, indicesOf(range))[3]).toBeCloseTo(mean, 18);
    expect(channelRms(data, range)[3]).toBeGreaterThan(Math.abs(mean));
  });
});
