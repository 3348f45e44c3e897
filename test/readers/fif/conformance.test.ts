/** The FIF reader against MNE-Python 1.3 on real recordings: info, positions and data windows. */
import { localFs } from '../../../lib/readers/source';
import { listFifConditions, makeProjector, openFif } from '../../../lib/readers/fif';
import type { Recording } from '../../../lib/readers/types';
import { describeWithData, goldenPath, testDataPath } from '../../helpers/testdata';
import {
  channelRanges,
  loadGolden,
  maxAbsDiff,
  megToHead,
  worstToleranceRatio,
  type GoldenFif,
} from './golden';

const RAW_FILES: [string, () => string][] = [
  ['sim_vectorview_raw', () => testDataPath('fif', 'sim_vectorview_raw.fif')],
  ['test_ctf_comp_raw', () => testDataPath('fif', 'test_ctf_comp_raw.fif')],
  ['brainvision_test_bin_raw', () => testDataPath('fif', 'brainvision_test_bin_raw.fif')],
  [
    'testdata_ctf_short_discontinuous.ds_raw',
    () => testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds_raw.fif'),
  ],
];
const POSITION_TOL = 1e-6;

function checkInfo(rec: Recording, g: GoldenFif): void {
  const info = rec.info;
  expect(info.format).toBe('fif');
  expect(info.sfreq).toBe(g.sfreq);
  expect(info.nSamples).toBe(g.n_times);
  expect(info.channels.map((c) => c.name)).toEqual(g.channels.map((c) => c.name));
  expect(info.channels.map((c) => c.type)).toEqual(g.channels.map((c) => c.type));
  expect(info.channels.map((c) => c.coilType)).toEqual(g.channels.map((c) => c.coil_type));
  expect(info.channels.map((c) => c.unit)).toEqual(g.channels.map((c) => c.unit));
  expect(info.channels.map((c) => c.coordFrame)).toEqual(g.channels.map((c) => c.coord_frame));
  expect(info.bads).toEqual(g.bads);
  const locErr = Math.max(...info.channels.map((c, i) => maxAbsDiff(c.loc, g.channels[i]?.loc ?? [])));
  expect(locErr).toBeLessThanOrEqual(POSITION_TOL);
  if (g.dev_head_t === null) expect(info.devHeadT).toBeNull();
  else expect(maxAbsDiff((info.devHeadT ?? []).flat(), g.dev_head_t.flat())).toBeLessThanOrEqual(1e-12);
}

function checkHeadFrame(rec: Recording, g: GoldenFif): void {
  const t = rec.info.devHeadT;
  let worst = 0;
  rec.info.channels.forEach((c, i) => {
    const gc = g.channels[i];
    if (!gc?.head_pos) return;
    if (c.coordFrame === 'device' && t) {
      const h = megToHead(c.loc, t);
      worst = Math.max(
        worst,
        maxAbsDiff(h.pos, gc.head_pos),
        maxAbsDiff(h.ex, gc.head_ex ?? []),
        maxAbsDiff(h.ey, gc.head_ey ?? []),
        maxAbsDiff(h.ez, gc.head_ez ?? []),
      );
    } else {
      worst = Math.max(worst, maxAbsDiff(c.loc.slice(0, 3), gc.head_pos));
    }
  });
  expect(worst).toBeLessThanOrEqual(POSITION_TOL);
}

function checkDigAndProjectors(rec: Recording, g: GoldenFif): void {
  const info = rec.info;
  expect(info.dig.map((d) => [d.kind, d.ident, d.coordFrame])).toEqual(
    g.dig.map((d) => [d.kind, d.ident, d.coord_frame]),
  );
  expect(
    maxAbsDiff(
      info.dig.flatMap((d) => d.r),
      g.dig.flatMap((d) => d.r),
    ),
  ).toBeLessThanOrEqual(POSITION_TOL);
  const fid = (ident: number): number[] | null =>
    info.dig.find((d) => d.kind === 'cardinal' && d.ident === ident)?.r ?? null;
  expect([fid(1), fid(2), fid(3)]).toEqual([g.fiducials.lpa, g.fiducials.nasion, g.fiducials.rpa]);
  expect(info.projectors.map((p) => [p.description, p.kind, p.active, p.channelNames])).toEqual(
    g.projectors.map((p) => [p.desc, p.kind, p.active, p.ch_names]),
  );
  info.projectors.forEach((p, i) => {
    expect(maxAbsDiff(p.vectors.flat(), g.projectors[i]?.vectors.flat() ?? [])).toBe(0);
  });
  expect(info.notes?.ctfCompensationGrade ?? null).toBe(g.compensation_grade);
}

/** Events equal MNE's raw.annotations (onsets relative to the first sample), within 1 ns. */
async function checkEvents(rec: Recording, g: GoldenFif): Promise<void> {
  const expected = g.annotations ?? [];
  expect((await rec.readEvents()).map((e) => [e.type, e.value])).toEqual(
    expected.map((a) => ['annotation', a[2]]),
  );
  expect(
    maxAbsDiff(
      (await rec.readEvents()).map((e) => e.onset),
      expected.map((a) => a[0] as number),
    ),
  ).toBeLessThanOrEqual(1e-9);
  expect(
    maxAbsDiff(
      (await rec.readEvents()).map((e) => e.duration),
      expected.map((a) => a[1] as number),
    ),
  ).toBeLessThanOrEqual(1e-9);
}

