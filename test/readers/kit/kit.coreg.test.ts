/**
 * KIT coregistration from test_mrk.sqd + test.elp + test.hsp equals MNE 1.3's
 * read_raw_kit(test.sqd, mrk=, elp=, hsp=) (golden test/golden/kit/test_sqd_coreg.json), and malformed companion
 * files fail with an ApiError.
 */
import { readFileSync } from 'node:fs';
import { isApiError } from '../../../lib/core/errors';
import { openKit } from '../../../lib/readers/kit';
import { parseElp, parseHsp } from '../../../lib/readers/kit/coreg';
import { localFs, memoryFs } from '../../../lib/readers/source';
import { describeWithData, goldenPath, testDataPath } from '../../helpers/testdata';

interface CoregGolden {
  dev_head_t: number[][];
  mrk: number[][];
  dig: { kind: string; ident: number; r: number[]; coord_frame: string }[];
}

const golden = JSON.parse(readFileSync(goldenPath('kit', 'test_sqd_coreg.json'), 'utf8')) as CoregGolden;
const POS_TOL = 1e-6;

function expectNear(actual: readonly number[], expected: readonly number[], what: string): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((e, i) => {
    if (!(Math.abs((actual[i] ?? Number.NaN) - e) <= POS_TOL))
      throw new Error(`${what}[${i}]: expected ${e}, got ${actual[i]}`);
  });
}

const companions = () => ({
  mrk: testDataPath('kit', 'test_mrk.sqd'),
  elp: testDataPath('kit', 'test.elp'),
  hsp: testDataPath('kit', 'test.hsp'),
});

describeWithData('KIT coregistration equals MNE read_raw_kit(mrk, elp, hsp)', () => {
  it('gives MNE dev_head_t (1e-6)', async () => {
    const rec = await openKit(testDataPath('kit', 'test.sqd'), localFs, {}, companions());
    golden.dev_head_t.forEach((row, i) => expectNear(rec.info.devHeadT?.[i] ?? [], row, `dev_head_t[${i}]`));
    expect(golden.dev_head_t[0]?.[0]).not.toBe(1); // a real transform, not the identity
    await rec.close();
  });

  it('gives MNE dig: fiducials, 5 HPI coils and the head shape in the head frame (1e-6)', async () => {
    const rec = await openKit(testDataPath('kit', 'test.sqd'), localFs, {}, companions());
    expect(rec.info.dig.map((d) => [d.kind, d.ident, d.coordFrame])).toEqual(
      golden.dig.map((d) => [d.kind, d.ident, d.coord_frame]),
    );
    golden.dig.forEach((d, i) => expectNear(rec.info.dig[i]?.r ?? [], d.r, `dig ${i}`));
    expect(golden.dig.filter((d) => d.kind === 'extra')).toHaveLength(500);
    await rec.close();
  });

  it('rejects a marker file that is not a marker file', async () => {
    const files = { ...companions(), mrk: testDataPath('kit', 'test.elp') };
    const err = await openKit(testDataPath('kit', 'test.sqd'), localFs, {}, files).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isApiError(err) ? err.code : err).toBe('unreadable_recording');
  });

  it('rejects missing files on the local file system as unreadable', async () => {
    const missing = await openKit(testDataPath('kit', 'nope.sqd'), localFs).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isApiError(missing) ? missing.code : missing).toBe('unreadable_recording');
    const files = { ...companions(), hsp: testDataPath('kit', 'nope.hsp') };
    const err = await openKit(testDataPath('kit', 'test.sqd'), localFs, {}, files).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isApiError(err) ? err.code : err).toBe('unreadable_recording');
  });

  it('rejects a truncated marker file', async () => {
    const mrk = new Uint8Array(readFileSync(testDataPath('kit', 'test_mrk.sqd'))).slice(0, 2000);
    const fs = memoryFs(
      new Map([
        ['/m/test.sqd', new Uint8Array(readFileSync(testDataPath('kit', 'test.sqd')))],
        ['/m/mrk.sqd', mrk],
        ['/m/test.elp', new Uint8Array(readFileSync(testDataPath('kit', 'test.elp')))],
        ['/m/test.hsp', new Uint8Array(readFileSync(testDataPath('kit', 'test.hsp')))],
      ]),
    );
    const err = await openKit(
      '/m/test.sqd',
      fs,
      {},
      { mrk: '/m/mrk.sqd', elp: '/m/test.elp', hsp: '/m/test.hsp' },
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isApiError(err) ? err.code : err).toBe('unreadable_recording');
  });
});

describe('KIT .elp / .hsp parsing', () => {
  it('rejects an .elp without 8 points', () => {
    expect(() => parseElp('1 2 3\n4 5 6\n')).toThrow(/8 points/);
  });

  it('reads an .hsp and checks its point count', () => {
    const hsp =
      '//Position of fiducials X+, Y+, Y- on the subject\n%F\t1\t0\t0\n%F\t0\t1\t0\n%F\t0\t-1\t0\n//No of rows\n2\t3\n1 2 3\n4 5 6\n';
    expect(parseHsp(hsp)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(() => parseHsp(hsp.replace('2\t3', '3\t3'))).toThrow(/3 points/);
    expect(() => parseHsp(hsp.replace('2\t3', '20000\t3'))).toThrow(/not supported/);
    expect(() => parseHsp('no fiducials here')).toThrow(/fiducials/);
  });
});
