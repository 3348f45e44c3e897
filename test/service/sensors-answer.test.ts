/**
 * The sensors answer kept per opened recording (lib/service/sensors-answer.ts), over real recordings: the text is
 * exactly JSON.stringify(sensorsResponse(...)), a repeated query does not serialise again, another query or
 * another opened recording (a reopen after its files changed) does.
 */
import { copyFileSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootedSourceFs } from '../../lib/readers/rooted-fs';
import { sensorsResponse } from '../../lib/core/sensors';
import { openCached } from '../../lib/service/open-recording';
import { sensorsJson } from '../../lib/service/sensors-answer';
import { testDataPath } from '../helpers/testdata';

describe('sensors answer', () => {
  let dir: string;
  let stringify: jest.SpyInstance;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loris-ephys-sensors-answer-'));
    for (const ext of ['vhdr', 'vmrk', 'eeg'])
      copyFileSync(testDataPath('brainvision', `test.${ext}`), join(dir, `test.${ext}`));
  });
  beforeEach(() => (stringify = jest.spyOn(JSON, 'stringify')));
  afterEach(() => stringify.mockRestore());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** How many answers sensorsJson serialised during `run` (its cache key is one JSON.stringify call too). */
  const serialised = (run: () => void): number => {
    const before = stringify.mock.calls.length;
    run();
    return stringify.mock.calls
      .slice(before)
      .filter((call) => typeof call[0] !== 'object' || !Array.isArray(call[0])).length;
  };

  it('is the serialised sensorsResponse, serialised once per query', async () => {
    const ctf = await openCached(testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds'), {
      fs: rootedSourceFs(testDataPath()),
    });
    for (const query of [
      { frame: 'head' as const },
      { frame: 'device' as const, types: ['mag'] },
      { frame: 'head' as const, types: ['eeg', 'mag'] },
    ]) {
      let json = '';
      expect(serialised(() => (json = sensorsJson(ctf, query)))).toBe(1);
      const expected = sensorsResponse(ctf.info, { ...query, positionSource: ctf.positionSource });
      expect(json).toBe(JSON.stringify(expected));
      expect(serialised(() => expect(sensorsJson(ctf, { ...query })).toBe(json))).toBe(0);
    }
    expect(sensorsJson(ctf, { frame: 'device' })).not.toBe(sensorsJson(ctf, { frame: 'head' }));
  });

  it('belongs to one opened recording: a reopen after a change serialises again', async () => {
    const open = () => openCached(join(dir, 'test.vhdr'), { fs: rootedSourceFs(dir) });
    const first = await open();
    const json = sensorsJson(first, { frame: 'head' });
    const same = await open();
    expect(serialised(() => expect(sensorsJson(same, { frame: 'head' })).toBe(json))).toBe(0);
    utimesSync(join(dir, 'test.vhdr'), new Date(), new Date(Date.now() + 5000));
    const reopened = await open();
    expect(reopened.info).not.toBe(first.info);
    expect(serialised(() => expect(sensorsJson(reopened, { frame: 'head' })).toBe(json))).toBe(1);
  });
});
