/** makeProjector and duplicate-name handling against MNE's _make_projector / _unique_channel_names. */
import { readFileSync } from 'node:fs';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { makeProjector } from '../../../lib/readers/fif';
import { projectorRows } from '../../../lib/readers/fif/proj';
import { uniquifyNames } from '../../../lib/readers/fif/info';
import type { ChInfoStruct } from '../../../lib/readers/fif/tags';
import type { Projector } from '../../../lib/readers/types';
import { localFs } from '../../../lib/readers/source';
import { openFif } from '../../../lib/readers/fif';
import { describeWithData, goldenPath, testDataPath } from '../../helpers/testdata';
import { maxAbsDiff } from './golden';

interface ProjCase {
  title: string;
  ch_names: string[];
  bads: string[];
  nproj: number;
  P: number[][];
  projectors: { desc: string; kind: number; active: boolean; ch_names: string[]; vectors: number[][] }[];
}
const golden = JSON.parse(readFileSync(goldenPath('fif', 'proj_cases.json'), 'utf8')) as {
  projectors: ProjCase[];
  unique_names: { input: string[]; output: string[] }[];
};

const toProjector = (p: ProjCase['projectors'][number]): Projector => ({
  description: p.desc,
  kind: p.kind,
  active: p.active,
  channelNames: p.ch_names,
  vectors: p.vectors,
});

describe('makeProjector equals MNE _make_projector', () => {
  test.each(golden.projectors.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const p = makeProjector(c.projectors.map(toProjector), c.ch_names, c.bads);
    expect(p).toHaveLength(c.ch_names.length);
    expect(maxAbsDiff(p.flat(), c.P.flat())).toBeLessThan(1e-12);
  });

  test('no projectors gives the identity', () => {
    expect(makeProjector([], ['a', 'b'])).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });
});

/** makeProjector as it was computed before projectorRows: the whole matrix with ml-matrix (I − U·Uᵀ). */
function wholeMatrixProjector(c: ProjCase): number[][] {
  const n = c.ch_names.length;
  const bads = new Set(c.bads);
  const columns = c.projectors.flatMap((p) =>
    p.vectors.map((vec) =>
      c.ch_names.map((name) => {
        const i = p.ch_names.indexOf(name);
        return i < 0 || bads.has(name) ? 0 : (vec[i] ?? 0);
      }),
    ),
  );
  const unit = columns.flatMap((v) => {
    const size = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    return size > 0 ? [v.map((x) => x / size)] : [];
  });
  if (unit.length === 0) return Matrix.eye(n, n).to2DArray();
  const a = new Matrix(n, unit.length);
  unit.forEach((col, j) => col.forEach((x, i) => a.set(i, j, x)));
  const svd = new SingularValueDecomposition(a, { autoTranspose: true });
  const s = svd.diagonal;
  const keep = s.filter((x) => x / (s[0] ?? 0) > 1e-2).length;
  const u = svd.leftSingularVectors.subMatrix(0, n - 1, 0, keep - 1);
  return Matrix.eye(n, n).sub(u.mmul(u.transpose())).to2DArray();
}

describe('projectorRows: rows of the projector alone, the same bits as the whole matrix', () => {
  test.each(golden.projectors.map((c) => [c.title, c] as const))('%s', (_title, c) => {
    const whole = wholeMatrixProjector(c);
    const projectors = c.projectors.map(toProjector);
    const rows = c.ch_names.map((_, i) => i).filter((i) => i % 3 !== 1);
    const picked = projectorRows(projectors, c.ch_names, c.bads, rows);
    // Object.is tells 0 from -0: every entry must be the same double.
    rows.forEach((i, k) =>
      (whole[i] ?? []).forEach((v, j) => expect(Object.is(picked[k]?.[j], v)).toBe(true)),
    );
    const all = makeProjector(projectors, c.ch_names, c.bads);
    whole.forEach((row, i) => row.forEach((v, j) => expect(Object.is(all[i]?.[j], v)).toBe(true)));
  });
});

describeWithData('projectorRows on a real evoked file', () => {
  test('test-ave.fif.gz (376 channels, SSP): the EEG rows as in the whole matrix', async () => {
    const rec = await openFif(testDataPath('fif', 'test-ave.fif.gz'), localFs);
    try {
      const { channels, projectors, bads } = rec.info;
      const c: ProjCase = {
        title: 'test-ave',
        ch_names: channels.map((ch) => ch.name),
        bads,
        nproj: projectors.length,
        P: [],
        projectors: projectors.map((p) => ({
          desc: p.description,
          kind: p.kind,
          active: p.active,
          ch_names: p.channelNames,
          vectors: p.vectors,
        })),
      };
      const whole = wholeMatrixProjector(c);
      const rows = channels.flatMap((ch, i) => (ch.type === 'eeg' ? [i] : []));
      const picked = projectorRows(projectors, c.ch_names, bads, rows);
      const same = rows.every((i, k) => (whole[i] ?? []).every((v, j) => Object.is(picked[k]?.[j], v)));
      expect(rows.length).toBeGreaterThan(50);
      expect(same).toBe(true);
    } finally {
      await rec.close();
    }
  });
});

describe('duplicate channel names get MNE running numbers', () => {
  test.each(golden.unique_names.map((c) => [c.input.join(','), c] as const))('%s', (_t, c) => {
    const chs = c.input.map((name) => ({ name }) as ChInfoStruct);
    uniquifyNames(chs);
    expect(chs.map((ch) => ch.name)).toEqual(c.output);
  });
});
