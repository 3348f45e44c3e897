/** The CTF reader against what MNE-Python 1.3's read_raw_ctf returns for the same .ds (golden JSON). */
import { openCtf } from '../../../lib/readers/ctf';
import { applyTransform } from '../../../lib/readers/ctf/transforms';
import type { Vec3 } from '../../../lib/readers/ctf/res4';
import { localFs } from '../../../lib/readers/source';
import type { Recording } from '../../../lib/readers/types';
import { describeWithData, testDataPath } from '../../helpers/testdata';
import { DS_PATH_PARTS, UNIT_NAMES, expectClose, loadGolden } from './golden';

const FRAME_NAMES: Record<number, string> = { 0: 'unknown', 1: 'device', 4: 'head' };
/** Positions and orientations: absolute tolerance in metres (unit vectors: dimensionless). */
const POS_TOL = 1e-6;
/** Samples: float32 relative precision. */
const DATA_RTOL = 2 ** -23;

describeWithData('CTF .ds reader equals MNE read_raw_ctf', () => {
  const golden = loadGolden('ds.json');
  let rec: Recording;
  beforeAll(async () => {
    rec = await openCtf(testDataPath(...DS_PATH_PARTS), localFs);
  });
  afterAll(async () => rec.close());

  it('has MNE sfreq, n_times, compensation grade and bads', () => {
    expect(rec.info.format).toBe('ctf');
    expect(rec.info.sfreq).toBe(golden.sfreq);
    expect(rec.info.nSamples).toBe(golden.n_times);
    expect(rec.info.firstSample).toBe(golden.first_samp);
    expect(rec.info.notes?.compensationGrade).toBe(golden.compensation_grade);
    expect(rec.info.bads).toEqual(golden.bads);
  });

  it('has MNE channel names, types, units and coil types', () => {
    expect(rec.info.channels.map((c) => c.name)).toEqual(golden.channels.map((c) => c.name));
    expect(rec.info.channels.map((c) => c.type)).toEqual(golden.channels.map((c) => c.type));
    expect(rec.info.channels.map((c) => c.unit)).toEqual(golden.channels.map((c) => UNIT_NAMES[c.unit]));
    expect(rec.info.channels.map((c) => c.coilType)).toEqual(golden.channels.map((c) => c.coil_type));
    expect(rec.info.channels.map((c) => c.coordFrame)).toEqual(
      golden.channels.map((c) => FRAME_NAMES[c.coord_frame]),
    );
  });

  it('has MNE loc for every channel (1e-6)', () => {
    golden.channels.forEach((g, i) =>
      expectClose(rec.info.channels[i]?.loc ?? [], g.loc, 0, POS_TOL, `${g.name} loc`),
    );
  });

  it('has MNE dev_head_t, and head-frame sensor positions/orientations (1e-6)', () => {
    const t = rec.info.devHeadT;
    expect(t).not.toBeNull();
    golden.dev_head_t.forEach((row, i) => expectClose(t?.[i] ?? [], row, 0, POS_TOL, `dev_head_t[${i}]`));
    golden.channels.forEach((g, i) => {
      const loc = rec.info.channels[i]?.loc ?? [];
      if (g.head_ori === null) {
        expectClose(loc.slice(0, 3), g.head_pos, 0, POS_TOL, `${g.name} head pos`);
        return;
      }
      expectClose(
        applyTransform(t ?? [], loc.slice(0, 3) as Vec3),
        g.head_pos,
        0,
        POS_TOL,
        `${g.name} head pos`,
      );
      expectClose(
        applyTransform(t ?? [], loc.slice(9, 12) as Vec3, false),
        g.head_ori,
        0,
        POS_TOL,
        `${g.name} head ori`,
      );
    });
    expect(golden.channels.filter((g) => g.head_ori !== null)).toHaveLength(301);
  });

  it('has MNE dig points (fiducials from .hc, EEG from channel positions)', () => {
    expect(rec.info.dig.map((d) => [d.kind, d.ident, d.coordFrame])).toEqual(
      golden.dig.map((d) => [d.kind, d.ident, d.coord_frame]),
    );
    golden.dig.forEach((d, i) => expectClose(rec.info.dig[i]?.r ?? [], d.r, 0, POS_TOL, `dig ${i}`));
  });

  it.each(golden.windows.map((w) => [w.start, w.stop] as const))(
    'reads window [%d, %d) as MNE (float32 precision)',
    async (start, stop) => {
      const w = golden.windows.find((x) => x.start === start && x.stop === stop);
      const data = await rec.readWindow(golden.picks, start, stop);
      expect(data).toHaveLength(golden.picks.length);
      golden.pick_names.forEach((name, k) =>
        expectClose(data[k] ?? [], w?.data[k] ?? [], DATA_RTOL, 0, `${name} [${start},${stop})`),
      );
    },
  );

  it('covers each channel type and windows across the trial boundary', () => {
    const types = new Set(golden.picks.map((p) => rec.info.channels[p]?.type));
    expect([...types].sort()).toEqual(['eeg', 'mag', 'misc', 'ref_meg', 'stim']);
    expect(golden.windows.some((w) => w.start < 1201 && w.stop > 1201)).toBe(true);
    // the golden really holds signal, not zeros
    expect(golden.windows[0]?.data.some((row) => row.some((v) => v !== 0))).toBe(true);
  });
});
