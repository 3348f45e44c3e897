/**
 * Corrupt FIF input, made by mutating real files in memory, is refused with an ApiError and never crashes (a hang
 * is caught by jest's timeout; no timed assertion).
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { isApiError } from '../../../lib/core/errors';
import { openFif } from '../../../lib/readers/fif';
import { describeWithData, goldenPath, testDataPath } from '../../helpers/testdata';
import { TAG_KIND, firstTag, listTags, loadBytes, oneFileFs, withInt32 } from './mutate';

/** Opens `bytes` as `name` (and reads a small window if it opens); returns the error code, or 'ok'. */
async function outcome(bytes: Uint8Array, name = '/x/bad_raw.fif', options = {}): Promise<string> {
  try {
    const rec = await openFif(name, oneFileFs(name, bytes), options);
    const n = Math.min(rec.info.nSamples, 10);
    await rec.readWindow(
      rec.info.channels.map((_, i) => i),
      0,
      n,
    );
    await rec.close();
    return 'ok';
  } catch (e) {
    if (!isApiError(e)) throw e;
    return e.code;
  }
}

describeWithData('FIF bad input', () => {
  const sim = loadBytes(testDataPath('fif', 'sim_vectorview_raw.fif'));
  const withDir = loadBytes(testDataPath('fif', 'brainvision_test_bin_raw.fif'));
  const ave = loadBytes(testDataPath('fif', 'test-ave.fif.gz'));

  test('the unmodified bytes open (control)', async () => {
    expect(await outcome(sim)).toBe('ok');
    expect(await outcome(withDir)).toBe('ok');
    expect(await outcome(ave, '/x/test-ave.fif')).toBe('ok');
  });

  test('truncations at many points are unreadable_recording', async () => {
    const tags = listTags(sim);
    const measInfoMiddle = firstTag(sim, TAG_KIND.chInfo, 100).pos + 40;
    const buffer = firstTag(sim, TAG_KIND.dataBuffer, 3);
    const cuts = [
      0,
      10,
      16,
      36,
      52,
      60,
      measInfoMiddle,
      buffer.pos + 8,
      buffer.pos + 1000,
      sim.length - 16,
      sim.length - 1,
    ];
    // Also cut at tag boundaries (a file that ends at a tag boundary has lost its end-of-file tag).
    cuts.push(...[10, 200, 500, tags.length - 2].map((i) => tags[i]?.pos ?? 0));
    for (const cut of cuts)
      expect([cut, await outcome(sim.subarray(0, cut))]).toEqual([cut, 'unreadable_recording']);
  });

  test('wrong magic / first tag', async () => {
    expect(await outcome(withInt32(sim, 0, 999))).toBe('unreadable_recording'); // kind
    expect(await outcome(withInt32(sim, 8, 24))).toBe('unreadable_recording'); // size
    expect(await outcome(withInt32(sim, 16 + 20, 12345))).toBe('unreadable_recording'); // no directory pointer
    expect(
      await outcome(new TextEncoder().encode('not a FIF file at all, just some text. '.repeat(10))),
    ).toBe('unreadable_recording');
  });

  test('a tag size past the end of the file', async () => {
    const ch = firstTag(sim, TAG_KIND.chInfo, 5);
    expect(await outcome(withInt32(sim, ch.pos + 8, 0x7fffff00))).toBe('unreadable_recording');
    const buffer = firstTag(sim, TAG_KIND.dataBuffer, 9);
    expect(await outcome(withInt32(sim, buffer.pos + 8, buffer.size + 1_000_000))).toBe(
      'unreadable_recording',
    );
    expect(await outcome(withInt32(sim, ch.pos + 8, -5))).toBe('unreadable_recording');
  });

  test('next pointer loops and pointers past the end', async () => {
    const ch = firstTag(sim, TAG_KIND.chInfo, 7);
    expect(await outcome(withInt32(sim, ch.pos + 12, ch.pos))).toBe('unreadable_recording'); // self loop
    expect(await outcome(withInt32(sim, ch.pos + 12, 52))).toBe('unreadable_recording'); // back to an earlier tag
    expect(await outcome(withInt32(sim, ch.pos + 12, sim.length + 100))).toBe('unreadable_recording');
  });

  test('absurd or inconsistent channel counts', async () => {
    // The measurement info's NCHAN: the last one before the first channel definition.
    const firstCh = firstTag(sim, TAG_KIND.chInfo).pos;
    const nchan =
      listTags(sim)
        .filter((t) => t.kind === TAG_KIND.nchan && t.pos < firstCh)
        .pop() ?? firstCh;
    if (typeof nchan === 'number') throw new Error('no NCHAN tag');
    expect(await outcome(withInt32(sim, nchan.pos + 16, 1_000_000_000))).toBe('unreadable_recording');
    expect(await outcome(withInt32(sim, nchan.pos + 16, -3))).toBe('unreadable_recording');
    expect(await outcome(withInt32(sim, nchan.pos + 16, 375))).toBe('unreadable_recording');
  });

  test('directory pointer garbage: into the file is refused; past the end falls back to a scan (as MNE)', async () => {
    const pointerPayload = 16 + 20 + 16;
    expect(await outcome(withInt32(sim, pointerPayload, 12_345))).toBe('unreadable_recording');
    expect(await outcome(withInt32(withDir, pointerPayload, 1000))).toBe('unreadable_recording');
    expect(await outcome(withInt32(withDir, pointerPayload, withDir.length + 10))).toBe('ok');
    expect(await outcome(withInt32(withDir, pointerPayload, -1))).toBe('ok');
  });

  test('directory entries pointing past the end', async () => {
    const dirPos = new DataView(withDir.buffer, withDir.byteOffset).getInt32(16 + 20 + 16);
    // Entry 10's pos field, and entry 20's size field.
    expect(await outcome(withInt32(withDir, dirPos + 16 + 10 * 16 + 12, withDir.length))).toBe(
      'unreadable_recording',
    );
    expect(await outcome(withInt32(withDir, dirPos + 16 + 20 * 16 + 8, 1 << 30))).toBe(
      'unreadable_recording',
    );
  });

  test('evoked data matrix with wrong dimensions', async () => {
    // The first condition's 376 × 421 float matrix (other blocks hold EPOCH tags too).
    const epoch = listTags(ave).find((t) => t.kind === TAG_KIND.epoch && t.size === 376 * 421 * 4 + 12);
    if (!epoch) throw new Error('no evoked matrix');
    const end = epoch.pos + 16 + epoch.size;
    expect(await outcome(withInt32(ave, end - 8, 420), '/x/a-ave.fif')).toBe('unreadable_recording');
    expect(await outcome(withInt32(ave, end - 4, 7), '/x/a-ave.fif')).toBe('unreadable_recording');
  });

  test('gzip: not gzip, truncated gzip, and the decompression cap', async () => {
    expect(await outcome(sim.subarray(0, 5000), '/x/a_raw.fif.gz')).toBe('unreadable_recording');
    const gz = gzipSync(withDir);
    expect(await outcome(gz.subarray(0, gz.length - 100), '/x/a_raw.fif.gz')).toBe('unreadable_recording');
    expect(await outcome(gz, '/x/a_raw.fif.gz')).toBe('ok');
    const capped = openFif('/x/a_raw.fif.gz', oneFileFs('/x/a_raw.fif.gz', gz), {
      maxDecodedBytes: 100_000,
    });
    await expect(capped).rejects.toMatchObject({
      code: 'unreadable_recording',
      message: expect.stringContaining('100000 bytes'),
    });
  });

  test('variants this reader does not read are unsupported_format', async () => {
    const rawStart = listTags(sim).find(
      (t) =>
        t.kind === TAG_KIND.blockStart &&
        new DataView(sim.buffer, sim.byteOffset).getInt32(t.pos + 16) === 102,
    );
    if (!rawStart) throw new Error('no raw data block');
    expect(await outcome(withInt32(sim, rawStart.pos + 16, 119))).toBe('unsupported_format'); // MaxShield (IAS) raw
    expect(await outcome(withInt32(sim, rawStart.pos + 16, 373))).toBe('unsupported_format'); // an epochs block
    const buffer = firstTag(sim, TAG_KIND.dataBuffer);
    expect(await outcome(withInt32(sim, buffer.pos + 4, 20))).toBe('unsupported_format'); // complex float buffers
  });

  /** Random byte changes in [0, headerEnd) of `bytes`: the result opens or is refused with an ApiError. */
  async function fuzz(bytes: Uint8Array, headerEnd: number, name: string, numRuns: number): Promise<void> {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: headerEnd - 1 }),
            value: fc.integer({ min: 0, max: 255 }),
          }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        async (flips) => {
          const copy = bytes.slice();
          for (const f of flips) copy[f.at] = f.value;
          expect(['ok', 'unreadable_recording', 'unsupported_format']).toContain(await outcome(copy, name));
        },
      ),
      { numRuns, seed: 42 },
    );
  }

  test('random corruption of header bytes never escapes as a non-ApiError (file with a directory, 200 cases)', async () => {
    await fuzz(withDir, firstTag(withDir, TAG_KIND.dataBuffer).pos + 16, '/x/a_raw.fif', 200);
  });

  test('random corruption never escapes as a non-ApiError (scanned file with long names and skips, 200 cases)', async () => {
    const synthetic = loadBytes(goldenPath('fif', 'synthetic_long_names_raw.fif'));
    await fuzz(synthetic, synthetic.length, '/x/a_raw.fif', 200);
  });

  test('random corruption of an evoked file before its data never escapes as a non-ApiError (60 cases)', async () => {
    const firstEvoked = listTags(ave).find((t) => t.kind === TAG_KIND.epoch && t.size === 376 * 421 * 4 + 12);
    await fuzz(ave, firstEvoked?.pos ?? 0, '/x/a-ave.fif', 60);
  });
});
