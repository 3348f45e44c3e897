/** EDF/BDF reader on damaged copies of real recordings (in memory): ApiErrors, never a crash or a hang. */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { isApiError } from '../../../lib/core/errors';
import { openEdf } from '../../../lib/readers/edf';
import { memoryFs } from '../../../lib/readers/source';
import type { Recording } from '../../../lib/readers/types';
import { describeWithData, testDataPath } from '../../helpers/testdata';

const open = (bytes: Uint8Array, name = '/x/rec.edf'): Promise<Recording> =>
  openEdf(name, memoryFs(new Map([[name, bytes]])));

/** Writes `text` space-padded into a header field. */
function setField(bytes: Uint8Array, offset: number, width: number, text: string): Uint8Array {
  const copy = bytes.slice();
  copy.set(new TextEncoder().encode(text.padEnd(width, ' ').slice(0, width)), offset);
  return copy;
}

async function expectCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await expect(p).rejects.toMatchObject({
    code,
    ...(message ? { message: expect.stringMatching(message) } : {}),
  });
}

describeWithData('EDF reader on bad input', () => {
  const edf = new Uint8Array(readFileSync(testDataPath('edf', 'test_bdf_stim_channel.bdf')));
  const tal = new Uint8Array(readFileSync(testDataPath('edf', 'test.edf')));
  const ns = 4; // signals in test_bdf_stim_channel.bdf
  const spr = (i: number): number => 256 + ns * 216 + i * 8;
  const openBdf = (bytes: Uint8Array) => open(bytes, '/x/rec.bdf');

  it('opens the intact copy (control)', async () => {
    const rec = await openBdf(edf);
    expect(rec.info.nSamples).toBe(5000);
  });

  it('a record duration so small that the rate overflows (fuzz bdf seed 1 case 6202) is unreadable, not a 400 later', async () => {
    // MNE 1.3 opens it with sfreq = inf (overflow warning) and cannot read or map it
    await expectCode(openBdf(setField(edf, 244, 8, '1e-320')), 'unreadable_recording', /sampling rate/);
  });

  it('rejects files that are not .edf/.bdf as unsupported_format', async () => {
    await expectCode(open(edf, '/x/rec.gdf'), 'unsupported_format');
  });

  it.each([
    ['empty file', 0],
    ['half a fixed header', 100],
    ['fixed header only', 256],
    ['half the signal headers', 256 + 128 * ns],
    ['header without any data record', 256 * (ns + 1)],
    ['header plus half a record', 256 * (ns + 1) + 1000],
  ])('truncated: %s → unreadable_recording', async (_what, length) => {
    await expectCode(openBdf(edf.slice(0, length)), 'unreadable_recording');
  });

  it('truncated in the middle of the data: records recomputed from the size as MNE (floor)', async () => {
    const recordBytes = 500 * 4 * 3;
    const rec = await openBdf(edf.slice(0, 256 * (ns + 1) + 3.5 * recordBytes));
    expect(rec.info.nSamples).toBe(3 * 500);
    expect(rec.info.notes?.declaredRecords).toBe(10);
  });

  it.each([
    ['header bytes not 256·(ns+1)', 184, 8, '1024'],
    ['header bytes not a number', 184, 8, 'abc'],
    ['ns zero', 252, 4, '0'],
    ['ns negative', 252, 4, '-1'],
    ['ns huge', 252, 4, '9999'],
    ['ns not a number', 252, 4, 'x'],
    ['record count not a number', 236, 8, 'ten'],
    ['record duration not a number', 244, 8, '1s'],
    ['record duration negative', 244, 8, '-1'],
  ])('%s → unreadable_recording', async (_what, offset, width, text) => {
    await expectCode(openBdf(setField(edf, offset, width, text)), 'unreadable_recording');
  });

  it.each([['-1'], ['99999999'], ['3']])('record count %s: recomputed from the file size', async (n) => {
    const rec = await openBdf(setField(edf, 236, 8, n));
    expect(rec.info.nSamples).toBe(5000);
  });

  it('record duration 0 is taken as 1 s (MNE)', async () => {
    const rec = await openBdf(setField(edf, 244, 8, '0'));
    expect(rec.info.sfreq).toBe(500);
  });

  it.each([
    ['negative samples per record', '-5'],
    ['huge samples per record (no complete record)', '99999999'],
    ['samples per record not a number', '5OO'],
  ])('%s → unreadable_recording', async (_what, text) => {
    await expectCode(openBdf(setField(edf, spr(1), 8, text)), 'unreadable_recording');
  });

  it('physical minimum not a number → unreadable_recording', async () => {
    await expectCode(
      openBdf(setField(edf, 256 + ns * 104, 8, 'low')),
      'unreadable_recording',
      /physical minimum/,
    );
  });

  it('inconsistent rates: a channel with fewer samples per record is excluded, not resampled', async () => {
    const rec = await openBdf(setField(edf, spr(1), 8, '250'));
    expect(rec.info.excluded).toEqual([
      { name: 'C4', reason: expect.stringContaining('250 samples per record') },
    ]);
    expect(rec.info.channels.map((c) => c.name)).toEqual(['C3', 'Cz', 'Status']);
    const data = await rec.readWindow([0, 1, 2], 0, rec.info.nSamples);
    expect(data.every((d) => d.length === rec.info.nSamples && d.every(Number.isFinite))).toBe(true);
  });

  it('stim-only channels with a faster rate do not set sfreq (MNE ignores stim channels for it)', async () => {
    const rec = await openBdf(setField(edf, spr(3), 8, '1000'));
    expect(rec.info.sfreq).toBe(500);
    expect(rec.info.excluded.map((e) => e.name)).toEqual(['Status']);
  });

  it('an annotation signal that is not UTF-8 → unreadable_recording when the events are read', async () => {
    const copy = tal.slice();
    const talOffset = 256 * 141 + 138 * 512 * 2 + 512 * 2; // first record, signal 140 (EDF Annotations)
    copy[talOffset] = 0xff;
    // The open reads no annotations (a map needs none); the events are read, and refused, when asked for.
    const rec = await open(copy);
    await expectCode(rec.readEvents(), 'unreadable_recording', /UTF-8/);
    expect(rec.readEvents()).toBe(rec.readEvents());
    await expectCode(rec.readEvents(), 'unreadable_recording', /UTF-8/);
  });

  it('a window outside the recording is a bad request, not a crash', async () => {
    const rec = await openBdf(edf);
    await expectCode(rec.readWindow([0], 4990, 5001), 'invalid_request');
    await expectCode(rec.readWindow([7], 0, 10), 'invalid_request');
  });

  it('random header corruption: opens or fails with an ApiError, and any window read stays bounded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(256 * (ns + 1) - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        async (edits) => {
          const copy = edf.slice();
          for (const [at, value] of edits) copy[at] = value;
          try {
            const rec = await openBdf(copy);
            const stop = Math.min(rec.info.nSamples, 1000);
            await rec.readWindow(
              rec.info.channels.map((_, i) => i),
              0,
              stop,
            );
          } catch (e) {
            if (!isApiError(e)) throw e;
          }
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });

  it('random truncation: opens or fails with an ApiError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(edf.length), async (length) => {
        try {
          await openBdf(edf.slice(0, length));
        } catch (e) {
          if (!isApiError(e)) throw e;
        }
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});
