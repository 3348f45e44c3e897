/** Device→head transform variants: a head→device transform is inverted (as MNE does for BabyMEG files). */
import { openFif } from '../../../lib/readers/fif';
import { describeWithData, testDataPath } from '../../helpers/testdata';
import { loadGolden, maxAbsDiff } from './golden';
import { listTags, loadBytes, oneFileFs, withInt32 } from './mutate';

const COORD_TRANS = 222;

/** Inverse of a rigid 4x4 transform: [Rᵀ, −Rᵀt]. */
function invertRigid(t: number[][]): number[][] {
  const r = (i: number, j: number): number => t[i]?.[j] ?? NaN;
  const rows = [0, 1, 2].map((i) => [r(0, i), r(1, i), r(2, i)]);
  const move = rows.map((row) => -row.reduce((s, x, j) => s + x * r(j, 3), 0));
  return [...rows.map((row, i) => [...row, move[i] as number]), [0, 0, 0, 1]];
}

describeWithData('FIF coordinate transforms', () => {
  test('every device→head transform tag, rewritten as head→device, is read back inverted', async () => {
    const g = loadGolden('sim_vectorview_raw');
    const bytes = loadBytes(testDataPath('fif', 'sim_vectorview_raw.fif'));
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const trans = listTags(bytes).filter((t) => t.kind === COORD_TRANS && view.getInt32(t.pos + 16) === 1);
    expect(trans.length).toBeGreaterThan(0);
    let mutated = bytes;
    for (const t of trans) mutated = withInt32(withInt32(mutated, t.pos + 16, 4), t.pos + 20, 1);
    const rec = await openFif('/m/a_raw.fif', oneFileFs('/m/a_raw.fif', mutated));
    expect(maxAbsDiff((rec.info.devHeadT ?? []).flat(), invertRigid(g.dev_head_t ?? []).flat())).toBeLessThan(
      1e-6,
    );
    expect(maxAbsDiff((rec.info.devHeadT ?? []).flat(), (g.dev_head_t ?? []).flat())).toBeGreaterThan(1e-3);
  });
});
