import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { hasGlyph, textStrokes, textWidth } from '../../../lib/core/render/font';
import { colorbarTicks } from '../../../lib/core/render/ticks';
import { projectRoot } from '../../helpers/testdata';

const REQUIRED = '0123456789-.e+ /()_µ²ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('built-in stroke font', () => {
  it.each([...REQUIRED])('has a glyph for %p', (ch) => {
    expect(hasGlyph(ch)).toBe(true);
    if (ch !== ' ') expect(textStrokes(ch, 0, 0, 10).length).toBeGreaterThan(0);
    expect(textWidth(ch, 10)).toBeGreaterThan(0);
  });

  it('renders every tick label and offset text the colour bar can produce with known glyphs only', () => {
    const ranges: [number, number][] = [
      [-160, 121.7],
      [-0.04, 0.04],
      [1e-3, 2.5e-3],
      [-2.5e-7, 2.5e-7],
      [1000.1, 1000.6],
      [-3.2e12, 3.2e12],
    ];
    for (const [lo, hi] of ranges) {
      const { labels, offset } = colorbarTicks(lo, hi, 5);
      for (const ch of [...labels.join(''), ...offset]) expect(hasGlyph(ch)).toBe(true);
    }
  });

  it('keeps glyphs between cap height and descender, advancing left to right', () => {
    const size = 20;
    const lines = textStrokes('Tpg', 100, 50, size, 'start');
    const ys = lines.flat().map((p) => p[1]);
    expect(Math.min(...ys)).toBeGreaterThanOrEqual(50 - size * 0.8);
    expect(Math.max(...ys)).toBeLessThanOrEqual(50 + size * 0.3);
    const middle = textStrokes('abc', 100, 50, size, 'middle')
      .flat()
      .map((p) => p[0]);
    expect((Math.min(...middle) + Math.max(...middle)) / 2).toBeCloseTo(100, -1);
    expect(textStrokes('?', 0, 0, 10).length).toBe(1); // unknown characters draw a box, never vanish
  });

  it('writes a specimen to test/artifacts for inspection', async () => {
    const rows = [
      REQUIRED.slice(0, 26),
      REQUIRED.slice(26, 52),
      REQUIRED.slice(52),
      '-121.7 µV fT/cm V²/Hz 0.100 s',
    ];
    const d = rows
      .flatMap((row, i) => textStrokes(row, 10, 40 + i * 40, 28))
      .map((l) => 'M' + l.map(([x, y]) => `${x.toFixed(1)} ${y.toFixed(1)}`).join('L'))
      .join('');
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="180"><rect width="900" height="180" fill="#fff"/><path d="${d}" fill="none" stroke="#000" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
    mkdirSync(join(projectRoot, 'test', 'artifacts'), { recursive: true });
    const png = await sharp(Buffer.from(svg)).png().toBuffer();
    writeFileSync(join(projectRoot, 'test', 'artifacts', 'font_specimen.png'), png);
    expect((await sharp(png).metadata()).width).toBe(900);
  });
});
