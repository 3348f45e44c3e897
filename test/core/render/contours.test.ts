import fc from 'fast-check';
import { contourLines, drawableLevels } from '../../../lib/core/render/contours';
import type { Vec2 } from '../../../lib/core/topomap/types';
import { KINDS, loadGolden, toMap } from './fixture';

/** Distance from p to the nearest segment of any polyline. */
function distanceToLines(p: Vec2, lines: readonly Vec2[][]): number {
  let best = Infinity;
  for (const line of lines) {
    for (let k = 0; k + 1 < line.length; k++) {
      const [a, b] = [line[k]!, line[k + 1]!];
      const vx = b[0] - a[0];
      const vy = b[1] - a[1];
      const len2 = vx * vx + vy * vy;
      const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, ((p[0] - a[0]) * vx + (p[1] - a[1]) * vy) / len2));
      best = Math.min(best, Math.hypot(p[0] - a[0] - t * vx, p[1] - a[1] - t * vy));
    }
  }
  return best;
}

describe.each(KINDS)('contours of the MNE %s map vs matplotlib contour()', (kind) => {
  const gold = loadGolden(kind);
  const m = toMap(gold);
  const spec = { grid: m.map.grid, res: gold.res, extent: gold.extent };
  const ours = contourLines(spec, gold.contour_levels);

  it('draws exactly the levels matplotlib draws (strictly inside the grid range)', () => {
    expect(ours.map((c) => c.level)).toEqual(gold.contours.map((c) => c.level));
    for (const c of ours) expect(c.lines.length).toBeGreaterThan(0);
  });

  it('puts every vertex on matplotlib’s lines and covers all of theirs (to 1e-9 m), corner-masked cells included', () => {
    let maxOurs = 0;
    let maxTheirs = 0;
    ours.forEach((c, i) => {
      const theirs = gold.contours[i]!.lines;
      for (const line of c.lines)
        for (const p of line) maxOurs = Math.max(maxOurs, distanceToLines(p, theirs));
      for (const line of theirs)
        for (const p of line) maxTheirs = Math.max(maxTheirs, distanceToLines(p, c.lines));
      const count = (ls: Vec2[][]) => ls.reduce((n, l) => n + l.length, 0);
      expect(c.lines.map((l) => l.length).sort()).toEqual(theirs.map((l) => l.length).sort());
      expect(count(c.lines)).toBe(count(theirs));
    });
    console.log(
      kind,
      `max vertex distance ours→mpl ${maxOurs.toExponential(2)} m, mpl→ours ${maxTheirs.toExponential(2)} m`,
    );
    expect(maxOurs).toBeLessThan(1e-9);
    expect(maxTheirs).toBeLessThan(1e-9);
  });
});

describe('contour edge cases', () => {
  const gold = loadGolden('eeg');
  const spec = (grid: Float64Array) => ({ grid, res: gold.res, extent: gold.extent });

  it('draws nothing for flat data, for an all-NaN grid, or with no levels', () => {
    expect(contourLines(spec(new Float64Array(gold.res * gold.res).fill(3)), [1, 3, 5])).toEqual([]);
    expect(contourLines(spec(new Float64Array(gold.res * gold.res).fill(NaN)), [0])).toEqual([]);
    expect(contourLines(spec(toMap(gold).map.grid), [])).toEqual([]);
  });

  it('drops levels at or outside the finite range', () => {
    const grid = Float64Array.from({ length: 16 }, (_, i) => i);
    grid[5] = NaN;
    expect(drawableLevels(grid, [-1, 0, 0.5, 14.9, 15, 16])).toEqual([0.5, 14.9]);
  });

  it('closes a ring around a single peak; opens it where a cell has two NaN corners', () => {
    const res = 5;
    const grid = new Float64Array(res * res);
    grid[2 * res + 2] = 1;
    const [ring] = contourLines({ grid, res, extent: [0, 4, 0, 4] }, [0.5]);
    expect(ring?.lines).toHaveLength(1);
    const line = ring!.lines[0]!;
    expect(line[0]).toEqual(line[line.length - 1]);
    expect(line.map(([x, y]) => Math.hypot(x - 2, y - 2)).every((d) => d >= 0.49 && d <= 0.71)).toBe(true);
    grid[1 * res + 1] = NaN;
    const [viaDiagonal] = contourLines({ grid, res, extent: [0, 4, 0, 4] }, [0.5]);
    const closed = viaDiagonal!.lines[0]!; // corner_mask: the one-NaN cell is contoured as a triangle
    expect(closed[0]).toEqual(closed[closed.length - 1]);
    grid[1 * res + 2] = NaN;
    const [open] = contourLines({ grid, res, extent: [0, 4, 0, 4] }, [0.5]);
    const first = open!.lines[0]!;
    expect(first[0]).not.toEqual(first[first.length - 1]);
  });
});

describe('contour invariants on random grids', () => {
  it('puts every vertex on a grid edge or cell diagonal where the linear interpolant equals the level', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        // Values on a 1e-3 lattice and levels half a step off it, so no vertex sits exactly on a grid node.
        fc.array(
          fc.oneof(
            fc.integer({ min: -5000, max: 5000 }).map((v) => v / 1000),
            fc.constant(NaN),
          ),
          { minLength: 144, maxLength: 144 },
        ),
        fc.integer({ min: -4000, max: 4000 }).map((v) => v / 1000 + 0.0005),
        (res, values, level) => {
          const grid = Float64Array.from(values.slice(0, res * res));
          const extent = [0, res - 1, 0, res - 1] as const; // one unit per cell: vertices are in grid units
          for (const c of contourLines({ grid, res, extent }, [level])) {
            for (const [x, y] of c.lines.flat()) {
              const value = interpolantOnEdge(grid, res, x, y);
              expect(Math.abs(value - level)).toBeLessThan(1e-9 * (1 + Math.abs(level)) + 1e-9);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** Linear interpolation along whichever cell edge (or diagonal) the point lies on. */
function interpolantOnEdge(grid: Float64Array, res: number, x: number, y: number): number {
  const z = (r: number, c: number) => grid[r * res + c]!;
  const eps = 1e-9;
  const onX = Math.abs(x - Math.round(x)) < eps;
  const onY = Math.abs(y - Math.round(y)) < eps;
  if (onY) {
    const r = Math.round(y);
    const c = Math.min(Math.floor(x + eps), res - 2);
    return z(r, c) + (z(r, c + 1) - z(r, c)) * (x - c);
  }
  if (onX) {
    const c = Math.round(x);
    const r = Math.min(Math.floor(y + eps), res - 2);
    return z(r, c) + (z(r + 1, c) - z(r, c)) * (y - r);
  }
  const c = Math.floor(x);
  const r = Math.floor(y);
  const fx = x - c;
  const fy = y - r;
  // On the diagonal (r,c)–(r+1,c+1) when fx == fy, on (r,c+1)–(r+1,c) when fx + fy == 1 (the centre is on both).
  const main = Math.abs(fx - fy) < 1e-7 ? z(r, c) + (z(r + 1, c + 1) - z(r, c)) * fx : NaN;
  const anti = Math.abs(fx + fy - 1) < 1e-7 ? z(r, c + 1) + (z(r + 1, c) - z(r, c + 1)) * fy : NaN;
  return Number.isFinite(main) ? main : anti;
}
