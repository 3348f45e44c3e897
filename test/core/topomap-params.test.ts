/** lib/core/topomap-params.ts: the canonical form of a query (ETags and the answer cache are keyed by it). */
import { normaliseQuery, topomapQuerySchema } from '../../lib/core/topomap-params';

describe('normalised topomap query', () => {
  it('sorts the parameters by name as localeCompare does (every name is lowercase ASCII)', () => {
    const names = Object.keys(topomapQuerySchema.shape);
    expect(names.length).toBeGreaterThan(20);
    expect(names.every((n) => /^[a-z]+$/.test(n))).toBe(true);
    const q = topomapQuerySchema.parse({ tmin: '0.1', tmax: '0.2', type: 'eeg', size: '256', contours: '6' });
    const keys = Object.keys(JSON.parse(normaliseQuery(q)) as Record<string, unknown>);
    expect(keys).toEqual([...Object.keys(q)].sort((a, b) => a.localeCompare(b)));
    expect(keys).not.toEqual(Object.keys(q)); // the control: the parsed query's own order is another one
  });

  it('gives one string for the same parameters in any order', () => {
    const a = topomapQuerySchema.parse({ tmin: '0.1', tmax: '0.2', size: '256' });
    const b = topomapQuerySchema.parse({ size: '256', tmax: '0.2', tmin: '0.1' });
    expect(normaliseQuery(a)).toBe(normaliseQuery(b));
  });
});
