import fc from 'fast-check';
import '../../helpers/fast-check-seed';
import { checkDuplicatePositions } from '../../../lib/core/topomap/projection';
import type { Vec3 } from '../../../lib/core/topomap/types';

/** Every pair compared: the channels closer than 1e-10 m to another one, by index. */
function bruteForce(locs: Vec3[]): number[] {
  const clash = new Set<number>();
  for (let i = 0; i < locs.length; i++)
    for (let j = i + 1; j < locs.length; j++) {
      const [a, b] = [locs[i] as Vec3, locs[j] as Vec3];
      if (Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) < 1e-10) clash.add(i).add(j);
    }
  return [...clash].sort((x, y) => x - y);
}

function clashes(locs: Vec3[]): number[] {
  try {
    checkDuplicatePositions(locs);
    return [];
  } catch (e) {
    const channels = (e as { details: { channels: string[] } }).details.channels;
    return channels.map((c) => Number(c.slice(1)));
  }
}

const coordinate = fc.oneof(
  fc.constantFrom(0, 1e-11, 5e-11, 1e-10, -1e-11, 0.05, Number.NaN, Infinity),
  fc.double({ min: -0.1, max: 0.1 }),
);
const loc = fc.tuple(coordinate, coordinate, coordinate);

describe('duplicate sensor positions', () => {
  it('finds exactly the pairs closer than 1e-10 m (sweep equals all pairs)', () => {
    fc.assert(
      fc.property(fc.array(loc, { maxLength: 30 }), (locs) => {
        expect(clashes(locs as Vec3[])).toEqual(bruteForce(locs as Vec3[]));
      }),
      { numRuns: 400 },
    );
  });
});
