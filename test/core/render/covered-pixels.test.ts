/**
 * paintMap walks a plan's covered pixels (full-coverage runs and edge pixels) instead of the coverage mask: they
 * must hold every covered pixel exactly once, with its coverage, in row order.
 */
import { makeLayout } from '../../../lib/core/render/layout';
import { planRaster, type RasterPlan } from '../../../lib/core/render/raster';
import { identityCases } from './identity-cases';

/** Coverage rebuilt from the runs and edge pixels (each pixel counted once, or marked 1000 when listed twice). */
function coverageFromCovered(plan: RasterPlan): Uint16Array {
  const side = plan.layout.panel.width;
  const { rowRuns, runs, rowEdges, edges, edgeCov } = plan.covered;
  const rebuilt = new Uint16Array(side * side);
  const put = (i: number, cov: number) => (rebuilt[i] = rebuilt[i] === 0 ? cov : 1000);
  for (let py = 0; py < side; py++) {
    for (let r = rowRuns[py]!; r < rowRuns[py + 1]!; r++)
      for (let px = runs[2 * r]!; px < runs[2 * r + 1]!; px++) put(py * side + px, 255);
    for (let e = rowEdges[py]!; e < rowEdges[py + 1]!; e++) put(py * side + edges[e]!, edgeCov[e]!);
  }
  return rebuilt;
}

describe.each(identityCases().map((c) => [c.name, c] as const))('%s', (_name, c) => {
  it('lists every covered pixel once with its coverage, runs and edges in column order', () => {
    const g = c.map.map.geometry;
    const plan = planRaster(makeLayout(g, c.options), g, g.clip);
    expect(Array.from(coverageFromCovered(plan))).toEqual(Array.from(plan.coverage));
    const { rowRuns, runs, rowEdges, edges, edgeCov } = plan.covered;
    for (let py = 0; py < plan.layout.panel.width; py++) {
      for (let r = rowRuns[py]!; r < rowRuns[py + 1]!; r++) {
        expect(runs[2 * r]!).toBeLessThan(runs[2 * r + 1]!);
        if (r > rowRuns[py]!) expect(runs[2 * r]!).toBeGreaterThan(runs[2 * r - 1]!); // runs are maximal
      }
      for (let e = rowEdges[py]! + 1; e < rowEdges[py + 1]!; e++)
        expect(edges[e]!).toBeGreaterThan(edges[e - 1]!);
    }
    expect(edgeCov.every((cov) => cov > 0 && cov < 255)).toBe(true);
  });
});
