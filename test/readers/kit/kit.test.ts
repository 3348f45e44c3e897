/**
 * The KIT reader against MNE-Python 1.3's read_raw_kit on kit/test.sqd (golden test/golden/kit/test_sqd.json),
 * and on malformed in-memory copies of it.
 */
import { readFileSync } from 'node:fs';
import { isApiError } from '../../../lib/core/errors';
import { openKit } from '../../../lib/readers/kit';
import { localFs, memoryFs, type ByteSource, type SourceFs } from '../../../lib/readers/source';
import type { Recording } from '../../../lib/readers/types';
import { describeWithData, goldenPath, testDataPath } from '../../helpers/testdata';

interface KitGolden {
  sfreq: number;
  n_times: number;
  first_samp: number;
  dev_head_t: number[][] | null;
  bads: string[];
  dig: number;
  channels: {
    name: string;
    type: string;
    coil_type: number;
    unit: number;
    coord_frame: string;
    loc: (number | null)[];
  }[];
  picks: number[];
  pick_names: string[];
  windows: { start: number; stop: number; data: number[][] }[];
}

const golden = JSON.parse(readFileSync(goldenPath('kit', 'test_sqd.json'), 'utf8')) as KitGolden;
const UNIT_NAMES: Record<number, string> = { 107: 'V', 112: 'T', [-1]: '' };
const POS_TOL = 1e-6;
const DATA_RTOL = 2 ** -23;

function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number | null>,
  rtol: number,
  atol: number,
  what: string,
): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] ?? Number.NaN;
    const a = actual[i] ?? Number.NaN;
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) <= rtol * Math.abs(e) + atol;
    if (!ok) throw new Error(`${what}[${i}]: expected ${e}, got ${a}`);
  }
}

describeWithData('KIT .sqd reader equals MNE read_raw_kit', () => {
  let rec: Recording;
  beforeAll(async () => {
    rec = await openKit(testDataPath('kit', 'test.sqd'), localFs);
  });
  afterAll(async () => rec.close());

  it('has MNE sfreq, n_times, identity dev_head_t, no dig, no bads', () => {
    expect(rec.info.format).toBe('kit');
    expect(rec.info.sfreq).toBe(golden.sfreq);
    expect(rec.info.nSamples).toBe(golden.n_times);
    expect(rec.info.devHeadT).toEqual(golden.dev_head_t);
    expect(rec.info.dig).toHaveLength(golden.dig);
    expect(rec.info.bads).toEqual(golden.bads);
  });

  it('has MNE channel names, types, units, coil types and frames (incl. STI 014)', () => {
    const ours = rec.info.channels;
    expect(ours.map((c) => c.name)).toEqual(golden.channels.map((c) => c.name));
    expect(ours.map((c) => c.type)).toEqual(golden.channels.map((c) => c.type));
    expect(ours.map((c) => c.unit)).toEqual(golden.channels.map((c) => UNIT_NAMES[c.unit]));
    expect(ours.map((c) => c.coilType)).toEqual(golden.channels.map((c) => c.coil_type));
    expect(ours.map((c) => c.coordFrame)).toEqual(golden.channels.map((c) => c.coord_frame));
    expect(golden.channels.filter((c) => c.type === 'mag')).toHaveLength(157);
  });

  it('has MNE device-frame loc for every channel (1e-6)', () => {
    golden.channels.forEach((g, i) =>
      expectClose(rec.info.channels[i]?.loc ?? [], g.loc, 0, POS_TOL, `${g.name} loc`),
    );
  });

  it.each(golden.windows.map((w) => [w.start, w.stop] as const))(
    'reads window [%d, %d) as MNE (float32 precision)',
    async (start, stop) => {
      const w = golden.windows.find((x) => x.start === start && x.stop === stop);
      const data = await rec.readWindow(golden.picks, start, stop);
      golden.pick_names.forEach((name, k) =>
        expectClose(data[k] ?? [], w?.data[k] ?? [], DATA_RTOL, 0, `${name} [${start},${stop})`),
      );
    },
  );

  it('sees both trigger values in the synthesized STI 014 windows', () => {
    const stimRow = golden.pick_names.indexOf('STI 014');
    const values = new Set(golden.windows.flatMap((w) => w.data[stimRow] ?? []));
    expect(values.size).toBeGreaterThan(1);
  });
});

