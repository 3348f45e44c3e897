/**
 * computeMap gives, bit for bit, the answers the service gave at commit 4fa6655 (test/golden/service/map-bits.json,
 * written there by bench/map-bits.ts): grid, values, colour limits, contour levels and times of 41 queries over
 * the demo and the shared recordings (EEG, MEG mag/grad, evoked with projectors, power, filters, ERP, every
 * interpolation and extrapolation). Speed work on the map path must not change an answer.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapBits, type MapBits } from '../helpers/map-bits';
import { describeWithData, goldenPath } from '../helpers/testdata';

const reference = JSON.parse(readFileSync(goldenPath('service', 'map-bits.json'), 'utf8')) as MapBits[];

describeWithData('map answers against commit 4fa6655', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loris-map-bits-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are the same bits for every query (twice: cold, then with geometry, plan and recording caches warm)', async () => {
    expect(reference.length).toBeGreaterThan(40);
    expect(await mapBits(dir)).toEqual(reference);
    expect(await mapBits(dir)).toEqual(reference);
  });
});
