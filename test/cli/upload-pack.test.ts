/**
 * Deterministic packing of a directory (the upload's resume depends on it): the same tree gives the same bytes
 * whatever the creation order, times or cache; the archive holds exactly the tree, with fixed headers.
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { UsageError } from '../../cli/commands';
import { packDirectory } from '../../cli/upload/pack';
import { describeWithData } from '../helpers/testdata';
import { makeBidsSession } from './upload-bids';

const NAME = 'MTL001_300001_V1_bids.tar.gz';
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

interface Listed {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  content: Buffer;
}

async function list(archive: string): Promise<Listed[]> {
  const extract = tar.extract();
  const entries: Listed[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const h = entry.header;
      entries.push({
        name: h.name,
        type: h.type ?? '',
        mode: h.mode ?? -1,
        uid: h.uid ?? -1,
        gid: h.gid ?? -1,
        mtime: h.mtime?.getTime() ?? -1,
        content: Buffer.concat(chunks),
      });
    }
  })();
  extract.end(gunzipSync(readFileSync(archive)));
  await done;
  return entries;
}

describeWithData('packing a directory for upload', () => {
  let tmp: string;
  let dataset: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'loris-ephys-pack-'));
    dataset = join(tmp, 'dataset');
    await makeBidsSession(dataset, 'MTL001', 'V1');
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('gives the same bytes in two caches, and reuses its own cache for an unchanged tree', async () => {
    const first = await packDirectory(dataset, NAME, join(tmp, 'cache-a'));
    const second = await packDirectory(dataset, NAME, join(tmp, 'cache-b'));
    expect(first.reused).toBe(false);
    expect(first.path).not.toBe(second.path);
    expect(sha256(first.path)).toBe(sha256(second.path));
    expect(statSync(first.path).mtimeMs).toBe(statSync(second.path).mtimeMs);
    const again = await packDirectory(dataset, NAME, join(tmp, 'cache-a'));
    expect(again).toEqual({ ...first, reused: true });
  });

  it('holds exactly the tree, sorted, with fixed modes, owner and mtime', async () => {
    const packed = await packDirectory(dataset, NAME, join(tmp, 'cache-list'));
    const entries = await list(packed.path);
    const names = entries.map((e) => e.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual([
      'dataset_description.json',
      'participants.tsv',
      'sub-MTL001/',
      'sub-MTL001/ses-V1/',
      'sub-MTL001/ses-V1/eeg/',
      'sub-MTL001/ses-V1/eeg/sub-MTL001_ses-V1_task-rest_channels.tsv',
      'sub-MTL001/ses-V1/eeg/sub-MTL001_ses-V1_task-rest_eeg.edf',
      'sub-MTL001/ses-V1/eeg/sub-MTL001_ses-V1_task-rest_eeg.json',
      'sub-MTL001/ses-V1/eeg/sub-MTL001_ses-V1_task-rest_events.tsv',
    ]);
    for (const e of entries) {
      expect([e.uid, e.gid, e.mtime]).toEqual([0, 0, Date.UTC(2000, 0, 1)]);
      expect(e.mode).toBe(e.type === 'directory' ? 0o755 : 0o644);
      if (e.type === 'file') expect(e.content.equals(readFileSync(join(dataset, e.name)))).toBe(true);
    }
    expect(packed.files).toBe(6);
  });

  it('does not depend on creation order or file times; does depend on content', async () => {
    // The same files created in reverse order, with other mtimes.
    const copy = join(tmp, 'copy');
    const files = (await list((await packDirectory(dataset, NAME, join(tmp, 'cache-c'))).path)).filter(
      (e) => e.type === 'file',
    );
    for (const e of [...files].reverse()) {
      mkdirSync(join(copy, e.name, '..'), { recursive: true });
      writeFileSync(join(copy, e.name), e.content);
      utimesSync(join(copy, e.name), new Date(Date.UTC(2011, 1, 2)), new Date(Date.UTC(2011, 1, 2)));
    }
    const original = await packDirectory(dataset, NAME, join(tmp, 'cache-d'));
    const copied = await packDirectory(copy, NAME, join(tmp, 'cache-d'));
    expect(sha256(copied.path)).toBe(sha256(original.path));

    writeFileSync(join(copy, 'participants.tsv'), 'participant_id\nsub-OTHER\n');
    const changed = await packDirectory(copy, NAME, join(tmp, 'cache-d'));
    expect(changed.reused).toBe(false);
    expect(sha256(changed.path)).not.toBe(sha256(original.path));
  });

  it('rebuilds a deleted cache into the same bytes and the same mtime (so the same resume fingerprint)', async () => {
    const cache = join(tmp, 'cache-e');
    const first = await packDirectory(dataset, NAME, cache);
    const before = { hash: sha256(first.path), mtime: statSync(first.path).mtimeMs };
    rmSync(cache, { recursive: true });
    const rebuilt = await packDirectory(dataset, NAME, cache);
    expect(rebuilt.reused).toBe(false);
    expect({ hash: sha256(rebuilt.path), mtime: statSync(rebuilt.path).mtimeMs }).toEqual(before);
  });

  it('refuses symbolic links and empty trees', async () => {
    const linked = join(tmp, 'linked');
    cpSync(dataset, linked, { recursive: true });
    symlinkSync('/etc/passwd', join(linked, 'passwd'));
    await expect(packDirectory(linked, NAME, join(tmp, 'cache-f'))).rejects.toThrow(UsageError);
    mkdirSync(join(tmp, 'empty', 'sub'), { recursive: true });
    await expect(packDirectory(join(tmp, 'empty'), NAME, join(tmp, 'cache-f'))).rejects.toThrow(/no files/);
  });
});