describeWithData('KIT reader on malformed copies', () => {
  const PATH = '/mem/test.sqd';
  const original = new Uint8Array(readFileSync(testDataPath('kit', 'test.sqd')));
  const dv = new DataView(original.buffer);
  const dirOffset = (i: number): number => dv.getUint32(i * 16, true);
  const SYSTEM = dirOffset(1);
  const ACQ = dirOffset(8);

  function mutated(edit: (b: Uint8Array, v: DataView) => Uint8Array | void): Map<string, Uint8Array> {
    const b = new Uint8Array(original);
    return new Map([[PATH, edit(b, new DataView(b.buffer)) ?? b]]);
  }

  async function expectFailure(files: Map<string, Uint8Array>, code: string): Promise<void> {
    const opened: ByteSource[] = [];
    const inner = memoryFs(files);
    const fs: SourceFs = {
      ...inner,
      open: async (p) => {
        const s = await inner.open(p);
        opened.push(s);
        return s;
      },
    };
    const err = await openKit(PATH, fs).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isApiError(err) ? err.code : err).toBe(code);
    expect(opened.reduce((n, s) => n + s.bytesRead, 0)).toBeLessThanOrEqual(original.length);
  }

  it('opens the unmodified copy', async () => {
    const rec = await openKit(PATH, memoryFs(new Map([[PATH, original]])));
    expect(rec.info.nSamples).toBe(2000);
    await rec.close();
  });

  // 58 996 bytes: the header whole, no sample left (MNE opens it but cannot read anything)
  it.each([0, 15, 100, 600, 3000, 20_000, 58_996])('rejects a file truncated to %d bytes', async (n) => {
    await expectFailure(
      mutated((b) => b.slice(0, n)),
      'unreadable_recording',
    );
  });

  it.each([
    ['directory count 2^31-1', (_b: Uint8Array, v: DataView) => v.setInt32(12, 2 ** 31 - 1, true)],
    ['directory count 3', (_b: Uint8Array, v: DataView) => v.setInt32(12, 3, true)],
    ['channel count 2^31-1', (_b: Uint8Array, v: DataView) => v.setInt32(SYSTEM + 268, 2 ** 31 - 1, true)],
    ['channel count 0', (_b: Uint8Array, v: DataView) => v.setInt32(SYSTEM + 268, 0, true)],
    ['channel count 9000', (_b: Uint8Array, v: DataView) => v.setInt32(SYSTEM + 268, 9000, true)],
    ['sample count -1', (_b: Uint8Array, v: DataView) => v.setInt32(ACQ + 16, -1, true)],
    ['sampling rate NaN', (_b: Uint8Array, v: DataView) => v.setFloat64(ACQ + 4, Number.NaN, true)],
    ['12-bit samples', (_b: Uint8Array, v: DataView) => v.setInt32(SYSTEM + 728, 12, true)],
    ['acquisition type 7', (_b: Uint8Array, v: DataView) => v.setInt32(ACQ, 7, true)],
    [
      'channel directory offset past the end',
      (_b: Uint8Array, v: DataView) => v.setUint32(4 * 16, 0xfffffff0, true),
    ],
  ])('rejects a file with %s', async (_what, edit) => {
    await expectFailure(mutated(edit), 'unreadable_recording');
  });

  it.each([
    ['truncated to 800 000 bytes', mutated((b) => b.slice(0, 800_000)), 1929],
    ['sample count 2^31-1', mutated((_b, v) => v.setInt32(ACQ + 16, 2 ** 31 - 1, true)), 2000],
  ])(
    'opens a file %s with the samples it holds (MNE announces more, then fails reading past them)',
    async (_what, files, stored) => {
      const [rec, plain] = [
        await openKit(PATH, memoryFs(files)),
        await openKit(PATH, memoryFs(mutated(() => {}))),
      ];
      try {
        expect(rec.info.nSamples).toBe(stored);
        const picks = rec.info.channels.map((_, i) => i);
        expect(await rec.readWindow(picks, stored - 5, stored)).toEqual(
          await plain.readWindow(picks, stored - 5, stored),
        );
        await expect(rec.readWindow(picks, stored - 5, stored + 1)).rejects.toMatchObject({
          code: 'invalid_request',
        });
      } finally {
        await rec.close();
        await plain.close();
      }
    },
  );

  it.each([
    ['format V2R002', (_b: Uint8Array, v: DataView) => v.setInt32(SYSTEM + 4, 2, true)],
    ['format V1R004', (_b: Uint8Array, v: DataView) => v.setInt32(SYSTEM, 1, true)],
    ['epoched data', (_b: Uint8Array, v: DataView) => v.setInt32(ACQ, 3, true)],
  ])('rejects a file with %s as unsupported', async (_what, edit) => {
    await expectFailure(mutated(edit), 'unsupported_format');
  });

  it('rejects a missing file', async () => {
    await expectFailure(new Map(), 'unreadable_recording');
  });
});
