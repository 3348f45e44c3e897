/**
 * Honest montages (issue 16): a BDF whose labels are a strip of a cap (A1..A16) gets no guessed positions and a
 * map request says how to supply them; a 64-channel BDF with 10-20 names gets MNE's standard positions
 * (scripts/golden/make_honest_montage_golden.py).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topomapQuerySchema } from '../../../lib/core/topomap-params';
import { openForHandler } from '../../../lib/service/open-recording';
import { computeMap } from '../../../lib/service/topomap';
import { writeBdf } from '../../helpers/bdf-writer';
import { goldenPath } from '../../helpers/testdata';

const golden = JSON.parse(readFileSync(goldenPath('positions', 'honest_montage.json'), 'utf8')) as {
  names: string[];
  positions: Record<string, number[][]>;
};
const LIMITS = { maxWindowSeconds: 60, maxImageSize: 1024, maxRes: 256 };
const signal = (c: number, s: number): number => Math.round(1000 * Math.sin(s / 7 + c));

describe('honest montages', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'honest-'));
    const strip = Array.from({ length: 16 }, (_, i) => `A${i + 1}`);
    writeFileSync(join(dir, 'strip.bdf'), writeBdf([...strip, 'Status'], 64, 2, signal));
    writeFileSync(join(dir, 'cap64.bdf'), writeBdf([...golden.names, 'Status'], 64, 2, signal));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives a 16-channel A1..A16 BDF no guessed cap, and a map request a 422 saying how to supply positions', async () => {
    const opened = await openForHandler(join(dir, 'strip.bdf'));
    try {
      expect(opened.positionSource).toBe('none');
      expect(
        opened.info.channels
          .filter((c) => c.type === 'eeg')
          .every((c) => c.loc.slice(0, 3).some(Number.isNaN)),
      ).toBe(true);
      const q = topomapQuerySchema.parse({ t: '1' });
      await expect(computeMap(opened, q, LIMITS)).rejects.toMatchObject({
        status: 422,
        code: 'insufficient_positions',
        message: expect.stringContaining('electrodes.tsv'),
      });
    } finally {
      await opened.recording.close();
    }
  });

  it('gives a 64-channel 10-20-named BDF MNE standard positions (standard_1005 = standard_1020 for these names)', async () => {
    const opened = await openForHandler(join(dir, 'cap64.bdf'));
    try {
      expect(opened.positionSource).toBe('montage:standard_1005');
      const eeg = opened.info.channels.filter((c) => golden.names.includes(c.name));
      expect(eeg.map((c) => c.name)).toEqual(golden.names);
      let worst = 0;
      for (const m of ['standard_1005', 'standard_1020']) {
        eeg.forEach((c, i) =>
          c.loc.slice(0, 3).forEach((v, k) => {
            worst = Math.max(worst, Math.abs(v - (golden.positions[m]?.[i]?.[k] ?? NaN)));
          }),
        );
      }
      expect(worst).toBeLessThanOrEqual(1e-6);
      const q = topomapQuerySchema.parse({ t: '1' });
      const map = await computeMap(opened, q, LIMITS);
      expect(map.selection.names).toHaveLength(64);
    } finally {
      await opened.recording.close();
    }
  });
});
