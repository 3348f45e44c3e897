/**
 * The SSP projection of an evoked map (the picked rows of MNE's projector) is cached by what it is made from:
 * two recordings with the same projectors, channels and bads share one, computed once, with the same values as
 * each computed alone; other bads or a projector vector changed in its last bit get their own.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topomapQuerySchema } from '../../lib/core/topomap-params';
import * as proj from '../../lib/readers/fif/proj';
import { rootedSourceFs } from '../../lib/readers/rooted-fs';
import { openCached, type LorisRecordingExtras } from '../../lib/service/open-recording';
import { computeMap, projectionKey } from '../../lib/service/topomap';
import { describeWithData, testDataPath } from '../helpers/testdata';

jest.mock('../../lib/readers/fif/proj', () => {
  const actual = jest.requireActual<typeof proj>('../../lib/readers/fif/proj');
  return { ...actual, projectorRows: jest.fn(actual.projectorRows) };
});

const limits = { maxWindowSeconds: 60, maxImageSize: 1024, maxRes: 256 };
const query = topomapQuerySchema.parse({ type: 'eeg', t: '0.1', format: 'json' });
const rowsMade = proj.projectorRows as jest.MockedFunction<typeof proj.projectorRows>;

describeWithData('SSP projections shared by content', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loris-projection-'));
    for (const name of ['a', 'b', 'c'])
      copyFileSync(testDataPath('fif', 'test-ave.fif.gz'), join(dir, `${name}.fif.gz`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const open = (name: string, extras: LorisRecordingExtras = {}, extrasKey = '') =>
    openCached(join(dir, `${name}.fif.gz`), { fs: rootedSourceFs(dir), extras, extrasKey });

  it('computes the projection once for two recordings with the same projectors, channels and bads', async () => {
    rowsMade.mockClear();
    const a = await computeMap(await open('a'), query, limits);
    expect(rowsMade).toHaveBeenCalledTimes(1);
    const b = await computeMap(await open('b'), query, limits);
    expect(rowsMade).toHaveBeenCalledTimes(1);
    expect(b.renderable.map.values).toEqual(a.renderable.map.values);
  });

  it('computes its own for other bads (LORIS channel status), then reuses it for the same content', async () => {
    const plain = await open('c');
    const bad = plain.info.channels.find((c) => c.type === 'eeg' && !plain.info.bads.includes(c.name))?.name;
    if (!bad) throw new Error('no good EEG channel');
    rowsMade.mockClear();
    const withBad = await open('c', { badChannels: [bad] }, 'bad');
    const shared = await computeMap(withBad, query, limits);
    expect(rowsMade).toHaveBeenCalledTimes(1);
    // The same recording again (another opened copy of its info): served from the cache, same values.
    const again = await computeMap({ ...withBad, info: { ...withBad.info } }, query, limits);
    expect(rowsMade).toHaveBeenCalledTimes(1);
    expect(again.renderable.map.values).toEqual(shared.renderable.map.values);
  });

  it('keys on every bit of the projector vectors', async () => {
    const { info } = await open('a');
    const picks = info.channels.map((c, i) => (c.type === 'eeg' ? i : -1)).filter((i) => i >= 0);
    const [first, ...rest] = info.projectors;
    if (!first?.vectors[0]) throw new Error('no projector');
    const [v0, ...vs] = first.vectors;
    const nudged = [...v0];
    const k = nudged.findIndex((x) => x !== 0);
    nudged[k] = (nudged[k] as number) * (1 + Number.EPSILON);
    const changed = { ...info, projectors: [{ ...first, vectors: [nudged, ...vs] }, ...rest] };
    expect(projectionKey(changed, picks)).not.toBe(projectionKey(info, picks));
    expect(projectionKey({ ...info }, picks)).toBe(projectionKey(info, picks));
    expect(projectionKey(info, picks.slice(1))).not.toBe(projectionKey(info, picks));
  });
});
