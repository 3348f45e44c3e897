/**
 * BrainVision variants built in memory from test.vhdr/test.eeg (no test recording has them): INT_32,
 * IEEE_FLOAT_32, VECTORIZED orientation and code pages must give MNE's values for test.vhdr; damaged headers
 * and missing files give ApiErrors.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { isApiError } from '../../../lib/core/errors';
import { openBrainVision } from '../../../lib/readers/brainvision';
import { memoryFs } from '../../../lib/readers/source';
import type { Recording } from '../../../lib/readers/types';
import { describeWithData, testDataPath } from '../../helpers/testdata';
import { loadGolden, relativeError } from '../eeg-shared/golden';

const NCHAN = 32;

function openWith(
  vhdr: string | Uint8Array,
  eeg: Uint8Array | null,
  vmrk: Uint8Array | null,
): Promise<Recording> {
  const files = new Map<string, Uint8Array>([
    ['/r/test.vhdr', typeof vhdr === 'string' ? new TextEncoder().encode(vhdr) : vhdr],
  ]);
  if (eeg) files.set('/r/test.eeg', eeg);
  if (vmrk) files.set('/r/test.vmrk', vmrk);
  return openBrainVision('/r/test.vhdr', memoryFs(files));
}

/** Re-encodes the INT_16 multiplexed samples of test.eeg. */
function reencode(
  int16: Int16Array,
  nSamples: number,
  format: 'INT_32' | 'IEEE_FLOAT_32' | 'INT_16',
  vectorized: boolean,
): Uint8Array {
  const width = format === 'INT_16' ? 2 : 4;
  const out = new DataView(new ArrayBuffer(nSamples * NCHAN * width));
  for (let s = 0; s < nSamples; s++) {
    for (let c = 0; c < NCHAN; c++) {
      const v = int16[s * NCHAN + c] ?? 0;
      const at = (vectorized ? c * nSamples + s : s * NCHAN + c) * width;
      if (format === 'INT_16') out.setInt16(at, v, true);
      else if (format === 'INT_32') out.setInt32(at, v, true);
      else out.setFloat32(at, v, true);
    }
  }
  return new Uint8Array(out.buffer);
}

async function expectCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await expect(p).rejects.toMatchObject({
    code,
    ...(message ? { message: expect.stringMatching(message) } : {}),
  });
}

