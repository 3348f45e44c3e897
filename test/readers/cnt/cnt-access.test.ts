/** CNT reader: O(window) reads, and malformed headers and event tables refused with typed errors. */
import { cntEventOffset, writeCnt, type CntSpec } from '../../../cli/cnt-writer';
import { openCnt } from '../../../lib/readers/cnt';
import { countingFs, memoryFs } from '../../../lib/readers/source';

const N = 32;
const spec = (over: Partial<CntSpec> = {}): CntSpec => ({
  names: Array.from({ length: N }, (_, i) => `E${i + 1}`),
  sfreq: 1000,
  bytesPerSample: 4,
  channelOffset: 1,
  nSamples: 20000,
  headerSamples: 20000,
  xy: Array.from({ length: N }, (_, i) => [Math.cos(i), Math.sin(i)] as const),
  baselines: new Array<number>(N).fill(0),
  sensitivity: new Array<number>(N).fill(1),
  calib: new Array<number>(N).fill(1),
  events: { type: 2, list: [{ stim: 3, offset: cntEventOffset(N, 4, 100, 2), latency: 0 }] },
  digital: (c, s) => c * 1000 + s,
  ...over,
});

const open = (bytes: Uint8Array) => {
  const counting = countingFs(memoryFs(new Map([['/m/a.cnt', bytes]])));
  return { counting, rec: openCnt('/m/a.cnt', counting.fs) };
};

describe('CNT reader access pattern', () => {
  it.each([
    [4, 1],
    [2, 1],
    [4, 50],
  ] as const)('a window reads O(window) bytes (%d-byte samples, blocks of %d)', async (nb, co) => {
    const bytes = writeCnt(spec({ bytesPerSample: nb, channelOffset: co }));
    const { counting, rec } = open(bytes);
    const r = await rec;
    const before = counting.bytesRead();
    const [row] = await r.readWindow([3], 12345, 12445);
    expect(Array.from(row ?? [])).toEqual(
      Array.from({ length: 100 }, (_, k) => (3000 + 12345 + k) * (1e-6 / 204.8)),
    );
    // One channel of 100 samples, at most a block either side and the frame of the channels in between.
    expect(counting.bytesRead() - before).toBeLessThanOrEqual((100 + 2 * co) * N * nb);
    expect(counting.bytesRead()).toBeLessThan(bytes.length / 10);
    await r.close();
  });
});

describe('CNT reader on malformed files', () => {
  const good = writeCnt(spec({ nSamples: 200, headerSamples: 200 }));
  const mutate = (f: (dv: DataView, b: Uint8Array) => void): Uint8Array => {
    const b = good.slice();
    f(new DataView(b.buffer), b);
    return b;
  };
  const table = 900 + 75 * N + 200 * N * 4;

  it.each([
    ['too short', 'unreadable_recording', good.slice(0, 500)],
    ['no channels', 'unreadable_recording', mutate((dv) => dv.setUint16(370, 0, true))],
    ['too many channels', 'unsupported_format', mutate((dv) => dv.setUint16(370, 60000, true))],
    ['electrodes past the end', 'unreadable_recording', mutate((dv) => dv.setUint16(370, 800, true))],
    ['rate 0', 'unreadable_recording', mutate((dv) => dv.setUint16(376, 0, true))],
    ['event table outside', 'unreadable_recording', mutate((dv) => dv.setInt32(886, -5, true))],
    ['event type 9', 'unreadable_recording', mutate((_dv, b) => (b[table] = 9))],
    ['ragged event table', 'unreadable_recording', mutate((dv) => dv.setInt32(table + 1, 7, true))],
    ['non-ASCII label', 'unreadable_recording', mutate((_dv, b) => (b[901] = 0xe9))],
    ['block smaller than a sample', 'unreadable_recording', mutate((dv) => dv.setInt32(894, 3, true))],
  ] as const)('%s → %s', async (_name, code, bytes) => {
    await expect(open(bytes).rec).rejects.toMatchObject({ code });
  });

  it('checks the event table against the decoded-size budget before decoding it', async () => {
    const fs = memoryFs(new Map([['/m/a.cnt', good]]));
    await expect(openCnt('/m/a.cnt', fs, { maxDecodedBytes: 100 })).rejects.toMatchObject({
      code: 'unreadable_recording',
      message: expect.stringContaining('budget'),
    });
    await expect(openCnt('/m/a.cnt', fs, { maxDecodedBytes: 10_000 })).resolves.toBeDefined();
  });

  it('quotes a file-controlled value through quoteValue', async () => {
    await expect(open(mutate((dv) => dv.setUint16(370, 60000, true))).rec).rejects.toMatchObject({
      message: expect.stringContaining('"60000"'),
    });
  });

  it('a window past the data in a truncated file is a 422, not a crash', async () => {
    const r = await open(mutate((dv) => dv.setInt32(864, 100000, true)).slice(0, table)).rec.catch(
      (e: unknown) => e,
    );
    expect(r).toMatchObject({ code: 'unreadable_recording' });
  });
});
