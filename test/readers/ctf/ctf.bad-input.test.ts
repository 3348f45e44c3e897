/**
 * Malformed .ds folders (mutated in-memory copies of the test dataset) fail fast with an ApiError
 * (unreadable_recording or unsupported_format), never a crash, hang or huge allocation; plus the byte ranges a
 * window touches, continuation files and system-clock truncation on mutated copies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isApiError } from '../../../lib/core/errors';
import { openCtf } from '../../../lib/readers/ctf';
import {
  countingFs as countingSourceFs,
  localFs,
  memoryFs,
  type SourceFs,
} from '../../../lib/readers/source';
import { describeWithData, testDataPath } from '../../helpers/testdata';
import { DS_PATH_PARTS } from './golden';

const DS = '/mem/testdata_ctf_short_discontinuous.ds';
const BASE = `${DS}/testdata_ctf_short_discontinuous`;
const N_CHAN = 356;
const N_SAMP = 1201;
const CLOCK_CHANNEL = 3;

function loadDataset(): Map<string, Uint8Array> {
  const dir = testDataPath(...DS_PATH_PARTS);
  return new Map(readdirSync(dir).map((f) => [join(DS, f), new Uint8Array(readFileSync(join(dir, f)))]));
}

/** A memory fs that counts the bytes its sources handed out. */
function countingFs(files: Map<string, Uint8Array>): { fs: SourceFs; bytesRead: () => number } {
  return countingSourceFs(memoryFs(files));
}

function withBytes(
  files: Map<string, Uint8Array>,
  name: string,
  edit: (b: Uint8Array) => Uint8Array,
): Map<string, Uint8Array> {
  const copy = new Map(files);
  const bytes = copy.get(name);
  if (!bytes) throw new Error(`no ${name}`);
  copy.set(name, edit(new Uint8Array(bytes)));
  return copy;
}

const setInt16 = (offset: number, v: number) => (b: Uint8Array) => {
  new DataView(b.buffer).setInt16(offset, v);
  return b;
};
const setInt32 = (offset: number, v: number) => (b: Uint8Array) => {
  new DataView(b.buffer).setInt32(offset, v);
  return b;
};
const setFloat64 = (offset: number, v: number) => (b: Uint8Array) => {
  new DataView(b.buffer).setFloat64(offset, v);
  return b;
};
const setAscii = (offset: number, text: string) => (b: Uint8Array) => {
  b.set(new TextEncoder().encode(text), offset);
  return b;
};

async function expectFailure(
  files: Map<string, Uint8Array>,
  code: 'unreadable_recording' | 'unsupported_format',
): Promise<void> {
  const { fs, bytesRead } = countingFs(files);
  const size = [...files.values()].reduce((n, b) => n + b.length, 0);
  const err = await openCtf(DS, fs).then(
    () => null,
    (e: unknown) => e,
  );
  expect(isApiError(err) ? err.code : err).toBe(code);
  // never reads more than the files hold
  expect(bytesRead()).toBeLessThanOrEqual(size);
}