describeWithData('BrainVision variants and bad input', () => {
  const dir = testDataPath('brainvision');
  const vhdr = readFileSync(`${dir}/test.vhdr`, 'utf8');
  const vmrk = new Uint8Array(readFileSync(`${dir}/test.vmrk`));
  const eeg = new Uint8Array(readFileSync(`${dir}/test.eeg`));
  const int16 = new Int16Array(eeg.buffer.slice(eeg.byteOffset, eeg.byteOffset + eeg.byteLength));
  const nSamples = eeg.length / 2 / NCHAN;
  const g = loadGolden('bv__test_vhdr.json');

  async function expectGoldenData(rec: Recording): Promise<void> {
    expect(rec.info.nSamples).toBe(g.n_times);
    for (const w of g.windows) {
      const data = await rec.readWindow(g.picks, w.start, w.stop);
      data.forEach((row, k) => expect(relativeError(row, w.data[k] ?? [])).toBeLessThan(1e-6));
    }
  }

  it.each([
    ['INT_32', 'MULTIPLEXED'],
    ['IEEE_FLOAT_32', 'MULTIPLEXED'],
    ['INT_16', 'VECTORIZED'],
    ['INT_32', 'VECTORIZED'],
  ] as const)('%s %s gives MNE values of test.vhdr', async (format, orientation) => {
    const header = vhdr
      .replace('BinaryFormat=INT_16', `BinaryFormat=${format}`)
      .replace('DataOrientation=MULTIPLEXED', `DataOrientation=${orientation}`);
    const rec = await openWith(header, reencode(int16, nSamples, format, orientation === 'VECTORIZED'), vmrk);
    await expectGoldenData(rec);
  });

  it('Codepage=ANSI reads cp1252 text (µ as 0xB5, é in a channel name)', async () => {
    const text = vhdr.replace('Codepage=UTF-8', 'Codepage=ANSI').replace('Ch1=FP1,', 'Ch1=Fé1,');
    const bytes = Uint8Array.from(text, (ch) => ch.charCodeAt(0));
    const rec = await openWith(bytes, eeg, vmrk);
    expect(rec.info.channels[0]?.name).toBe('Fé1');
    expect(rec.info.channels.map((c) => c.type)).toEqual(g.types);
    await expectGoldenData(rec);
  });

  it('a UTF-8 header that is not valid UTF-8 falls back to latin-1 (µ as "Âµ" is cleaned as MNE does)', async () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode(vhdr.replace('Ch1=FP1,', 'Ch1=F\u0001,')),
      0xff,
    ]);
    bytes[bytes.indexOf(1)] = 0xe9; // a lone latin-1 "é": invalid UTF-8
    const rec = await openWith(bytes, eeg, vmrk);
    expect(rec.info.channels[0]?.name).toBe('Fé');
    expect(rec.info.channels.map((c) => c.type)).toEqual(g.types);
  });

  it('commas written "\\1" in names and markers are restored', async () => {
    const rec = await openWith(
      vhdr.replace('Ch1=FP1,', 'Ch1=FP\\11,'),
      eeg,
      new TextEncoder().encode(
        new TextDecoder().decode(vmrk).replace('Stimulus,S253,487', 'Stimulus,S2\\153,487'),
      ),
    );
    expect(rec.info.channels[0]?.name).toBe('FP,1');
    expect((await rec.readEvents())[1]?.value).toBe('S2,53');
  });

  it('duplicate channel names get MNE suffixes "-0", "-1"', async () => {
    const rec = await openWith(vhdr.replace('Ch2=FP2,', 'Ch2=FP1,'), eeg, vmrk);
    expect(rec.info.channels.slice(0, 3).map((c) => c.name)).toEqual(['FP1-0', 'FP1-1', 'F3']);
  });

  it('missing .eeg → unreadable_recording', async () => {
    await expectCode(openWith(vhdr, null, vmrk), 'unreadable_recording', /"test\.eeg" is missing/);
  });

  it('missing .vmrk → unreadable_recording', async () => {
    await expectCode(openWith(vhdr, eeg, null), 'unreadable_recording', /"test\.vmrk" is missing/);
  });

  it('ASCII data → unsupported_format with a clear message', async () => {
    await expectCode(
      openWith(vhdr.replace('DataFormat=BINARY', 'DataFormat=ASCII'), eeg, vmrk),
      'unsupported_format',
      /ASCII/,
    );
  });

  it.each([
    ['UINT_16 samples', 'BinaryFormat=INT_16', 'BinaryFormat=UINT_16'],
    ['an unknown orientation', 'DataOrientation=MULTIPLEXED', 'DataOrientation=DIAGONAL'],
    ['an unknown code page', 'Codepage=UTF-8', 'Codepage=KLINGON'],
    ['not a BrainVision header', 'Brain Vision Data Exchange Header File Version 1.0', 'Some Header'],
  ])('%s → unsupported_format', async (_what, from, to) => {
    await expectCode(openWith(vhdr.replace(from, to), eeg, vmrk), 'unsupported_format');
  });

  it.each([
    ['no channels', 'NumberOfChannels=32', 'NumberOfChannels=0'],
    ['negative channel count', 'NumberOfChannels=32', 'NumberOfChannels=-3'],
    ['huge channel count', 'NumberOfChannels=32', 'NumberOfChannels=99999999'],
    ['channel count not a number', 'NumberOfChannels=32', 'NumberOfChannels=many'],
    ['more channels than described', 'NumberOfChannels=32', 'NumberOfChannels=33'],
    ['a channel numbered beyond the count', 'Ch32=ReRef', 'Ch40=ReRef'],
    ['zero sampling interval', 'SamplingInterval=1000', 'SamplingInterval=0'],
    ['sampling interval not a number', 'SamplingInterval=1000', 'SamplingInterval=fast'],
    ['resolution not a number', 'Ch4=F4,,0.5', 'Ch4=F4,,half'],
    ['a channel with two fields', 'Ch4=F4,,0.5,µV', 'Ch4=F4'],
    ['a duplicate option', 'NumberOfChannels=32', 'NumberOfChannels=32\nNumberOfChannels=32'],
    ['a line outside any section', '; Data created by the Vision Recorder', 'orphan=1'],
    ['no DataFile', 'DataFile=test.eeg', ''],
    ['a data file outside the folder', 'DataFile=test.eeg', 'DataFile=../other/test.eeg'],
    ['an absolute data file', 'DataFile=test.eeg', 'DataFile=/etc/passwd'],
  ])('%s → unreadable_recording', async (_what, from, to) => {
    await expectCode(openWith(vhdr.replace(from, to), eeg, vmrk), 'unreadable_recording');
  });

  it('an .eeg shorter than one time point → unreadable_recording', async () => {
    await expectCode(openWith(vhdr, eeg.slice(0, 63), vmrk), 'unreadable_recording', /no complete sample/);
  });

  it('a truncated .eeg: samples from its size, as MNE (floor)', async () => {
    const rec = await openWith(vhdr, eeg.slice(0, 64 * 100 + 17), vmrk);
    expect(rec.info.nSamples).toBe(100);
    expect((await rec.readEvents()).every((e) => e.onset <= 0.1)).toBe(true);
  });

  it('a malformed marker (position not a number) → unreadable_recording', async () => {
    const bad = new TextEncoder().encode(new TextDecoder().decode(vmrk).replace(',487,', ',later,'));
    await expectCode(openWith(vhdr, eeg, bad), 'unreadable_recording', /position/);
  });

  it('stays fast on hostile text (long blank runs, long comma/digit marker lines)', async () => {
    const header = vhdr.replace('[Binary Infos]', `[Binary Infos]\nx${' '.repeat(300_000)}y`);
    const markers = `${new TextDecoder().decode(vmrk)}Mk99=New Segment,${',1'.repeat(300_000)}x\n`;
    const t0 = performance.now();
    await expectCode(openWith(header, eeg, vmrk), 'unreadable_recording', /cannot parse line/);
    const rec = await openWith(vhdr, eeg, new TextEncoder().encode(markers));
    expect((await rec.readEvents()).length).toBe(15);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('random header edits: opens or fails with an ApiError', async () => {
    const lines = vhdr.split('\n');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(lines.length - 1), fc.string({ maxLength: 12 })), {
          minLength: 1,
          maxLength: 5,
        }),
        async (edits) => {
          const copy = [...lines];
          for (const [at, text] of edits) copy[at] = text;
          try {
            const rec = await openWith(copy.join('\n'), eeg, vmrk);
            await rec.readWindow(
              rec.info.channels.map((_, i) => i),
              0,
              Math.min(rec.info.nSamples, 500),
            );
          } catch (e) {
            if (!isApiError(e)) throw e;
          }
        },
      ),
      { numRuns: 200, seed: 11 },
    );
  });
});
