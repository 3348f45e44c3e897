/**
 * qhullDelaunaySimplices against scipy 1.10's Delaunay(pos, incremental=True).simplices (fixtures from
 * scripts/golden/make_qhull_order_golden.py): the MNE topomap golden layouts, all MNE standard montages and
 * seeded random sets. Where it answers, triangles, their order and the vertex order inside each must be
 * identical; it must decline (null) only on the layouts with co-circular sites listed below.
 */
import { readFileSync } from 'node:fs';
import { goldenPath } from '../../helpers/testdata';
import { delaunayMedianDistance } from '../../../lib/core/topomap/extrapolate';
import { qhullDelaunaySimplices } from '../../../lib/core/topomap/qhull-order';
import type { Vec2 } from '../../../lib/core/topomap/types';

interface OrderCase {
  name: string;
  pos: Vec2[];
  simplices: [number, number, number][];
  median_distance: number;
}

const fixture = JSON.parse(readFileSync(goldenPath('topomap', 'qhull-order.json'), 'utf8')) as { cases: OrderCase[] };

/** Symmetric montages: qhull merges co-circular sites and re-triangulates ('Qt'), which is not reproduced. */
const DECLINED = new Set([
  'biosemi16', 'biosemi32', 'biosemi64', 'biosemi128', 'biosemi160', 'biosemi256', 'easycap-M1', 'easycap-M10',
  'EGI_256', 'GSN-HydroCel-32', 'GSN-HydroCel-64_1.0', 'GSN-HydroCel-65_1.0', 'GSN-HydroCel-128',
  'GSN-HydroCel-129', 'GSN-HydroCel-256', 'GSN-HydroCel-257', 'brainproducts-RNP-BA-128',
].map((m) => `montage:${m}`));

describe('qhull vertex order of scipy Delaunay simplices', () => {
  it('covers the golden layouts, montages and random sets', () => {
    expect(fixture.cases.filter((c) => c.name.startsWith('golden:'))).toHaveLength(8);
    expect(fixture.cases.filter((c) => c.name.startsWith('montage:')).length).toBeGreaterThanOrEqual(27);
    expect(fixture.cases.filter((c) => /^(uniform|disc|unit-scale):/.test(c.name))).toHaveLength(30);
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const ours = qhullDelaunaySimplices(c.pos);
    if (DECLINED.has(name)) {
      expect(ours).toBeNull();
      return;
    }
    expect(Array.from(ours ?? [])).toEqual(c.simplices.flat());
  });

  it.each(fixture.cases.filter((c) => !DECLINED.has(c.name)).map((c) => [c.name, c] as const))(
    '%s: median spacing bit-identical to MNE',
    (_name, c) => {
      expect(delaunayMedianDistance(c.pos)).toBe(c.median_distance);
    },
  );

  // the fallback (median over all three edges of delaunator's triangles) is not MNE's value: measured 0 to 10.7 %
  // off on these montages (biosemi16 10.7 %, GSN-HydroCel-64_1.0 9.5 %, GSN-HydroCel-65_1.0 8.0 %)
  it('declined layouts fall back to the all-edge median (documented deviation up to 10.7 %)', () => {
    const declined = fixture.cases.filter((c) => DECLINED.has(c.name));
    const errors = declined.map((c) => Math.abs(delaunayMedianDistance(c.pos) / c.median_distance - 1));
    expect(errors).toHaveLength(DECLINED.size);
    expect(Math.max(...errors)).toBeLessThan(0.11);
  });
});
