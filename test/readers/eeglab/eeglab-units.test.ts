/**
 * EEGLAB chanlocs without a unit, read as current MNE reads them (montage_units='auto'): a unit-sphere set (as
 * EEGLAB's own eeglab_data.set) and a centimetre set, against MNE 1.3 with the positions scaled as current MNE
 * scales them (scripts/golden/make_eeglab_units_golden.py): positions, 2-D positions and the Clough–Tocher grid.
 */
import { readFileSync } from 'node:fs';
import { describeRecording } from '../../../lib/core/describe';
import { sensorsResponse } from '../../../lib/core/sensors';
import { topomapQuerySchema } from '../../../lib/core/topomap-params';
import { inferUnits } from '../../../lib/readers/eeglab/info';
import { openForHandler } from '../../../lib/service/open-recording';
import { computeMap, mapJson } from '../../../lib/service/topomap';
import { goldenPath } from '../../helpers/testdata';

interface UnitsGolden {
  unit: string;
  mean_radius: number;
  time: number;
  ch_names: string[];
  loc: number[][];
  sphere: number[];
  pos2d: number[][];
  extent: number[];
  vmin: number;
  vmax: number;
  res: number;
  grid: (number | null)[];
}

const LIMITS = { maxWindowSeconds: 60, maxImageSize: 1024, maxRes: 256 };

describe('EEGLAB position units (montage_units=auto)', () => {
  it('follows MNE thresholds on the mean electrode radius', () => {
    expect([0.09, 0.2499, 0.25, 1, 2.4999, 2.5, 9.5, 24.99, 25, 85].map(inferUnits)).toEqual([
      'm',
      'm',
      'dm',
      'dm',
      'dm',
      'cm',
      'cm',
      'cm',
      'mm',
      'mm',
    ]);
  });

  describe.each(['sphere', 'cm'])('units_%s.set', (kind) => {
    const g = JSON.parse(readFileSync(goldenPath('eeglab', `units_${kind}.json`), 'utf8')) as UnitsGolden;
    const path = goldenPath('eeglab', `units_${kind}.set`);

    it('infers the unit current MNE infers and says so in info and sensors', async () => {
      const opened = await openForHandler(path);
      try {
        expect(opened.info.fileUnits?.unit).toBe(g.unit);
        expect(opened.info.fileUnits?.meanRadius).toBeCloseTo(g.mean_radius, 12);
        expect(describeRecording(opened.info, opened.positionSource, 0).fileUnits?.unit).toBe(g.unit);
        const sensors = sensorsResponse(opened.info, {
          frame: 'head',
          positionSource: opened.positionSource,
        });
        expect(sensors.positionSource).toBe('file');
        expect(sensors.fileUnits?.unit).toBe(g.unit);
        opened.info.channels.forEach((c, i) =>
          c.loc
            .slice(0, 3)
            .forEach((v, k) => expect(Math.abs(v - (g.loc[i]?.[k] ?? NaN))).toBeLessThan(1e-12)),
        );
      } finally {
        await opened.recording.close();
      }
    });

    it('draws the map MNE draws: 2-D positions and Clough–Tocher grid ≤ 1e-4 of the colour range', async () => {
      const opened = await openForHandler(path);
      try {
        const q = topomapQuerySchema.parse({ t: String(g.time), format: 'json', res: '64' });
        const json = mapJson(await computeMap(opened, q, LIMITS), opened, q);
        expect(json.channels).toEqual(g.ch_names);
        expect(json.sphere).toEqual(g.sphere);
        const posErr = Math.max(
          ...json.positions2d.flatMap((p, i) => p.map((v, k) => Math.abs(v - (g.pos2d[i]?.[k] ?? NaN)))),
        );
        expect(posErr).toBeLessThan(1e-12);
        // Our grid is in display units (µV) or SI; compare relative to each side's own colour range.
        const ours = json.grid.flat();
        const oursRange = json.vmax - json.vmin;
        const mneRange = g.vmax - g.vmin;
        expect(ours.length).toBe(g.grid.length);
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
        expect(nanMismatch).toBe(0);
        expect(worst).toBeLessThanOrEqual(1e-4);
        console.log(
          `units_${kind}.set (${g.unit}): 2-D positions ${posErr.toExponential(1)} m, grid ${worst.toExponential(1)} × colour range`,
        );
      } finally {
        await opened.recording.close();
      }
    });
  });
});
