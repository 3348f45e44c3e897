/**
 * Colour-bar ticks and labels equal matplotlib 3.6's (AutoLocator + ScalarFormatter) for a range of (vmin, vmax)
 * pairs and bin counts: golden from scripts/golden/make_colorbar_ticks_golden.py. Labels are never equal.
 */
import { readFileSync } from 'node:fs';
import { autoBins, colorbarRange, colorbarTicks } from '../../../lib/core/render/ticks';
import { pyDivmod } from '../../../lib/core/ticker';
import { goldenPath } from '../../helpers/testdata';

interface Case {
  vmin: number;
  vmax: number;
  nbins: number;
  ticks: number[];
  labels: string[];
  offset: string;
}

const golden = JSON.parse(readFileSync(goldenPath('render', 'colorbar_ticks.json'), 'utf8')) as {
  cases: Case[];
};

describe('colour-bar ticks like matplotlib', () => {
  it.each(golden.cases.map((c) => [c.vmin, c.vmax, c.nbins, c] as const))(
    '[%d, %d] with %d bins: matplotlib’s ticks, labels and offset',
    (_a, _b, _n, c) => {
      const got = colorbarTicks(...colorbarRange(c.vmin, c.vmax), c.nbins);
      expect(got.labels).toEqual(c.labels);
      expect(got.offset).toBe(c.offset);
      expect(got.ticks).toHaveLength(c.ticks.length);
      got.ticks.forEach((t, i) =>
        expect(Math.abs(t - c.ticks[i]!)).toBeLessThanOrEqual(1e-12 * Math.abs(c.vmax - c.vmin)),
      );
    },
  );

  it('never writes two equal labels', () => {
    for (const c of golden.cases) {
      const { labels } = colorbarTicks(...colorbarRange(c.vmin, c.vmax), c.nbins);
      expect(new Set(labels).size).toBe(labels.length);
    }
  });

  it('the demo’s range no longer repeats labels (was 0.2, 0.2, 0.1, 0.0, -0.1, -0.2, -0.2)', () => {
    expect(colorbarTicks(-0.23, 0.23, 5).labels).toEqual(['−0.2', '−0.1', '0.0', '0.1', '0.2']);
  });

  it('a flat map’s bar spans ±10 % of its value, labelled as matplotlib does', () => {
    // the same cases are in the golden set (matplotlib 3.6, Normalize(v, v))
    const at = (v: number) => colorbarTicks(...colorbarRange(v, v), 5);
    expect(colorbarRange(0, 0)).toEqual([-0.1, 0.1]);
    expect(at(0).labels).toEqual(['−0.10', '−0.05', '0.00', '0.05', '0.10']);
    expect(at(5).labels).toEqual(['4.6', '4.8', '5.0', '5.2', '5.4']);
    expect(at(-2e-6)).toMatchObject({ labels: ['−2.2', '−2.1', '−2.0', '−1.9', '−1.8'], offset: '1e−6' });
  });

  it('picks matplotlib’s bin count from the bar height and font size', () => {
    expect(autoBins(400, 10)).toBe(9);
    expect(autoBins(100, 10)).toBe(5);
    expect(autoBins(10, 10)).toBe(1);
  });

  it('divides as Python does', () => {
    expect(pyDivmod(-0.25, 0.1)).toEqual([-3, expect.closeTo(0.05, 15) as number]);
    expect(pyDivmod(7, 2)).toEqual([3, 1]);
  });
});
