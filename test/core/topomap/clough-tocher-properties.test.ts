/** Properties of the Clough–Tocher and linear interpolants that hold for any point set (fast-check). */
import fc from 'fast-check';
import { interpolateGrid, makeLocator } from '../../../lib/core/topomap/clough-tocher';
import { triangulate } from '../../../lib/core/topomap/triangulation';
import type { Vec2 } from '../../../lib/core/topomap/types';

const pointSet = fc
  .uniqueArray(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 })), {
    minLength: 5,
    maxLength: 40,
    selector: (p) => `${p[0]},${p[1]}`,
  })
  .map((pts) => pts.map(([x, y]) => [x / 1000, y / 1000] as Vec2));

const axis = Array.from({ length: 21 }, (_, i) => -1 + i * 0.1);

describe('interpolants on arbitrary triangulations', () => {
  test('cubic and linear reproduce linear data exactly inside the hull', () => {
    fc.assert(
      fc.property(
        pointSet,
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: -5, max: 5, noNaN: true }),
        (pts, a, b) => {
          const tri = triangulate(pts);
          fc.pre(tri.triangles.length > 0);
          const loc = makeLocator(tri);
          const values = pts.map(([x, y]) => a * x + b * y + 1);
          for (const method of ['cubic', 'linear'] as const) {
            const grid = interpolateGrid(loc, values, axis, axis, method);
            grid.forEach((v, i) => {
              const x = axis[i % axis.length]!;
              const y = axis[Math.floor(i / axis.length)]!;
              if (Number.isFinite(v))
                expect(Math.abs(v - (a * x + b * y + 1))).toBeLessThan(
                  1e-6 * (1 + Math.abs(a) + Math.abs(b)),
                );
            });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test('cubic interpolates the data at the data points', () => {
    fc.assert(
      fc.property(
        pointSet,
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 40, maxLength: 40 }),
        (pts, raw) => {
          const tri = triangulate(pts);
          fc.pre(tri.triangles.length > 0);
          const values = pts.map((_, i) => raw[i]!);
          const used = new Set(tri.triangles);
          const loc = makeLocator(tri);
          pts.forEach(([x, y], i) => {
            if (!used.has(i)) return;
            const v = interpolateGrid(loc, values, [x], [y], 'cubic')[0]!;
            expect(Math.abs(v - values[i]!)).toBeLessThan(1e-9 * 100);
          });
        },
      ),
      { numRuns: 40 },
    );
  });
});
