/**
 * Calibration: raw samples are scaled by range · cal, evoked samples by cal only (as MNE does). The real files all
 * have range 1, so a channel's range is changed in memory and the result compared with MNE's golden windows.
 */
import { openFif } from '../../../lib/readers/fif';
import { describeWithData, testDataPath } from '../../helpers/testdata';
import { loadGolden } from './golden';
import { TAG_KIND, firstTag, loadBytes, oneFileFs } from './mutate';

const FIELD_OFFSET = { range: 12, cal: 16 } as const;

/** A copy of `bytes` with the float32 range or cal of channel `index` multiplied by `factor`. */
function withScaled(
  bytes: Uint8Array,
  index: number,
  field: keyof typeof FIELD_OFFSET,
  factor: number,
): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  const at = firstTag(bytes, TAG_KIND.chInfo, index).pos + 16 + FIELD_OFFSET[field];
  view.setFloat32(at, view.getFloat32(at) * factor);
  return copy;
}

function expectScaled(actual: ArrayLike<number>, expected: readonly number[], factor: number): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) =>
    expect(Math.abs((actual[i] as number) - e * factor)).toBeLessThanOrEqual(1e-12 * Math.abs(e)),
  );
}

describeWithData('FIF calibration', () => {
  test('raw: range multiplies the samples (range · cal)', async () => {
    const g = loadGolden('sim_vectorview_raw');
    const pick = g.picks[0] as number;
    const w = g.windows[0];
    if (!w) throw new Error('no golden window');
    const bytes = withScaled(loadBytes(testDataPath('fif', 'sim_vectorview_raw.fif')), pick, 'range', 2.5);
    const rec = await openFif('/m/a_raw.fif', oneFileFs('/m/a_raw.fif', bytes));
    const [row] = await rec.readWindow([pick], w.start, w.stop);
    expectScaled(row ?? [], w.data[0] ?? [], 2.5);
  });

  test('evoked: range is ignored (cal only)', async () => {
    const g = loadGolden('test-ave');
    const pick = g.picks[0] as number;
    const w = g.windows.find((x) => x.condition === 0);
    if (!w) throw new Error('no golden window');
    const original = loadBytes(testDataPath('fif', 'test-ave.fif.gz'));
    const read = async (bytes: Uint8Array): Promise<Float64Array> => {
      const rec = await openFif('/m/a-ave.fif', oneFileFs('/m/a-ave.fif', bytes));
      const [row] = await rec.readWindow([pick], w.start, w.stop);
      return row ?? new Float64Array(0);
    };
    expectScaled(await read(withScaled(original, pick, 'range', 2.5)), w.data[0] ?? [], 1);
    // The same tag's cal does scale the data, so the range change above hit the channel's definition.
    expectScaled(await read(withScaled(original, pick, 'cal', 2)), w.data[0] ?? [], 2);
  });
});
