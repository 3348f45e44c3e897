/** BrainVision reader against MNE 1.3 on every .vhdr test recording (golden: scripts/golden/make_edf_bv_golden.py). */
import { readFileSync } from 'node:fs';
import { carriesFilePositions, openBrainVision } from '../../../lib/readers/brainvision';
import { localFs, memoryFs } from '../../../lib/readers/source';
import type { Recording } from '../../../lib/readers/types';
import { describeWithData, testDataPath } from '../../helpers/testdata';
import {
  expectEventsEqual,
  goldenFiles,
  loadGolden,
  relativeError,
  sourceFile,
  type EegGolden,
} from '../eeg-shared/golden';

const FIFF_UNIT_V = 107;
const FIFF_UNIT_CEL = 114;
const unitOf = (fiff: number): string => (fiff === FIFF_UNIT_V ? 'V' : fiff === FIFF_UNIT_CEL ? '°C' : '');

function expectInfoLikeMne(rec: Recording, g: EegGolden): void {
  expect(rec.info.channels.map((c) => c.name)).toEqual(g.ch_names);
  expect(rec.info.channels.map((c) => c.type)).toEqual(g.types);
  expect(rec.info.channels.map((c) => c.unit)).toEqual(g.fiff_units.map(unitOf));
  expect(rec.info.sfreq).toBe(g.sfreq);
  expect(rec.info.nSamples).toBe(g.n_times);
  expect(rec.info.excluded).toEqual([]);
  expect(rec.info.notes?.measDate ?? null).toBe(g.meas_date);
}

describeWithData('BrainVision reader vs MNE 1.3', () => {
  const files = goldenFiles('bv__').filter((f) => f.endsWith('_vhdr.json'));

  it('has a golden file for every .vhdr recording', () => {
    expect(files.length).toBe(5);
  });

  describe.each(files)('%s', (file) => {
    const g = loadGolden(file);
    let rec: Recording;
    beforeAll(async () => {
      rec = await openBrainVision(testDataPath(sourceFile(g)), localFs);
    });
    afterAll(() => rec.close());

    it('has MNE names, types, units, sfreq and sample count', () => expectInfoLikeMne(rec, g));

    it('has MNE annotations as events (type/description)', async () => {
      expectEventsEqual(
        (await rec.readEvents()).map((e) => ({
          onset: e.onset,
          duration: e.duration,
          description: `${e.type}/${e.value}`,
        })),
        g.annotations,
      );
    });

    it('carries no positions (no [Coordinates] section)', () => {
      expect(carriesFilePositions(rec.info)).toBe(false);
      expect(rec.info.channels.every((c) => c.loc.every(Number.isNaN))).toBe(true);
    });

    it.each(g.windows.map((w) => [w.start, w.stop, w] as const))(
      'window [%d, %d) equals MNE',
      async (_s, _e, w) => {
        const data = await rec.readWindow(g.picks, w.start, w.stop);
        data.forEach((row, k) => expect(relativeError(row, w.data[k] ?? [])).toBeLessThan(1e-6));
      },
    );

    if (g.fif) {
      const fif = g.fif;
      // The FIF was converted when every channel of test.vhdr was in µV; the header now gives four channels
      // non-voltage units (ARU, S, C, an unknown one) that MNE scales by 1 instead of 1e-6.
      const microVolt = (p: number): boolean => ['µV', 'uV', 'µS', 'uS'].includes(g.orig_units[p] ?? '');
      it.each(fif.windows.map((w) => [w.start, w.stop, w] as const))(
        'window [%d, %d) equals the FIF conversion brainvision_test_bin_raw.fif',
        async (_s, _e, w) => {
          const data = await rec.readWindow(g.picks, w.start, w.stop);
          expect(g.picks.filter((p) => !microVolt(p)).length).toBeGreaterThan(0);
          data.forEach((row, k) => {
            const scale = microVolt(g.picks[k] ?? -1) ? 1 : 1e-6;
            expect(
              relativeError(
                row.map((v) => v * scale),
                w.data[k] ?? [],
              ),
            ).toBeLessThan(1e-6);
          });
        },
      );
    }
  });

  describe.each(goldenFiles('bv__').filter((f) => !f.endsWith('_vhdr.json')))(
    'test.vhdr variant %s',
    (file) => {
      const g = loadGolden(file);
      let rec: Recording;
      beforeAll(async () => {
        const files = new Map<string, Uint8Array>([
          ['/rec/test.vhdr', new TextEncoder().encode(g.vhdr_text ?? '')],
          ['/rec/test.vmrk', new TextEncoder().encode(g.vmrk_text ?? '')],
          ['/rec/test.eeg', readFileSync(testDataPath('brainvision', 'test.eeg'))],
        ]);
        rec = await openBrainVision('/rec/test.vhdr', memoryFs(files));
      });

      it('has MNE names, types (a channel at the origin becomes misc), units and sizes', () =>
        expectInfoLikeMne(rec, g));

      it('has MNE annotations as events', async () => {
        expectEventsEqual(
          (await rec.readEvents()).map((e) => ({
            onset: e.onset,
            duration: e.duration,
            description: `${e.type}/${e.value}`,
          })),
          g.annotations,
        );
      });

      it('puts EEG positions and reference in loc[0:6] within 1e-6 m, NaN elsewhere', () => {
        expect(carriesFilePositions(rec.info)).toBe(g.coordinates_section !== undefined);
        rec.info.channels.forEach((c, i) => {
          const expected = g.loc?.[i] ?? [];
          c.loc.slice(0, 6).forEach((v, j) => {
            const e = expected[j];
            if (e === null || e === undefined) expect(v).toBeNaN();
            else expect(Math.abs(v - e)).toBeLessThan(1e-6);
          });
          expect(c.loc.slice(6).every(Number.isNaN)).toBe(true);
        });
      });

      it('has MNE dig points: fiducials on the mean-radius sphere, then EEG points', () => {
        const kinds: Record<number, string> = { 1: 'cardinal', 3: 'eeg' };
        expect(rec.info.dig.map((d) => [d.kind, d.ident])).toEqual(
          g.dig?.map((d) => [kinds[d.kind], d.ident]),
        );
        rec.info.dig.forEach((d, i) => {
          d.r.forEach((v, j) => expect(Math.abs(v - (g.dig?.[i]?.r[j] ?? NaN))).toBeLessThan(1e-6));
        });
      });
    },
  );
});
