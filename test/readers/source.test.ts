/**
 * The local byte source: exact bytes at any offset, into a caller's buffer when given one, and a close that never
 * pulls the descriptor from under a read; the same over a bare descriptor (descriptorFile, as map workers open
 * files), which is closed exactly once.
 */
import { fstatSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootedSourceFs } from '../../lib/readers/rooted-fs';
import { descriptorFile, fileSource, handleSource } from '../../lib/readers/source';

describe('fileSource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'source-test-'));
  const path = join(dir, 'bytes.bin');
  const bytes = Uint8Array.from({ length: 1 << 16 }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
  writeFileSync(path, bytes);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('returns exactly the bytes asked for, many small reads at once, and counts them', async () => {
    const source = await fileSource(path);
    const spans = Array.from(
      { length: 200 },
      (_, k) => [(k * 3271) % (bytes.length - 300), 1 + (k % 300)] as const,
    );
    const parts = await Promise.all(spans.map(([at, n]) => source.read(at, n)));
    parts.forEach((part, k) => {
      const [at, n] = spans[k]!;
      expect(Buffer.from(part).equals(Buffer.from(bytes.subarray(at, at + n)))).toBe(true);
    });
    expect(source.bytesRead).toBe(spans.reduce((sum, [, n]) => sum + n, 0));
    await source.close();
  });

  it('lets reads in flight finish before the file is closed, and refuses reads after', async () => {
    const source = await fileSource(path);
    const reads = Array.from({ length: 64 }, (_, k) => source.read(k * 1000, 1000));
    const closed = [source.close(), source.close()]; // a second close waits too, never hangs
    const parts = await Promise.all(reads);
    await Promise.all(closed);
    parts.forEach((part, k) =>
      expect(Buffer.from(part).equals(Buffer.from(bytes.subarray(k * 1000, k * 1000 + 1000)))).toBe(true),
    );
    await expect(source.read(0, 10)).rejects.toThrow();
  });

  it('reads into a buffer given to it (a view of that buffer), and into its own when the one given is too small', async () => {
    const source = await fileSource(path);
    const into = new Uint8Array(4096);
    const first = await source.read(100, 3000, into);
    expect(first.buffer).toBe(into.buffer);
    expect(first.length).toBe(3000);
    expect(Buffer.from(first).equals(Buffer.from(bytes.subarray(100, 3100)))).toBe(true);
    const again = await source.read(9000, 4096, into); // the same buffer, new bytes
    expect(again.buffer).toBe(into.buffer);
    expect(Buffer.from(into).equals(Buffer.from(bytes.subarray(9000, 13096)))).toBe(true);
    const larger = await source.read(0, 5000, into);
    expect(larger.buffer).not.toBe(into.buffer);
    expect(Buffer.from(larger).equals(Buffer.from(bytes.subarray(0, 5000)))).toBe(true);
    await source.close();
  });

  it('refuses a range past the end', async () => {
    const source = await fileSource(path);
    await expect(source.read(bytes.length - 5, 10)).rejects.toThrow();
    await source.close();
  });
});

describe('a source over a bare descriptor (map workers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'descriptor-test-'));
  const path = join(dir, 'bytes.bin');
  const bytes = Uint8Array.from({ length: 1 << 15 }, (_, i) => (i * 13 + (i >> 7)) & 0xff);
  writeFileSync(path, bytes);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const openDescriptors = () => readdirSync('/proc/self/fd').length;

  it('reads exactly, lets reads in flight finish, refuses reads after close and closes its descriptor once', async () => {
    const fd = openSync(path, 'r');
    const source = handleSource(descriptorFile(fd), 'bytes.bin', bytes.length);
    const reads = Array.from({ length: 16 }, (_, k) => source.read(k * 2000, 2000));
    const closed = [source.close(), source.close()];
    const parts = await Promise.all(reads);
    await Promise.all(closed);
    parts.forEach((part, k) =>
      expect(Buffer.from(part).equals(Buffer.from(bytes.subarray(k * 2000, k * 2000 + 2000)))).toBe(true),
    );
    expect(source.bytesRead).toBe(16 * 2000);
    await expect(source.read(0, 10)).rejects.toThrow();
    expect(() => fstatSync(fd)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('leaves no descriptor open once the sources a synchronous rooted file system opened are closed', async () => {
    const before = openDescriptors();
    const rooted = rootedSourceFs(dir, { sync: true });
    const sources = await Promise.all(Array.from({ length: 8 }, () => rooted.open('bytes.bin')));
    expect(openDescriptors()).toBe(before + 8);
    for (const source of sources) {
      expect(Buffer.from(await source.read(1000, 500)).equals(Buffer.from(bytes.subarray(1000, 1500)))).toBe(
        true,
      );
      await source.close();
    }
    expect(openDescriptors()).toBe(before);
  });
});
