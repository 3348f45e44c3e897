/**
 * Standalone catalog: which files count as recordings, stable ids, catalog.json, and the scan's bounds
 * (depth, entries, recordings) and refusal to follow symlinks or hidden entries.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCatalog, pathId, recordingType } from '../../lib/service/catalog';
import { writeDataFile } from '../helpers/access-world';
import { describeWithData, testDataDir } from '../helpers/testdata';

describe('standalone catalog', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'loris-ephys-catalog-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('recognises the recording types by name', () => {
    expect(
      ['a.edf', 'a.BDF', 'a.vhdr', 'a.set', 'a.fif', 'a_raw.fif.gz', 'a.sqd'].map((n) =>
        recordingType(n, false),
      ),
    ).toEqual(['edf', 'bdf', 'vhdr', 'set', 'fif', 'fif', 'sqd']);
    expect(recordingType('x.ds', true)).toBe('ctf');
    expect(['a.eeg', 'a.vmrk', 'a.fdt', 'a.txt', 'a.ds'].map((n) => recordingType(n, false))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('gives ids from the relative path, stable across scans and independent of other files', async () => {
    writeDataFile(root, 'a/one.edf');
    const first = await buildCatalog(root);
    writeDataFile(root, 'b/two.vhdr');
    const second = await buildCatalog(root);
    expect(first.entries).toEqual([{ id: pathId('a/one.edf'), path: 'a/one.edf', fileType: 'edf' }]);
    expect(second.entries.find((e) => e.path === 'a/one.edf')?.id).toBe(pathId('a/one.edf'));
    expect(pathId('a/one.edf')).not.toBe(pathId('a/one.edf', 1));
  });

  it('skips hidden entries and symlinks, and does not descend into .ds folders', async () => {
    writeDataFile(root, '.hidden/x.edf');
    writeDataFile(root, 'meg/x.ds/x.meg4');
    writeDataFile(root, 'meg/x.ds/inner.edf');
    const outside = mkdtempSync(join(tmpdir(), 'loris-ephys-outside-'));
    writeDataFile(outside, 'secret.edf');
    symlinkSync(outside, join(root, 'link-dir'));
    symlinkSync(join(outside, 'secret.edf'), join(root, 'link.edf'));
    try {
      expect((await buildCatalog(root)).entries.map((e) => e.path)).toEqual(['meg/x.ds']);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('stops at its depth, entry and recording limits and says so', async () => {
    writeDataFile(root, '1/2/3/deep.edf');
    expect(
      (await buildCatalog(root, { maxDepth: 2, maxDirectoryEntries: 100, maxRecordings: 100 })).entries,
    ).toEqual([]);
    expect(
      (await buildCatalog(root, { maxDepth: 3, maxDirectoryEntries: 100, maxRecordings: 100 })).entries,
    ).toHaveLength(1);
    for (let i = 0; i < 20; i++) writeDataFile(root, `many/r${String(i).padStart(2, '0')}.edf`);
    const capped = await buildCatalog(root, { maxDepth: 8, maxDirectoryEntries: 1000, maxRecordings: 5 });
    expect(capped).toMatchObject({ truncated: true });
    expect(capped.entries).toHaveLength(5);
    expect(
      (await buildCatalog(root, { maxDepth: 8, maxDirectoryEntries: 10, maxRecordings: 100 })).truncated,
    ).toBe(true);
  });

  it('uses catalog.json when the folder has one, and refuses a malformed one', async () => {
    writeDataFile(root, 'x/rec.edf');
    mkdirSync(join(root, 'y.ds'));
    writeFileSync(
      join(root, 'catalog.json'),
      JSON.stringify({
        recordings: [
          { id: 7, path: 'x/rec.edf' },
          { id: 8, path: 'y.ds' },
          { id: 9, path: 'notes.txt' },
        ],
      }),
    );
    expect((await buildCatalog(root)).entries).toEqual([
      { id: 7, path: 'x/rec.edf', fileType: 'edf' },
      { id: 8, path: 'y.ds', fileType: 'ctf' },
    ]);
    writeFileSync(
      join(root, 'catalog.json'),
      JSON.stringify({
        recordings: [
          { id: 7, path: 'a.edf' },
          { id: 7, path: 'b.edf' },
        ],
      }),
    );
    await expect(buildCatalog(root)).rejects.toMatchObject({ code: 'config_invalid' });
    writeFileSync(join(root, 'catalog.json'), '{"recordings": [{"id": -1, "path": "a.edf"}]}');
    await expect(buildCatalog(root)).rejects.toMatchObject({ code: 'config_invalid' });
  });
});

describeWithData('standalone catalog of the shared recordings', () => {
  it('lists the recordings of every format, once each', async () => {
    const catalog = await buildCatalog(testDataDir());
    const types = new Set(catalog.entries.map((e) => e.fileType));
    expect([...types].sort()).toEqual(['bdf', 'cnt', 'ctf', 'edf', 'fif', 'set', 'sqd', 'vhdr']);
    expect(new Set(catalog.entries.map((e) => e.id)).size).toBe(catalog.entries.length);
    expect(catalog.truncated).toBe(false);
  });
});
