/**
 * Failed opens are remembered: a poisoned recording (here a BrainVision header whose .eeg holds no complete
 * sample, or an EEGLAB .set whose .fdt is too short) is parsed once, and the same error is answered from memory
 * while every file the open touched is unchanged and the TTL lasts. Fixing or replacing a file reopens at
 * once; transient I/O errors are never remembered; the memory is bounded.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootedSourceFs } from '../../lib/readers/rooted-fs';
import { countingFs, type SourceFs } from '../../lib/readers/source';
import { createRecordingCache, type OpenedRecording } from '../../lib/service/open-recording';
import { describeWithData, testDataPath } from '../helpers/testdata';

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
const closeAll = (...opened: OpenedRecording[]) =>
  Promise.all(opened.map((o) => o.recording.close().catch(() => undefined)));
const unreadable = { status: 422, code: 'unreadable_recording' };

/** Writes beside the target and renames over it, as a tool fixing a file would. */
function replaceFile(target: string, source: string): void {
  copyFileSync(source, `${target}.partial`);
  renameSync(`${target}.partial`, target);
}

/** A file system whose first `failures` opens of a file named `name` fail like a busy system (EMFILE). */
function flakyFs(inner: SourceFs, name: string, failures: number): SourceFs {
  let left = failures;
  return {
    ...inner,
    open: async (path) => {
      if (path.endsWith(name) && left-- > 0)
        throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
      return inner.open(path);
    },
  };
}

