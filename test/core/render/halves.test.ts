/**
 * A picture drawn and deflated in two halves (renderPngHalf, as two map workers make it) joins into renderPng's
 * very bytes, for every identity case tall enough to be split, uncached and with a warm plan cache.
 */
import { createPlanCache, joinHalves, renderPng, renderPngHalf, topRows } from '../../../lib/core/render';
import { DEFAULT_PNG } from '../../../lib/core/render/png';
import { identityCases } from './identity-cases';

const png = { ...DEFAULT_PNG, sync: true };
const tall = identityCases().filter((c) => topRows(c.options.size) < c.options.size);

it('has tall cases of every kind to split', () => {
  expect(tall.length).toBeGreaterThanOrEqual(12);
  expect(identityCases().some((c) => topRows(c.options.size) === c.options.size)).toBe(true);
});

describe.each(tall.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  it('joins its two halves into the whole picture’s bytes', async () => {
    const cache = createPlanCache();
    // Uncached, then with a plan cache (warmed by the whole picture drawn first).
    for (const ctx of [
      { lut: c.lut, png },
      { lut: c.lut, png, cache },
    ]) {
      const whole = await renderPng(c.map, c.options, ctx);
      // The bottom first: a half must not depend on what the thread drew before.
      const bottom = renderPngHalf(c.map, c.options, 'bottom', ctx);
      const top = renderPngHalf(c.map, c.options, 'top', ctx);
      expect(joinHalves(top, bottom, c.options.size, c.options.size).equals(whole)).toBe(true);
    }
  });
});

it('refuses halves given in the wrong order or of another picture', () => {
  const c = tall[0];
  if (!c) throw new Error('no tall case');
  const top = renderPngHalf(c.map, c.options, 'top', { lut: c.lut, png });
  const bottom = renderPngHalf(c.map, c.options, 'bottom', { lut: c.lut, png });
  expect(() => joinHalves(bottom, top, c.options.size, c.options.size)).toThrow(/wrong order/);
  expect(() => joinHalves(top, bottom, c.options.size + 2, c.options.size + 2)).toThrow(/do not make/);
});
