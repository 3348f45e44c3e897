/** The shared-evaluation forms of the correctly rounded functions give exactly the separate functions' results. */
import fc from 'fast-check';
import { crAtan2, crAtan2CosSin, crCos, crCosSin, crSin } from '../../../lib/core/topomap/correct-rounding';

const same = (a: number, b: number): boolean => Object.is(a, b);
const edge = [0, -0, 1, -1, 1e-300, -1e-300, Infinity, -Infinity, NaN, 1e7, Math.PI, -Math.PI / 2];

describe('crCosSin and crAtan2CosSin', () => {
  test('crCosSin(x) is [crCos(x), crSin(x)]', () => {
    const check = (x: number): void => {
      const [cos, sin] = crCosSin(x);
      expect(same(cos, crCos(x)) && same(sin, crSin(x))).toBe(true);
    };
    edge.forEach(check);
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), (x) => check(x)),
      { numRuns: 2000 },
    );
  });

  test('crAtan2CosSin(y, x) is crAtan2 with crCos and crSin of it (sensor-like and edge inputs)', () => {
    const check = (y: number, x: number): void => {
      const got = crAtan2CosSin(y, x);
      const angle = crAtan2(y, x);
      expect([same(got.angle, angle), same(got.cos, crCos(angle)), same(got.sin, crSin(angle))]).toEqual([
        true,
        true,
        true,
      ]);
    };
    for (const y of edge) for (const x of edge) check(y, x);
    const coordinate = fc.double({ min: -0.2, max: 0.2, noNaN: true });
    fc.assert(
      fc.property(coordinate, coordinate, (y, x) => check(y, x)),
      { numRuns: 3000 },
    );
  });
});
