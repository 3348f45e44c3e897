/**
 * Neuroscan CNT reader against MNE 1.3's read_raw_cnt (golden: scripts/golden/make_cnt_golden.py): the two shared
 * Neuroscan recordings and generated files (16-bit multiplexed, 32-bit in 40-sample blocks, event types 1/2/3)
 * rebuilt byte for byte by the test writer from the golden's parameters.
 */
import { createHash } from 'node:crypto';
import { cntEventOffset, writeCnt, type CntSpec } from '../../../cli/cnt-writer';
import { openCnt } from '../../../lib/readers/cnt';
import { topomapQuerySchema } from '../../../lib/core/topomap-params';
import { openRecording } from '../../../lib/readers';
import { openForHandler } from '../../../lib/service/open-recording';
import { computeMap, mapJson } from '../../../lib/service/topomap';
import { localFs, memoryFs } from '../../../lib/readers/source';
import type { Recording } from '../../../lib/readers/types';
import { readFileSync } from 'node:fs';
import { describeWithData, goldenPath, testDataPath } from '../../helpers/testdata';
import { expectEventsEqual, goldenFiles, loadGolden, type EegGolden } from '../eeg-shared/golden';

interface CntGolden extends EegGolden {
  bads: string[];
  n_bytes: number;
  channel_offset: number;
  cals: number[];
  sha256?: string;
  synthetic?: {
    name: string;
    names: string[];
    sfreq: number;
    bytes_per_sample: 2 | 4;
    channel_offset: number;
    n_samples: number;
    header_samples: number;
    scale: number;
    xy: [number, number][];
    baselines: number[];
    sensitivity: number[];
    calib: number[];
    events: { type: 1 | 2 | 3; list: [number, number, number][] };
  };
}

const load = (file: string): CntGolden => loadGolden(file) as CntGolden;

/** Largest |actual − expected| over the channel's range in the window (0 when the range is 0 and equal). */
function rangeError(actual: ArrayLike<number>, expected: readonly number[]): number {
  if (actual.length !== expected.length) return Infinity;
  const range = Math.max(...expected) - Math.min(...expected) || Math.max(...expected.map(Math.abs)) || 1;
  let worst = 0;
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(worst, Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN)) / range);
  return Number.isNaN(worst) ? Infinity : worst;
}

function specOf(g: CntGolden): CntSpec {
  const p = g.synthetic;
  if (!p) throw new Error('not a generated golden');
  return {
    names: p.names,
    sfreq: p.sfreq,
    bytesPerSample: p.bytes_per_sample,
    channelOffset: p.channel_offset,
    nSamples: p.n_samples,
    headerSamples: p.header_samples,
    xy: p.xy,
    baselines: p.baselines,
    sensitivity: p.sensitivity,
    calib: p.calib,
    events: {
      type: p.events.type,
      list: p.events.list.map(([stim, offset, latency]) => ({ stim, offset, latency })),
    },
    digital: (c, s) => (((s * 37 + c * 101) % 4001) - 2000) * p.scale,
  };
}

function checkAgainstGolden(g: CntGolden, open: () => Promise<Recording>): void {
  let rec: Recording;
  beforeAll(async () => {
    rec = await open();
  });
  afterAll(() => rec.close());

  it('has MNE channel names, types, sfreq, sample count, bads and sample size', () => {
    expect(rec.info.format).toBe('cnt');
    expect(rec.info.channels.map((c) => c.name)).toEqual(g.ch_names);
    expect(rec.info.channels.map((c) => c.type)).toEqual(g.types);
    expect(rec.info.sfreq).toBe(g.sfreq);
    expect(rec.info.nSamples).toBe(g.n_times);
    expect(rec.info.bads).toEqual(g.bads);
    expect(rec.info.notes?.bytesPerSample).toBe(g.n_bytes);
    expect(rec.info.notes?.channelOffset).toBe(g.channel_offset);
  });

  it('has MNE annotations as events', async () => {
    expectEventsEqual(
      (await rec.readEvents()).map((e) => ({ onset: e.onset, duration: e.duration, description: e.value })),
      g.annotations,
    );
  });

  it('places electrodes where MNE does (header x/y on the unit sphere, float32)', () => {
    rec.info.channels.forEach((c, i) => {
      const expected = g.loc?.[i] ?? [];
      c.loc.slice(0, 3).forEach((v, k) => expect(Math.abs(v - (expected[k] ?? NaN))).toBeLessThan(1e-6));
    });
    expect(rec.info.dig.map((d) => d.kind)).toEqual(
      (g.dig ?? []).map((d) => (d.kind === 1 ? 'cardinal' : 'eeg')),
    );
    rec.info.dig.forEach((d, i) =>
      d.r.forEach((v, k) => expect(Math.abs(v - (g.dig?.[i]?.r[k] ?? NaN))).toBeLessThan(1e-6)),
    );
  });

  it.each(g.windows.map((w) => [w.start, w.stop, w] as const))(
    'window [%d, %d) equals MNE',
    async (_s, _e, w) => {
      const data = await rec.readWindow(g.picks, w.start, w.stop);
      data.forEach((row, k) => expect(rangeError(row, w.data[k] ?? [])).toBeLessThanOrEqual(1e-12));
    },
  );
}