describeWithData('CTF reader on malformed and mutated datasets', () => {
  const files = loadDataset();
  const res4 = `${BASE}.res4`;
  const meg4 = `${BASE}.meg4`;

  it('opens the unmodified in-memory copy', async () => {
    const rec = await openCtf(DS, memoryFs(files));
    expect(rec.info.nSamples).toBe(2402);
    await rec.close();
  });

  it.each([10, 1000, 1844, 1900, 100_000, 3_000_000])('rejects a .res4 truncated to %d bytes', async (n) => {
    await expectFailure(
      withBytes(files, res4, (b) => b.slice(0, n)),
      'unreadable_recording',
    );
  });

  it.each(['MEG43RS', 'MEG3RS\0', 'MEG41CP', 'XXXXXXX'])(
    'rejects a .res4 with magic %j as unsupported',
    async (magic) => {
      await expectFailure(withBytes(files, res4, setAscii(0, magic)), 'unsupported_format');
    },
  );

  it('reads a .res4 marked MEG41RS (same layout) like MEG42RS', async () => {
    const rec = await openCtf(DS, memoryFs(withBytes(files, res4, setAscii(0, 'MEG41RS'))));
    expect(rec.info.notes?.res4Version).toBe('MEG41RS');
    expect(rec.info.channels).toHaveLength(N_CHAN);
    await rec.close();
  });

  it.each([
    ['channel count 32767', setInt16(1292, 32767)],
    ['channel count 9999 (beyond the file)', setInt16(1292, 9999)],
    ['channel count -1', setInt16(1292, -1)],
    ['channel count 0', setInt16(1292, 0)],
    ['samples per trial 2^31-1', setInt32(1288, 2 ** 31 - 1)],
    ['samples per trial 0', setInt32(1288, 0)],
    ['samples per trial -5', setInt32(1288, -5)],
    ['samples per trial 1200', setInt32(1288, 1200)],
    ['sampling rate NaN', setFloat64(1296, Number.NaN)],
    ['sampling rate 0', setFloat64(1296, 0)],
    ['run description length 2^31-1', setInt32(1836, 2 ** 31 - 1)],
    ['filter count 32767', setInt16(1845, 32767)],
  ])('rejects a .res4 with %s', async (_what, edit) => {
    await expectFailure(withBytes(files, res4, edit), 'unreadable_recording');
  });

  it('rejects a dataset without .meg4', async () => {
    const copy = new Map(files);
    copy.delete(meg4);
    await expectFailure(copy, 'unreadable_recording');
  });

  it('rejects a missing folder or a path that is not a .ds on the local file system', async () => {
    for (const path of [testDataPath('ctf', 'nope.ds'), testDataPath('ctf')]) {
      const err = await openCtf(path, localFs).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isApiError(err) ? err.code : err).toBe('unreadable_recording');
    }
  });

  it('rejects a dataset without .res4', async () => {
    const copy = new Map(files);
    copy.delete(res4);
    await expectFailure(copy, 'unreadable_recording');
  });

  it.each([0, 4, 8, 1000, 8 + N_CHAN * N_SAMP * 4 - 4, 8 + N_CHAN * N_SAMP * 4 + 4])(
    'rejects a .meg4 truncated to %d bytes',
    async (n) => {
      await expectFailure(
        withBytes(files, meg4, (b) => b.slice(0, n)),
        'unreadable_recording',
      );
    },
  );

  it('rejects a .meg4 with another header as unsupported', async () => {
    await expectFailure(withBytes(files, meg4, setAscii(0, 'MEG43CP')), 'unsupported_format');
  });

  it.each([
    ['a bad coordinate line', 'measured nasion coil position relative to head (cm):\n\tx == 1\n'],
    ['"Unable" to localise', 'Unable to localize head coils\n'],
    [
      'head-frame coils only',
      'measured nasion coil position relative to head (cm):\n\tx = 1\n\ty = 0\n\tz = 0\n',
    ],
  ])('rejects a .hc with %s', async (_what, text) => {
    await expectFailure(
      withBytes(files, `${BASE}.hc`, () => new TextEncoder().encode(text)),
      'unreadable_recording',
    );
  });

  it('reads a .ds with an empty .hc leniently (MNE raises: EEG positions cannot be placed); identity dev_head_t, EEG positions dropped', async () => {
    const rec = await openCtf(DS, memoryFs(withBytes(files, `${BASE}.hc`, () => new Uint8Array(0))));
    expect(rec.info.devHeadT).toEqual([
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
    expect(rec.info.dig).toEqual([]);
    expect(
      rec.info.channels
        .filter((c) => c.type === 'eeg')
        .every((c) => c.coordFrame === 'unknown' && Number.isNaN(c.loc[0])),
    ).toBe(true);
    await rec.close();
  });

  it('reads BadChannels by cleaned name', async () => {
    const rec = await openCtf(
      DS,
      memoryFs(
        withBytes(files, `${DS}/BadChannels`, () => new TextEncoder().encode('MLC11\nEEG057\nNOPE\n\n')),
      ),
    );
    expect(rec.info.bads).toEqual(['MLC11-4304', 'EEG057']);
    await rec.close();
  });

  it('reads only the bytes a window needs', async () => {
    const { fs, bytesRead } = countingFs(files);
    const rec = await openCtf(DS, fs);
    const before = bytesRead();
    await rec.readWindow([100, 5, 100], 1190, 1290); // two channels (one picked twice), across the trial boundary
    expect(bytesRead() - before).toBe(2 * 100 * 4);
    const whole = bytesRead();
    await rec.readWindow([10, 11, 12, 200], 0, 2402); // whole trials: a run of 3 channels read in one piece
    expect(bytesRead() - whole).toBe(4 * 2402 * 4);
    await rec.close();
  });

  it('reads a short window of adjacent channels in a few pieces, with the same samples as channel by channel', async () => {
    const { fs, bytesRead } = countingFs(files);
    const rec = await openCtf(DS, fs);
    const before = bytesRead();
    const adjacent = await rec.readWindow([10, 11, 12], 100, 200);
    // One piece from channel 10's first sample to channel 12's last (trials of 1201 samples): the gaps are read too.
    expect(bytesRead() - before).toBe((3 * 1201 - (1201 - 100)) * 4);
    for (const [k, ch] of [10, 11, 12].entries()) {
      expect(Array.from(adjacent[k]!)).toEqual(Array.from((await rec.readWindow([ch, 200], 100, 200))[0]!));
    }
    await rec.close();
  });

  it('rejects windows outside the recording as bad requests', async () => {
    const rec = await openCtf(DS, memoryFs(files));
    for (const [picks, start, stop] of [
      [[0], -1, 5],
      [[0], 0, 2403],
      [[0], 5, 4],
      [[356], 0, 1],
      [[0.5], 0, 1],
    ] as const) {
      const err = await rec.readWindow(picks, start, stop).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isApiError(err) ? err.code : err).toBe('invalid_request');
    }
    await rec.close();
  });

  it('continues into .1_meg4 and reads across the file boundary', async () => {
    const copy = new Map(files);
    copy.set(`${BASE}.1_meg4`, files.get(meg4) ?? new Uint8Array(0));
    const two = await openCtf(DS, memoryFs(copy));
    const one = await openCtf(DS, memoryFs(files));
    expect(two.info.nSamples).toBe(2 * 2402);
    expect(two.info.notes?.dataFiles).toBe(2);
    const [across] = await two.readWindow([150], 2392, 2412);
    const [tail] = await one.readWindow([150], 2392, 2402);
    const [head] = await one.readWindow([150], 0, 10);
    expect(Array.from(across ?? [])).toEqual([...(tail ?? []), ...(head ?? [])]);
    await Promise.all([one.close(), two.close()]);
  });

  it('truncates at the first zero of the system clock (MNE system_clock="truncate")', async () => {
    const zeroAt = 8 + (N_SAMP * N_CHAN + CLOCK_CHANNEL * N_SAMP + 500) * 4; // trial 1, sample 500
    const rec = await openCtf(DS, memoryFs(withBytes(files, meg4, setInt32(zeroAt, 0))));
    expect(rec.info.nSamples).toBe(N_SAMP + 500);
    await rec.close();
  });
});
