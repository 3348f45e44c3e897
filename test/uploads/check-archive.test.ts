/**
 * Reading upload archives safely: every refusal of the archive layer as a report error with its stable code
 * (never a throw, never a file outside the scratch folder), archives built in the test — bombs, `..` and
 * absolute entries, links, devices, duplicates, 200k entries, lying sizes — and memory bounded on a large one.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { createGzip, gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { ZipFile } from 'yazl';
import { checkArchive, checkDirectory, type CheckOptions } from '../../lib/uploads/check';
import { walkArchive } from '../../lib/uploads/check/archive';
import { ReportBuilder } from '../../lib/uploads/check/report';
import {
  DEFAULT_ARCHIVE_LIMITS,
  type ArchiveLimits,
  type UploadReport,
  type UploadTarget,
} from '../../lib/uploads/types';

const EEG: UploadTarget = {
  kind: 'eeg-bids',
  filename: 'MTL001_300001_V1_bids.tar.gz',
  pscid: 'MTL001',
  candid: '300001',
  visit: 'V1',
  isPhantom: false,
};
const DICOM: UploadTarget = { ...EEG, kind: 'dicom', filename: 'MTL001_300001_V1.zip' };
/** A path the EEG check extracts, were it accepted. */
const NEEDED = 'sub-MTL001/ses-V1/eeg';

let work: string;
let counter = 0;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'upload-check-archive-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function caseDir(): Promise<{ dir: string; scratch: string }> {
  counter += 1;
  const dir = join(work, `case${counter}`);
  const scratch = join(dir, 'scratch');
  await mkdir(scratch, { recursive: true });
  return { dir, scratch };
}

interface TarEntry {
  name: string;
  type?: tar.Header['type'];
  content?: Buffer | string;
  linkname?: string;
}

/** A .tar.gz of `entries`, streamed to disk. */
async function tarGz(out: string, entries: Iterable<TarEntry>, level = 6): Promise<void> {
  const pack = tar.pack();
  const writing = pipeline(pack, createGzip({ level }), createWriteStream(out));
  for (const entry of entries) {
    const content = typeof entry.content === 'string' ? Buffer.from(entry.content) : entry.content;
    await new Promise<void>((resolve, reject) =>
      pack.entry(
        {
          name: entry.name,
          type: entry.type ?? 'file',
          linkname: entry.linkname,
          size: content?.length ?? 0,
        },
        content ?? Buffer.alloc(0),
        (e) => (e ? reject(e) : resolve()),
      ),
    );
  }
  pack.finalize();
  await writing;
}

/** A ustar header of an empty regular file (written by hand: 200k entries through tar-stream take minutes). */
function emptyFileHeader(name: string): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write('00000000000\0', 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0' + '00', 257);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return header;
}

/** A .tar.gz of `count` empty files, written in batches. */
async function emptyEntriesTarGz(out: string, count: number): Promise<void> {
  const batches = function* (): Generator<Buffer> {
    const perBatch = 2048;
    for (let first = 0; first < count; first += perBatch) {
      const last = Math.min(first + perBatch, count);
      yield Buffer.concat(
        Array.from({ length: last - first }, (_v, i) => emptyFileHeader(`f/${first + i}.txt`)),
      );
    }
    yield Buffer.alloc(1024); // end of archive
  };
  await pipeline(Readable.from(batches()), createGzip({ level: 1 }), createWriteStream(out));
}

/** A zip (Zip64: more than 65535 entries) of `count` empty stored files, by hand (yazl takes minutes for 200k). */
function emptyEntriesZip64(count: number): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < count; i += 1) {
    const name = Buffer.from(`f/${i}.txt`);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 30, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name);
    centrals.push(central, name);
    offset += local.length + name.length;
  }
  const directory = Buffer.concat(centrals);
  const zip64End = Buffer.alloc(56);
  zip64End.writeUInt32LE(0x06064b50, 0);
  zip64End.writeBigUInt64LE(44n, 4);
  zip64End.writeUInt16LE((3 << 8) | 45, 12);
  zip64End.writeUInt16LE(45, 14);
  zip64End.writeBigUInt64LE(BigInt(count), 24);
  zip64End.writeBigUInt64LE(BigInt(count), 32);
  zip64End.writeBigUInt64LE(BigInt(directory.length), 40);
  zip64End.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
  locator.writeUInt32LE(1, 16);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0xffff, 8);
  end.writeUInt16LE(0xffff, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(0xffffffff, 16);
  return Buffer.concat([...locals, directory, zip64End, locator, end]);
}

