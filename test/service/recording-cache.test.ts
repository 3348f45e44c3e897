/**
 * The recording cache's bounds and lifetime on real recordings: it never holds more than its size, evicted
 * recordings are closed (their file handles no longer read) after the grace period, hits return the same
 * opened recording, concurrent misses share one open, and a changed dependency reopens and closes the old one.
 */
import { copyFileSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecordingCache, type OpenedRecording } from '../../lib/service/open-recording';
import { describeWithData, testDataPath } from '../helpers/testdata';

const settle = (ms = 30) => new Promise((r) => setTimeout(r, ms));
const closeAll = (...opened: OpenedRecording[]) =>
  Promise.all(opened.map((o) => o.recording.close().catch(() => undefined)));
const readsFirstSamples = (opened: OpenedRecording) => opened.recording.readWindow([0], 0, 8);

describeWithData('recording cache', () => {
  let dir: string;
  const paths: Record<'edf' | 'bdf' | 'vhdr', string> = { edf: '', bdf: '', vhdr: '' };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loris-recording-cache-'));
    paths.edf = join(dir, 'test.edf');
    paths.bdf = join(dir, 'test.bdf');
    paths.vhdr = join(dir, 'test.vhdr');
    copyFileSync(testDataPath('edf', 'test.edf'), paths.edf);
    copyFileSync(testDataPath('edf', 'test.bdf'), paths.bdf);
    for (const ext of ['vhdr', 'vmrk', 'eeg'])
      copyFileSync(testDataPath('brainvision', `test.${ext}`), join(dir, `test.${ext}`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds at most its size and closes the recordings it evicts', async () => {
    const cache = createRecordingCache(2, 0);
    const edf = await cache.open(paths.edf);
    const bdf = await cache.open(paths.bdf);
    expect(cache.size).toBe(2);
    await expect(readsFirstSamples(edf)).resolves.toHaveLength(1);
    const vhdr = await cache.open(paths.vhdr);
    expect(cache.size).toBe(2);
    await settle();
    await expect(readsFirstSamples(edf)).rejects.toThrow(); // evicted (least recently used) and closed
    await expect(readsFirstSamples(bdf)).resolves.toHaveLength(1);
    await expect(readsFirstSamples(vhdr)).resolves.toHaveLength(1);
    const reopened = await cache.open(paths.edf);
    expect(reopened).not.toBe(edf);
    await expect(readsFirstSamples(reopened)).resolves.toHaveLength(1);
    expect(cache.size).toBe(2);
    await closeAll(bdf, vhdr, reopened);
  });

  it('returns the same opened recording on a hit, and concurrent misses share one open', async () => {
    const cache = createRecordingCache(4, 0);
    const [a, b, c] = await Promise.all([
      cache.open(paths.bdf),
      cache.open(paths.bdf),
      cache.open(paths.bdf),
    ]);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(await cache.open(paths.bdf)).toBe(a);
    expect(cache.size).toBe(1);
    await closeAll(a);
  });

  it('keeps a replaced recording readable for the grace period, then closes it', async () => {
    const cache = createRecordingCache(4, 150);
    const before = await cache.open(paths.vhdr);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'test.eeg'), later, later); // the data file beside the header changed
    const after = await cache.open(paths.vhdr);
    expect(after).not.toBe(before);
    expect(after.identityKey).not.toBe(before.identityKey);
    await expect(readsFirstSamples(before)).resolves.toHaveLength(1); // a request still reading it is not cut short
    await settle(300);
    await expect(readsFirstSamples(before)).rejects.toThrow();
    await expect(readsFirstSamples(after)).resolves.toHaveLength(1);
    expect(cache.size).toBe(1);
    await closeAll(after);
  });

  it('answers 404 recording_missing for a path that is gone', async () => {
    const cache = createRecordingCache(2, 0);
    await expect(cache.open(join(dir, 'nothing.edf'))).rejects.toMatchObject({
      status: 404,
      code: 'recording_missing',
    });
  });
});