describeWithData('CNT reader vs MNE 1.3 (shared Neuroscan recordings)', () => {
  const files = goldenFiles('cnt__').filter((f) => !f.includes('synthetic') && !f.includes('map_'));
  it('has a golden file for both shared CNT recordings', () => expect(files.length).toBe(2));
  describe.each(files)('%s', (file) => {
    const g = load(file);
    checkAgainstGolden(g, () => openRecording(testDataPath(g.source.split(' ')[0] ?? ''), localFs));
  });
});

describe('CNT reader vs MNE 1.3 (generated files)', () => {
  const files = goldenFiles('cnt__synthetic');
  it('has the 16-bit, 32-bit and type-1 goldens', () => expect(files.length).toBe(3));
  describe.each(files)('%s', (file) => {
    const g = load(file);
    const bytes = writeCnt(specOf(g));
    it('the test writer rebuilds the file MNE read, byte for byte', () => {
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(g.sha256);
    });
    checkAgainstGolden(g, () => openCnt('/m/x.cnt', memoryFs(new Map([['/m/x.cnt', bytes]]))));
  });

  it('computes event offsets the golden script computes', () => {
    expect(cntEventOffset(12, 2, 10, 2)).toBe(900 + 75 * 12 + 11 * 24);
    expect(cntEventOffset(6, 4, 0, 3)).toBe(1 + Math.ceil((900 + 450) / 24));
  });
});

describeWithData('CNT map vs MNE 1.3 (scan41_short.cnt, header positions on the unit sphere)', () => {
  const g = JSON.parse(readFileSync(goldenPath('eeg', 'cnt__map_scan41_short.json'), 'utf8')) as {
    time: number;
    ch_names: string[];
    sphere: number[];
    pos2d: number[][];
    vmin: number;
    vmax: number;
    grid: (number | null)[];
  };

  it('draws the map MNE draws: channels, 2-D positions, Clough–Tocher grid ≤ 1e-4 of the colour range', async () => {
    const opened = await openForHandler(testDataPath('cnt', 'scan41_short.cnt'));
    try {
      expect(opened.positionSource).toBe('file');
      const q = topomapQuerySchema.parse({ t: String(g.time), format: 'json', res: '64' });
      const json = mapJson(
        await computeMap(opened, q, { maxWindowSeconds: 60, maxImageSize: 1024, maxRes: 256 }),
        opened,
        q,
      );
      expect(json.channels).toEqual(g.ch_names);
      expect(json.sphere).toEqual(g.sphere);
      const posErr = Math.max(
        ...json.positions2d.flatMap((p, i) => p.map((v, k) => Math.abs(v - (g.pos2d[i]?.[k] ?? NaN)))),
      );
      expect(posErr).toBeLessThan(1e-6);
      const ours = json.grid.flat();
      const oursRange = json.vmax - json.vmin;
      const mneRange = g.vmax - g.vmin;
      let worst = 0;
      let nanMismatch = 0;
      ours.forEach((v, i) => {
        const m = g.grid[i] ?? null;
        if (v === null || m === null) {
          if ((v === null) !== (m === null)) nanMismatch++;
          return;
        }
        worst = Math.max(worst, Math.abs(v / oursRange - m / mneRange));
      });
      console.log(
        `scan41_short.cnt map: 2-D positions ${posErr.toExponential(1)}, grid ${worst.toExponential(1)} × colour range, ${nanMismatch} NaN mismatches`,
      );
      expect(nanMismatch).toBe(0);
      expect(worst).toBeLessThanOrEqual(1e-4);
    } finally {
      await opened.recording.close();
    }
  });
});
