/**
 * The .ds as this reader reads it agrees with its FIF conversion (testdata_ctf_short_discontinuous.ds_raw.fif) as
 * MNE 1.3 reads that file (golden ds_raw_fif.json). The FIF stores float32 positions and calibrations, so agreement
 * is to float32 precision. Known differences of the older converter that wrote the FIF are checked, not hidden:
 * stim/misc loc is 0 there (NaN in MNE's CTF reader), the 5003 reference gradiometers have ex = ey = 0, and the
 * .hc fiducials are stored as HPI points, and EEG channels have coil type 0.
 */
import { openCtf } from '../../../lib/readers/ctf';
import { localFs } from '../../../lib/readers/source';
import type { Recording } from '../../../lib/readers/types';
import { describeWithData, testDataPath } from '../../helpers/testdata';
import { DS_PATH_PARTS, UNIT_NAMES, expectClose, loadGolden } from './golden';

const POS_TOL = 1e-6;
const DATA_RTOL = 2 ** -23;

describeWithData('CTF .ds reader agrees with MNE on the FIF conversion', () => {
  const fif = loadGolden('ds_raw_fif.json');
  let rec: Recording;
  beforeAll(async () => {
    rec = await openCtf(testDataPath(...DS_PATH_PARTS), localFs);
  });
  afterAll(async () => rec.close());

  it('has the same channels, types, units, coil types and sample count', () => {
    expect(rec.info.channels.map((c) => c.name)).toEqual(fif.channels.map((c) => c.name));
    expect(rec.info.channels.map((c) => c.type)).toEqual(fif.channels.map((c) => c.type));
    expect(rec.info.channels.map((c) => c.unit)).toEqual(fif.channels.map((c) => UNIT_NAMES[c.unit]));
    const meg = (t: string): boolean => t === 'mag' || t === 'ref_meg';
    const megCoils = (coils: number[], types: string[]): number[] =>
      coils.filter((_, i) => meg(types[i] ?? ''));
    const fifTypes = fif.channels.map((c) => c.type);
    expect(
      megCoils(
        rec.info.channels.map((c) => c.coilType),
        fifTypes,
      ),
    ).toEqual(
      megCoils(
        fif.channels.map((c) => c.coil_type),
        fifTypes,
      ),
    );
    // the converter wrote EEG channels with coil type 0 where MNE's CTF reader gives 1 (FIFFV_COIL_EEG)
    expect(fif.channels.filter((c) => c.type === 'eeg').map((c) => c.coil_type)).toEqual(
      new Array(8).fill(0),
    );
    expect(rec.info.nSamples).toBe(fif.n_times);
    expect(rec.info.sfreq).toBe(fif.sfreq);
    expect(rec.info.notes?.compensationGrade).toBe(fif.compensation_grade);
  });

  it('has the same MEG coil frames and EEG positions (1e-6)', () => {
    let compared = 0;
    fif.channels.forEach((g, i) => {
      const loc = rec.info.channels[i]?.loc ?? [];
      if (g.type === 'eeg') {
        expectClose(loc.slice(0, 3), g.loc.slice(0, 3), 0, POS_TOL, `${g.name} position`);
        compared++;
      } else if (g.type === 'mag' || g.type === 'ref_meg') {
        const exEyStored = g.loc.slice(3, 9).some((v) => v !== 0);
        expectClose(
          exEyStored ? loc : [...loc.slice(0, 3), ...loc.slice(9)],
          exEyStored ? g.loc : [...g.loc.slice(0, 3), ...g.loc.slice(9)],
          0,
          POS_TOL,
          `${g.name} loc`,
        );
        compared++;
      }
    });
    expect(compared).toBe(273 + 28 + 8);
    // the converter's only loc differences: ex/ey dropped for the 5003 reference gradiometers
    const dropped = fif.channels.filter(
      (g) => g.type === 'ref_meg' && g.loc.slice(3, 9).every((v) => v === 0),
    );
    expect(new Set(dropped.map((g) => g.coil_type))).toEqual(new Set([5003]));
  });

  it('has the same dev_head_t and fiducial/EEG dig positions (1e-6)', () => {
    fif.dev_head_t.forEach((row, i) =>
      expectClose(rec.info.devHeadT?.[i] ?? [], row, 0, POS_TOL, `dev_head_t[${i}]`),
    );
    expect(rec.info.dig).toHaveLength(fif.dig.length);
    fif.dig.forEach((d, i) => expectClose(rec.info.dig[i]?.r ?? [], d.r, 0, POS_TOL, `dig ${i}`));
  });

  it.each(fif.windows.map((w) => [w.start, w.stop] as const))(
    'reads window [%d, %d) as MNE reads the FIF',
    async (start, stop) => {
      const w = fif.windows.find((x) => x.start === start && x.stop === stop);
      const data = await rec.readWindow(fif.picks, start, stop);
      fif.pick_names.forEach((name, k) =>
        expectClose(data[k] ?? [], w?.data[k] ?? [], DATA_RTOL, 0, `${name} [${start},${stop})`),
      );
    },
  );
});
