/** makeProjector and duplicate-name handling against MNE's _make_projector / _unique_channel_names. */
import { readFileSync } from 'node:fs';
import { makeProjector } from '../../../lib/readers/fif';
import { uniquifyNames } from '../../../lib/readers/fif/info';
import type { ChInfoStruct } from '../../../lib/readers/fif/tags';
import type { Projector } from '../../../lib/readers/types';
import { goldenPath } from '../../helpers/testdata';
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

describe('duplicate channel names get MNE running numbers', () => {
  test.each(golden.unique_names.map((c) => [c.input.join(','), c] as const))('%s', (_t, c) => {
    const chs = c.input.map((name) => ({ name }) as ChInfoStruct);
    uniquifyNames(chs);
    expect(chs.map((ch) => ch.name)).toEqual(c.output);
  });
});