describeWithData('failed opens are remembered', () => {
  let tmp: string;
  let n = 0;

  /** A fresh folder with a BrainVision recording whose .eeg is empty (unreadable: no complete sample). */
  const poisonedBrainVision = (): { dir: string; vhdr: string } => {
    const dir = join(tmp, `bv-${n++}`);
    mkdirSync(dir);
    for (const ext of ['vhdr', 'vmrk'])
      copyFileSync(testDataPath('brainvision', `test.${ext}`), join(dir, `test.${ext}`));
    writeFileSync(join(dir, 'test.eeg'), new Uint8Array(0));
    return { dir, vhdr: join(dir, 'test.vhdr') };
  };

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'loris-failed-open-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('parses a poisoned recording once: the second request is answered from memory', async () => {
    const { dir, vhdr } = poisonedBrainVision();
    const counted = countingFs(rootedSourceFs(dir));
    const cache = createRecordingCache(4, 0, { ttlMs: 60_000 });
    await expect(cache.open(vhdr, { fs: counted.fs })).rejects.toMatchObject(unreadable);
    const firstOpens = counted.opens();
    const firstBytes = counted.bytesRead();
    expect(firstOpens).toBe(3); // header, markers, data file
    await expect(cache.open(vhdr, { fs: counted.fs })).rejects.toMatchObject(unreadable);
    expect(counted.opens()).toBe(firstOpens);
    expect(counted.bytesRead()).toBe(firstBytes);
    expect(cache.failedSize).toBe(1);
  });

  it('reopens at once when a file the failed open touched is fixed', async () => {
    const { dir, vhdr } = poisonedBrainVision();
    const counted = countingFs(rootedSourceFs(dir));
    const cache = createRecordingCache(4, 0, { ttlMs: 60_000 });
    await expect(cache.open(vhdr, { fs: counted.fs })).rejects.toMatchObject(unreadable);
    replaceFile(join(dir, 'test.eeg'), testDataPath('brainvision', 'test.eeg'));
    const opened = await cache.open(vhdr, { fs: counted.fs });
    await expect(opened.recording.readWindow([0], 0, 8)).resolves.toHaveLength(1);
    expect(counted.opens()).toBe(6);
    await closeAll(opened);
  });

  it('remembers an EEGLAB .set whose .fdt is too short, and forgets it when the .fdt is replaced', async () => {
    const dir = join(tmp, 'set');
    mkdirSync(dir);
    copyFileSync(testDataPath('eeglab', 'test_raw.set'), join(dir, 'test_raw.set'));
    writeFileSync(join(dir, 'test_raw.fdt'), new Uint8Array(16));
    const counted = countingFs(rootedSourceFs(dir));
    const cache = createRecordingCache(4, 0, { ttlMs: 60_000 });
    const set = join(dir, 'test_raw.set');
    await expect(cache.open(set, { fs: counted.fs })).rejects.toMatchObject(unreadable);
    const parsedBytes = counted.bytesRead();
    expect(parsedBytes).toBeGreaterThan(300_000); // the whole .set was read and parsed once
    await expect(cache.open(set, { fs: counted.fs })).rejects.toMatchObject(unreadable);
    expect(counted.bytesRead()).toBe(parsedBytes);
    replaceFile(join(dir, 'test_raw.fdt'), testDataPath('eeglab', 'test_raw.fdt'));
    const opened = await cache.open(set, { fs: counted.fs });
    expect(opened.info.format).toBe('eeglab');
    await closeAll(opened);
  });

  it('tries again after the TTL', async () => {
    const { dir, vhdr } = poisonedBrainVision();
    const counted = countingFs(rootedSourceFs(dir));
    const cache = createRecordingCache(4, 0, { ttlMs: 1 });
    await expect(cache.open(vhdr, { fs: counted.fs })).rejects.toMatchObject(unreadable);
    await settle(20);
    await expect(cache.open(vhdr, { fs: counted.fs })).rejects.toMatchObject(unreadable);
    expect(counted.opens()).toBe(6);
  });

  it('never remembers transient I/O errors', async () => {
    const dir = join(tmp, 'flaky');
    mkdirSync(dir);
    for (const ext of ['vhdr', 'vmrk', 'eeg'])
      copyFileSync(testDataPath('brainvision', `test.${ext}`), join(dir, `test.${ext}`));
    const cache = createRecordingCache(4, 0, { ttlMs: 60_000 });
    const fs = flakyFs(rootedSourceFs(dir), 'test.eeg', 1);
    await expect(cache.open(join(dir, 'test.vhdr'), { fs })).rejects.toMatchObject({ code: 'EMFILE' });
    expect(cache.failedSize).toBe(0);
    const opened = await cache.open(join(dir, 'test.vhdr'), { fs });
    await expect(opened.recording.readWindow([0], 0, 8)).resolves.toHaveLength(1);
    await closeAll(opened);
  });

  it('does not remember anything when the TTL is 0', async () => {
    const { dir, vhdr } = poisonedBrainVision();
    const counted = countingFs(rootedSourceFs(dir));
    const cache = createRecordingCache(4, 0, { ttlMs: 0 });
    await expect(cache.open(vhdr, { fs: counted.fs })).rejects.toMatchObject(unreadable);
    await expect(cache.open(vhdr, { fs: counted.fs })).rejects.toMatchObject(unreadable);
    expect(counted.opens()).toBe(6);
    expect(cache.failedSize).toBe(0);
  });

  it('holds at most its bound of failed opens', async () => {
    const cache = createRecordingCache(4, 0, { ttlMs: 60_000, maxEntries: 2 });
    for (let i = 0; i < 4; i++) {
      const { dir, vhdr } = poisonedBrainVision();
      await expect(cache.open(vhdr, { fs: rootedSourceFs(dir) })).rejects.toMatchObject(unreadable);
    }
    expect(cache.failedSize).toBe(2);
  });

  it('remembers a refused companion too, so a planted link costs one check per TTL', async () => {
    const { dir, vhdr } = poisonedBrainVision();
    rmSync(join(dir, 'test.eeg'));
    const outside = join(tmp, 'outside.eeg');
    copyFileSync(testDataPath('brainvision', 'test.eeg'), outside);
    symlinkSync(outside, join(dir, 'test.eeg'));
    let refusals = 0;
    const fs = rootedSourceFs(dir, { onRefusal: () => refusals++ });
    const cache = createRecordingCache(4, 0, { ttlMs: 60_000 });
    for (let i = 0; i < 3; i++) {
      await expect(cache.open(vhdr, { fs })).rejects.toMatchObject({
        ...unreadable,
        message: expect.stringContaining('outside the data directory') as unknown,
      });
    }
    expect(refusals).toBe(1);
  });
});