/** A .zip of buffers (with optional Unix modes), in memory. */
async function zipOf(
  files: { name: string; content: Buffer | string; mode?: number; comment?: string }[],
): Promise<Buffer> {
  const zip = new ZipFile();
  for (const f of files) {
    zip.addBuffer(Buffer.from(f.content), f.name, {
      ...(f.mode === undefined ? {} : { mode: f.mode }),
      ...(f.comment === undefined ? {} : { fileComment: f.comment }),
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Replaces every occurrence of `from` with `to` (same length): names yazl would refuse to write. */
function patch(bytes: Buffer, from: string, to: string): Buffer {
  const a = Buffer.from(from);
  const b = Buffer.from(to);
  expect(b.length).toBe(a.length);
  let at = bytes.indexOf(a);
  expect(at).toBeGreaterThanOrEqual(0);
  while (at >= 0) {
    b.copy(bytes, at);
    at = bytes.indexOf(a, at + 1);
  }
  return bytes;
}

async function check(
  archive: string,
  scratch: string,
  target: UploadTarget = EEG,
  limits: Partial<ArchiveLimits> = {},
  extra: Partial<CheckOptions> = {},
): Promise<UploadReport> {
  return checkArchive(archive, target, {
    scratchDir: scratch,
    limits: { ...DEFAULT_ARCHIVE_LIMITS, ...limits },
    ...extra,
  });
}

const errorCodes = (report: UploadReport): string[] =>
  report.lines.filter((l) => l.level === 'error').map((l) => l.code);

/** Every file below `dir` (relative paths). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

describe('upload check: reading archives', () => {
  it('refuses a file that is no archive, and corrupt or truncated ones', async () => {
    const { dir, scratch } = await caseDir();
    await writeFile(join(dir, 'text.tar.gz'), 'just some text, not an archive');
    expect(errorCodes(await check(join(dir, 'text.tar.gz'), scratch))).toEqual(['not_an_archive']);

    await writeFile(join(dir, 'gz-not-tar.tar.gz'), gzipSync(Buffer.from('x'.repeat(5000))));
    expect(errorCodes(await check(join(dir, 'gz-not-tar.tar.gz'), scratch))).toEqual(['corrupt_archive']);

    const whole = join(dir, 'cut.tar.gz');
    const noise = randomBytes(200_000);
    await tarGz(whole, [{ name: 'a.bin', content: noise }]);
    await truncate(whole, 100_000);
    expect(errorCodes(await check(whole, scratch))).toEqual(['corrupt_archive']);

    await writeFile(
      join(dir, 'cut.zip'),
      (await zipOf([{ name: 'a.bin', content: noise }])).subarray(0, 100_000),
    );
    expect(errorCodes(await check(join(dir, 'cut.zip'), scratch))).toEqual(['corrupt_archive']);
  });

  it('refuses .. segments, absolute paths and backslashes, and writes nothing outside the scratch folder', async () => {
    const { dir, scratch } = await caseDir();
    const archive = join(dir, 'paths.tar.gz');
    await tarGz(archive, [
      { name: `${NEEDED}/../../../../../escaped.json`, content: '{}' },
      { name: '/tmp/absolute.json', content: '{}' },
      { name: `${NEEDED}\\..\\..\\back.json`, content: '{}' },
      { name: 'C:/windows.json', content: '{}' },
    ]);
    const report = await check(archive, scratch);
    expect(errorCodes(report)).toEqual(['parent_path', 'absolute_path', 'backslash_path', 'absolute_path']);
    expect(await filesUnder(dir)).toEqual(['paths.tar.gz']);
    expect(existsSync('/tmp/absolute.json')).toBe(false);

    const zip = await zipOf([
      { name: `${NEEDED}/xx/zipescape.json`, content: '{}' },
      { name: `X${NEEDED}/abs.json`, content: '{}' },
      { name: `${NEEDED}/b_x.json`, content: '{}' },
    ]);
    patch(zip, `${NEEDED}/xx/`, `${NEEDED}/../`);
    patch(zip, `X${NEEDED}/abs`, `/${NEEDED}/abs`);
    patch(zip, 'b_x.json', 'b\\x.json');
    await writeFile(join(dir, 'paths.zip'), zip);
    expect(errorCodes(await check(join(dir, 'paths.zip'), scratch))).toEqual([
      'parent_path',
      'absolute_path',
      'backslash_path',
    ]);
    expect(await filesUnder(dir)).toEqual(['paths.tar.gz', 'paths.zip']);
  });

  it('refuses symlinks, hard links, devices and FIFOs in archives', async () => {
    const { dir, scratch } = await caseDir();
    const archive = join(dir, 'links.tar.gz');
    await tarGz(archive, [
      { name: `${NEEDED}/sym.json`, type: 'symlink', linkname: '/etc/passwd' },
      { name: `${NEEDED}/hard.json`, type: 'link', linkname: '/etc/passwd' },
      { name: `${NEEDED}/dev.json`, type: 'character-device' },
      { name: `${NEEDED}/blk.json`, type: 'block-device' },
      { name: `${NEEDED}/fifo.json`, type: 'fifo' },
    ]);
    expect(errorCodes(await check(archive, scratch))).toEqual([
      'link_entry',
      'link_entry',
      'special_entry',
      'special_entry',
      'special_entry',
    ]);
    const zip = await zipOf([
      { name: `${NEEDED}/zsym.json`, content: '/etc/passwd', mode: 0o120777 },
      { name: `${NEEDED}/zfifo.json`, content: '', mode: 0o010644 },
    ]);
    await writeFile(join(dir, 'links.zip'), zip);
    expect(errorCodes(await check(join(dir, 'links.zip'), scratch))).toEqual(['link_entry', 'special_entry']);
    expect(await filesUnder(scratch)).toEqual([]);
  });

  it('refuses symlinks and FIFOs in a folder, without following or blocking on them', async () => {
    const { dir, scratch } = await caseDir();
    const folder = join(dir, 'upload');
    await mkdir(join(folder, NEEDED), { recursive: true });
    await symlink('/etc/passwd', join(folder, NEEDED, 'link.json'));
    await symlink('/etc', join(folder, 'sub-MTL001', 'linked-folder'));
    execFileSync('mkfifo', [join(folder, NEEDED, 'pipe.json')]);
    const report = await checkDirectory(folder, EEG, { scratchDir: scratch });
    expect(errorCodes(report).sort()).toEqual(['link_entry', 'link_entry', 'special_entry']);
    expect(await filesUnder(scratch)).toEqual([]);
  });

  it('refuses duplicate entries', async () => {
    const { dir, scratch } = await caseDir();
    const archive = join(dir, 'dup.tar.gz');
    await tarGz(archive, [
      { name: `${NEEDED}/a.json`, content: '{"first":1}' },
      { name: `${NEEDED}/./a.json`, content: '{"second":2}' },
    ]);
    const report = await check(archive, scratch);
    expect(errorCodes(report)).toContain('duplicate_entry');
    expect(await readFile(join(scratch, NEEDED, 'a.json'), 'utf8')).toBe('{"first":1}');
  });

  it('stops at maxEntries: 200k tiny entries, tar.gz and zip', async () => {
    const { dir, scratch } = await caseDir();
    await emptyEntriesTarGz(join(dir, 'many.tar.gz'), 200_000);
    const report = await check(join(dir, 'many.tar.gz'), scratch, DICOM, { maxEntries: 1000 });
    expect(errorCodes(report)).toEqual(['too_many_entries']);
    expect(report.entries).toBe(1001);
    expect(report.lines.length).toBeLessThan(50);

    await writeFile(join(dir, 'many.zip'), emptyEntriesZip64(200_000));
    const zipped = await check(join(dir, 'many.zip'), scratch, DICOM, { maxEntries: 1000 });
    expect(errorCodes(zipped)).toEqual(['too_many_entries']);
    // The zip's count is read from its end record: no entry was even listed.
    expect(zipped.entries).toBe(0);
  });

  it('refuses entries and archives over the size limits, before extracting them', async () => {
    const { dir, scratch } = await caseDir();
    const archive = join(dir, 'sizes.tar.gz');
    await tarGz(archive, [
      { name: `${NEEDED}/small.json`, content: '{}' },
      { name: `${NEEDED}/big.json`, content: Buffer.alloc(5000, 32) },
    ]);
    expect(errorCodes(await check(archive, scratch, EEG, { maxEntryBytes: 4000 }))).toEqual([
      'entry_too_large',
    ]);
    const { scratch: second } = await caseDir();
    expect(errorCodes(await check(archive, second, EEG, { maxTotalBytes: 4000 }))).toEqual([
      'archive_too_large',
    ]);
    const zipPath = join(dir, 'sizes.zip');
    await writeFile(
      zipPath,
      await zipOf([
        { name: `${NEEDED}/small.json`, content: '{}' },
        { name: `${NEEDED}/big.json`, content: Buffer.alloc(5000, 32) },
      ]),
    );
    const { scratch: zipScratch } = await caseDir();
    expect(errorCodes(await check(zipPath, zipScratch, EEG, { maxEntryBytes: 4000 }))).toEqual([
      'entry_too_large',
    ]);
    expect(errorCodes(await check(zipPath, zipScratch, EEG, { maxTotalBytes: 4000 }))).toEqual([
      'archive_too_large',
    ]);
    // Zip limits are judged on the central directory: nothing was extracted.
    expect(await filesUnder(zipScratch)).toEqual([]);
  });

  it('refuses a zip bomb from its central directory, and a gzip bomb as it inflates', async () => {
    const { dir, scratch } = await caseDir();
    const zipPath = join(dir, 'bomb.zip');
    await writeFile(
      zipPath,
      await zipOf([{ name: `${NEEDED}/bomb.json`, content: Buffer.alloc(64 * 1024 ** 2) }]),
    );
    const zipReport = await check(zipPath, scratch);
    expect(errorCodes(zipReport)).toEqual(['zip_bomb']);
    expect(await filesUnder(scratch)).toEqual([]);

    const gzPath = join(dir, 'bomb.tar.gz');
    await tarGz(gzPath, [{ name: `${NEEDED}/bomb.json`, content: Buffer.alloc(64 * 1024 ** 2) }], 9);
    const gzReport = await check(gzPath, scratch);
    expect(errorCodes(gzReport)).toEqual(['zip_bomb']);
    expect(gzReport.errors[0]).toMatch(/inflates more than 200 times/);
  });

  it('catches a zip entry inflating to more than its declared size', async () => {
    const { dir, scratch } = await caseDir();
    const content = Buffer.from('{"a":"' + 'abcdefgh'.repeat(4000) + '"}');
    const zip = await zipOf([{ name: `${NEEDED}/lie.json`, content }]);
    // Central directory record: signature, then the uncompressed size at offset 24.
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect(zip.readUInt32LE(central + 24)).toBe(content.length);
    zip.writeUInt32LE(100, central + 24);
    await writeFile(join(dir, 'lie.zip'), zip);
    const report = await check(join(dir, 'lie.zip'), scratch);
    expect(errorCodes(report)).toEqual(['entry_size_mismatch']);
    expect(await filesUnder(scratch)).toEqual([]);
  });

  it('stops when the caller aborts', async () => {
    const { dir, scratch } = await caseDir();
    await tarGz(join(dir, 'a.tar.gz'), [{ name: `${NEEDED}/a.json`, content: '{}' }]);
    const controller = new AbortController();
    controller.abort();
    const report = await check(join(dir, 'a.tar.gz'), scratch, EEG, {}, { signal: controller.signal });
    expect(errorCodes(report)).toEqual(['check_aborted']);
    expect(await filesUnder(scratch)).toEqual([]);
  });

  it('caps the lines of one kind and still counts them', async () => {
    const { dir, scratch } = await caseDir();
    const entries = Array.from({ length: 500 }, (_v, i) => ({ name: `../up${i}.txt`, content: 'x' }));
    await tarGz(join(dir, 'dots.tar.gz'), entries);
    const report = await check(join(dir, 'dots.tar.gz'), scratch, DICOM);
    expect(report.ok).toBe(false);
    expect(report.lines.filter((l) => l.code === 'parent_path')).toHaveLength(21);
    expect(report.errors.at(-1)).toBe('480 more findings of this kind (500 in all)');
  });

  it('streams a large archive in bounded memory', async () => {
    const { dir, scratch } = await caseDir();
    const archive = join(dir, 'large.tar.gz');
    const size = 512 * 1024 ** 2;
    const block = Buffer.from(Array.from({ length: 1024 * 1024 }, (_v, i) => (i * 2654435761) >>> 28));
    const blocks = Readable.from(
      (function* () {
        for (let i = 0; i < size / block.length; i += 1) yield block;
      })(),
    );
    const pack = tar.pack();
    const writing = pipeline(pack, createGzip({ level: 1 }), createWriteStream(archive));
    const sink = pack.entry({ name: `${NEEDED}/recording_video.mp4`, size });
    await pipeline(blocks, sink);
    pack.finalize();
    await writing;

    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    const report = await check(archive, scratch);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(report.bytes).toBe(size);
    expect(report.entries).toBe(1);
    expect(errorCodes(report)).toEqual(['missing_dataset_description', 'no_recordings']);
    // 512 MiB streamed through; a generous bound far below it.
    expect(peak - before).toBeLessThan(128 * 1024 ** 2);
  });
  it('bounds the names and zip directory records it holds (directory_too_large)', async () => {
    const { dir, scratch } = await caseDir();
    // 64 zip entries with 8 KB comments: 512 KB of directory records, over a 256 KiB budget.
    const files = Array.from({ length: 64 }, (_v, i) => ({
      name: `f/${i}.txt`,
      content: 'x',
      comment: 'c'.repeat(8000),
    }));
    await writeFile(join(dir, 'comments.zip'), await zipOf(files));
    const small = { maxDirectoryBytes: 256 * 1024 };
    const zipped = await check(join(dir, 'comments.zip'), scratch, DICOM, small);
    expect(errorCodes(zipped)).toEqual(['directory_too_large']);
    expect(zipped.errors[0]).not.toContain(dir);
    // Long names in a tar.gz: 100 names of 3000 characters (pax headers).
    const long = Array.from({ length: 15 }, () => 'n'.repeat(199)).join('/');
    const names = Array.from({ length: 100 }, (_v, i) => ({ name: `${i}/${long}`, content: 'x' }));
    await tarGz(join(dir, 'names.tar.gz'), names);
    const tarred = await check(join(dir, 'names.tar.gz'), scratch, DICOM, small);
    expect(errorCodes(tarred)).toEqual(['directory_too_large']);
    // The default budget (64 MiB) lets both through to the content check.
    for (const archive of ['comments.zip', 'names.tar.gz']) {
      const report = await check(join(dir, archive), scratch, DICOM);
      expect(errorCodes(report)).not.toContain('directory_too_large');
    }
  });

  it('honours an abort inside one large entry, and leaks no file descriptor', async () => {
    const { dir } = await caseDir();
    const archive = join(dir, 'one-big.tar.gz');
    await tarGz(join(dir, 'one-big.tar.gz'), [{ name: 'big.bin', content: randomBytes(8 * 1024 * 1024) }], 1);
    const fdsBefore = (await readdir('/proc/self/fd')).length;
    const controller = new AbortController();
    const report = new ReportBuilder();
    let writes = 0;
    const totals = await walkArchive(
      archive,
      async () => ({
        write: async () => {
          writes += 1;
          controller.abort(); // the caller gives up while the entry streams
          return true;
        },
        end: async () => undefined,
        abort: async () => undefined,
      }),
      { limits: DEFAULT_ARCHIVE_LIMITS, report, signal: controller.signal },
    );
    expect(totals.complete).toBe(false);
    expect(report.has('check_aborted')).toBe(true);
    expect(writes).toBe(1);
    expect((await readdir('/proc/self/fd')).length).toBe(fdsBefore);
  });

  it('leaves no file descriptor open after refused, corrupt, stopped and read zip and tar.gz archives', async () => {
    const { dir, scratch } = await caseDir();
    const files = [{ name: `${NEEDED}/a.json`, content: '{}' }];
    await writeFile(join(dir, 'ok.zip'), await zipOf(files));
    await tarGz(join(dir, 'ok.tar.gz'), files);
    await writeFile(join(dir, 'cut.zip'), (await zipOf(files)).subarray(0, 40));
    await writeFile(join(dir, 'cut.tar.gz'), (await readFile(join(dir, 'ok.tar.gz'))).subarray(0, 30));
    await tarGz(join(dir, 'dots.tar.gz'), [{ name: '../x', content: 'x' }]);
    const fdsBefore = (await readdir('/proc/self/fd')).length;
    for (const name of ['ok.zip', 'ok.tar.gz', 'cut.zip', 'cut.tar.gz', 'dots.tar.gz']) {
      for (const target of [EEG, DICOM]) await check(join(dir, name), scratch, target);
      await rm(scratch, { recursive: true });
      await mkdir(scratch);
    }
    expect((await readdir('/proc/self/fd')).length).toBe(fdsBefore);
  });

  it('reports a file-system failure by its code, never the server path', async () => {
    const { dir, scratch } = await caseDir();
    const missing = join(dir, 'no-such-folder');
    const report = await checkDirectory(missing, EEG, { scratchDir: scratch });
    expect(errorCodes(report)).toEqual(['corrupt_archive']);
    expect(report.errors[0]).toContain('ENOENT');
    expect(JSON.stringify(report)).not.toContain(dir);
  });
});
