/** EDF/BDF reader against MNE 1.3 on every EDF and BDF test recording (golden: scripts/golden/make_edf_bv_golden.py). */
import { openEdf } from '../../../lib/readers/edf';
import { localFs } from '../../../lib/readers/source';
import type { Recording } from '../../../lib/readers/types';
import { describeWithData, testDataPath } from '../../helpers/testdata';
import { expectEventsEqual, goldenFiles, loadGolden, relativeError, sourceFile } from '../eeg-shared/golden';

const FIFF_UNIT_V = 107;

describeWithData('EDF/BDF reader vs MNE 1.3', () => {
  const files = goldenFiles('edf__').filter((f) => !f.includes('synthetic'));

  it('has a golden file for every EDF and BDF recording', () => {
    expect(files.length).toBe(7);
  });

  describe.each(files)('%s', (file) => {
    const g = loadGolden(file);
    let rec: Recording;
    beforeAll(async () => {
      rec = await openEdf(testDataPath(sourceFile(g)), localFs);
    });
    afterAll(() => rec.close());

    const sameRate = g.ch_names.filter((_, i) => g.samples_per_record?.[i] === g.record_samples);

    it('offers MNE channels with the main rate, lists the others as excluded', () => {
      expect(rec.info.channels.map((c) => c.name)).toEqual(sameRate);
      expect(rec.info.excluded.map((e) => e.name)).toEqual(g.ch_names.filter((n) => !sameRate.includes(n)));
    });

    it('has MNE types, units, sfreq and sample count', () => {
      const index = rec.info.channels.map((c) => g.ch_names.indexOf(c.name));
      expect(rec.info.channels.map((c) => c.type)).toEqual(index.map((i) => g.types[i]));
      expect(rec.info.channels.map((c) => c.unit)).toEqual(
        index.map((i) => (g.fiff_units[i] === FIFF_UNIT_V ? 'V' : '')),
      );
      expect(rec.info.sfreq).toBe(g.sfreq);
      expect(rec.info.nSamples).toBe(g.n_times);
      expect(rec.info.notes?.measDate ?? null).toBe(g.meas_date);
    });

    it('has MNE annotations as events', async () => {
      expectEventsEqual(
        (await rec.readEvents()).map((e) => ({ onset: e.onset, duration: e.duration, description: e.value })),
        g.annotations,
      );
      expect((await rec.readEvents()).every((e) => e.type === 'annotation')).toBe(true);
    });

    it.each(g.windows.map((w) => [w.start, w.stop, w] as const))(
      'window [%d, %d) equals MNE',
      async (_s, _e, w) => {
        const picks = g.picks.map((p) => sameRate.indexOf(g.ch_names[p] ?? ''));
        const data = await rec.readWindow(picks, w.start, w.stop);
        data.forEach((row, k) => expect(relativeError(row, w.data[k] ?? [])).toBeLessThan(1e-6));
      },
    );
  });
});