/** Worst data error over all golden windows, in units of the tolerance (≤ 1 passes). */
async function worstWindowRatio(rec: Recording, g: GoldenFif, condition?: number): Promise<number> {
  const windows = g.windows.filter((w) => condition === undefined || w.condition === condition);
  const ranges = channelRanges(windows);
  let worst = 0;
  for (const w of windows) {
    const got = await rec.readWindow(g.picks, w.start, w.stop);
    got.forEach(
      (row, k) => (worst = Math.max(worst, worstToleranceRatio(row, w.data[k] ?? [], ranges[k] ?? 0))),
    );
  }
  return worst;
}

describeWithData('FIF raw files equal MNE 1.3 read_raw_fif', () => {
  describe.each(RAW_FILES)('%s', (name, path) => {
    const g = loadGolden(name);
    let rec: Recording;
    beforeAll(async () => {
      rec = await openFif(path(), localFs);
    });
    afterAll(async () => rec?.close());

    test('kind, first sample, tmin', () => {
      expect(rec.info.kind).toBe('raw');
      expect(rec.info.firstSample).toBe(g.first_samp);
      expect(rec.info.tmin).toBe(0);
    });
    test('channels: names, types, coil types, units, frames, loc; bads; dev_head_t', () => checkInfo(rec, g));
    test('head-frame positions and orientations', () => checkHeadFrame(rec, g));
    test('digitisation, fiducials, projectors, compensation grade', () => checkDigAndProjectors(rec, g));
    test('events equal raw.annotations', () => checkEvents(rec, g));
    test(`data windows (${g.windows.length} windows × ${g.picks.length} channels) within float32 precision`, async () => {
      expect(await worstWindowRatio(rec, g)).toBeLessThanOrEqual(1);
    });
  });
});

describe.each([
  ['synthetic_long_names_raw', 'long names, skips, float64 buffers'],
  ['synthetic_annotations_raw', 'annotations cropped to the data, measurement date'],
])('FIF raw written by MNE: %s (%s)', (name) => {
  const g = loadGolden(name);
  let rec: Recording;
  beforeAll(async () => {
    rec = await openFif(goldenPath('fif', `${name}.fif`), localFs);
  });
  afterAll(async () => rec?.close());

  test('channels (extended channel info for long names), bads and projector channels, dig', () => {
    checkInfo(rec, g);
    checkDigAndProjectors(rec, g);
    checkHeadFrame(rec, g);
    expect(rec.info.firstSample).toBe(g.first_samp);
  });
  test('data windows (skips read as zeros)', async () => {
    expect(await worstWindowRatio(rec, g)).toBeLessThanOrEqual(1);
  });
  test('events equal raw.annotations (file annotations and BAD_ACQ_SKIP)', async () => {
    expect((await rec.readEvents()).length).toBeGreaterThan(0);
    await checkEvents(rec, g);
  });
});

describeWithData('FIF evoked file equals MNE 1.3 read_evokeds', () => {
  const g = loadGolden('test-ave');
  const path = (): string => testDataPath('fif', 'test-ave.fif.gz');

  test('conditions: comments and nave', async () => {
    const conditions = await listFifConditions(path(), localFs);
    expect(conditions.map((c) => ({ comment: c.comment, nave: c.nave }))).toEqual(g.conditions);
  });

  describe.each([0, 2])('condition %i', (condition) => {
    let rec: Recording;
    beforeAll(async () => {
      rec = await openFif(path(), localFs, { condition });
    });
    afterAll(async () => rec?.close());

    test('info, positions, dig, projectors', () => {
      expect(rec.info.kind).toBe('evoked');
      expect(rec.info.firstSample).toBe(g.first);
      expect(rec.info.tmin).toBeCloseTo(g.tmin ?? NaN, 12);
      expect(rec.info.notes?.comment).toBe(g.conditions?.[condition]?.comment);
      checkInfo(rec, g);
      checkHeadFrame(rec, g);
      checkDigAndProjectors(rec, g);
    });
    test('data (proj=False) within float32 precision', async () => {
      expect(await worstWindowRatio(rec, g, condition)).toBeLessThanOrEqual(1);
    });
    test('data with makeProjector applied equal MNE proj=True', async () => {
      const names = rec.info.channels.map((c) => c.name);
      const all = names.map((_, i) => i);
      const needsProj = rec.info.projectors.some((p) => !p.active);
      expect(needsProj).toBe(true);
      const p = makeProjector(rec.info.projectors, names, rec.info.bads);
      const windows = g.windows.filter((w) => w.condition === condition);
      const ranges = channelRanges(windows, 'data_proj');
      let worst = 0;
      for (const w of windows) {
        const data = await rec.readWindow(all, w.start, w.stop);
        g.picks.forEach((pick, k) => {
          const row = p[pick] ?? [];
          const projected = Array.from({ length: w.stop - w.start }, (_, t) =>
            row.reduce((s, pij, j) => s + pij * ((data[j] as Float64Array)[t] as number), 0),
          );
          worst = Math.max(worst, worstToleranceRatio(projected, w.data_proj?.[k] ?? [], ranges[k] ?? 0));
        });
      }
      expect(worst).toBeLessThanOrEqual(1);
    });
  });
});
