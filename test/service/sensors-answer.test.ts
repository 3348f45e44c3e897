/**
 * The sensors answer kept per opened recording (lib/service/sensors-answer.ts), over real recordings: the bytes
 * are exactly JSON.stringify(sensorsResponse(...)), a repeated query reuses them, another query or another opened
 * recording (a reopen after its files changed) gets its own.
 */
import { copyFileSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootedSourceFs } from '../../lib/readers/rooted-fs';
import { sensorsResponse } from '../../lib/core/sensors';
import { openCached } from '../../lib/service/open-recording';
import { sensorsJson } from '../../lib/service/sensors-answer';
import { testDataPath } from '../helpers/testdata';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

describe('sensors answer', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loris-ephys-sensors-answer-'));
    for (const ext of ['vhdr', 'vmrk', 'eeg'])
      copyFileSync(testDataPath('brainvision', `test.${ext}`), join(dir, `test.${ext}`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the serialised sensorsResponse, reused for the same query only', async () => {
    const ctf = await openCached(testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds'), {
      fs: rootedSourceFs(testDataPath()),
    });
    for (const query of [
      { frame: 'head' as const },
      { frame: 'device' as const, types: ['mag'] },
      { frame: 'head' as const, types: ['eeg', 'mag'] },
    ]) {
      const bytes = sensorsJson(ctf, query);
      const expected = sensorsResponse(ctf.info, { ...query, positionSource: ctf.positionSource });
      expect(text(bytes)).toBe(JSON.stringify(expected));
      expect(sensorsJson(ctf, { ...query })).toBe(bytes);
    }
    expect(text(sensorsJson(ctf, { frame: 'device' }))).not.toBe(text(sensorsJson(ctf, { frame: 'head' })));
  });

  it('belongs to one opened recording: a reopen after a change serialises again', async () => {
    const open = () => openCached(join(dir, 'test.vhdr'), { fs: rootedSourceFs(dir) });
    const first = await open();
    const bytes = sensorsJson(first, { frame: 'head' });
    expect(sensorsJson(await open(), { frame: 'head' })).toBe(bytes);
    utimesSync(join(dir, 'test.vhdr'), new Date(), new Date(Date.now() + 5000));
    const reopened = await open();
    expect(reopened.info).not.toBe(first.info);
    const again = sensorsJson(reopened, { frame: 'head' });
    expect(again).not.toBe(bytes);
    expect(text(again)).toBe(text(bytes));
  });
});
