/**
 * KIT files that carry their own digitisation: two synthetic variants of test.sqd (byte patches from the golden,
 * applied in memory) read as MNE 1.3 reads them by default (test/golden/kit/test_sqd_internal_dig.json):
 * dev_head_t, dig (incl. an EEG electrode), the EEG channel, and samples.
 */
import { readFileSync } from 'node:fs';
import { isApiError } from '../../../lib/core/errors';
import { openKit } from '../../../lib/readers/kit';
import { memoryFs } from '../../../lib/readers/source';
import { describeWithData, goldenPath, testDataPath } from '../../helpers/testdata';

interface Variant {
  name: string;
  patches: { offset: number; hex: string }[];
  appended_hex: string;
  dev_head_t: number[][];
  dig: { kind: string; ident: number; r: number[]; coord_frame: string }[];
  channels: { name: string; type: string; coil_type: number; loc: (number | null)[] }[];
  picks: number[];
  window: { start: number; stop: number; data: number[][] };
}

const golden = JSON.parse(readFileSync(goldenPath('kit', 'test_sqd_internal_dig.json'), 'utf8')) as {
  variants: Variant[];
};
const PATH = '/mem/synthetic.sqd';
const POS_TOL = 1e-6;
const DATA_RTOL = 2 ** -23;

function build(v: Variant): Uint8Array {
  const original = new Uint8Array(readFileSync(testDataPath('kit', 'test.sqd')));
  const appended = Buffer.from(v.appended_hex, 'hex');
  const out = new Uint8Array(original.length + appended.length);
  out.set(original);
  out.set(appended, original.length);
  for (const p of v.patches) out.set(Buffer.from(p.hex, 'hex'), p.offset);
  return out;
}

function expectNear(
  actual: ArrayLike<number>,
  expected: readonly (number | null)[],
  rtol: number,
  atol: number,
  what: string,
): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    const a = actual[i] ?? Number.NaN;
    const ok = e === null ? Number.isNaN(a) : Math.abs(a - e) <= rtol * Math.abs(e) + atol;
    if (!ok) throw new Error(`${what}[${i}]: expected ${e}, got ${a}`);
  });
}

describeWithData('KIT stored digitisation as MNE read_raw_kit reads it by default', () => {
  it.each(golden.variants.map((v) => [v.name, v] as const))(
    'variant %s: dev_head_t, dig, channels and samples',
    async (_name, v) => {
      const rec = await openKit(PATH, memoryFs(new Map([[PATH, build(v)]])));
      v.dev_head_t.forEach((row, i) =>
        expectNear(rec.info.devHeadT?.[i] ?? [], row, 0, POS_TOL, `dev_head_t[${i}]`),
      );
      expect(rec.info.dig.map((d) => [d.kind, d.ident, d.coordFrame])).toEqual(
        v.dig.map((d) => [d.kind, d.ident, d.coord_frame]),
      );
      v.dig.forEach((d, i) => expectNear(rec.info.dig[i]?.r ?? [], d.r, 0, POS_TOL, `dig ${i}`));
      v.picks.forEach((p, k) => {
        const g = v.channels[k];
        const ch = rec.info.channels[p];
        expect([ch?.name, ch?.type, ch?.coilType]).toEqual([g?.name, g?.type, g?.coil_type]);
        expectNear(ch?.loc ?? [], g?.loc ?? [], 0, POS_TOL, `${g?.name} loc`);
      });
      const data = await rec.readWindow(v.picks, v.window.start, v.window.stop);
      v.window.data.forEach((row, k) =>
        expectNear(data[k] ?? [], row, DATA_RTOL, 0, `${v.channels[k]?.name} data`),
      );
      await rec.close();
    },
  );

  it('covers an EEG channel with a digitised position and a missing marker', () => {
    const [eeg, missing] = golden.variants;
    expect(eeg?.dig.some((d) => d.kind === 'eeg')).toBe(true);
    expect(eeg?.channels.some((c) => c.type === 'eeg' && c.loc[0] !== 0)).toBe(true);
    expect(missing?.dig.filter((d) => d.kind === 'hpi')).toHaveLength(4);
  });

  it('rejects stored digitisation listing an absurd number of points', async () => {
    const v = golden.variants[1] as Variant;
    const bytes = build(v);
    new DataView(bytes.buffer).setInt32(26 * 16 + 12, 2 ** 30, true);
    const err = await openKit(PATH, memoryFs(new Map([[PATH, bytes]]))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isApiError(err) ? err.code : err).toBe('unreadable_recording');
  });
});
