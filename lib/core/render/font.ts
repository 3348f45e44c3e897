/**
 * A built-in single-stroke (Hershey-style) font, so text never depends on system fonts (AWS Lambda has none).
 * Glyph units: baseline y = 0, cap height 10, x-height 7, descender −3, y up. Each glyph is an advance width and
 * polylines given as flat [x0, y0, x1, y1, …] arrays; curves come from `arc`.
 */
import type { Vec2 } from '../topomap/types';

interface Glyph {
  advance: number;
  strokes: number[][];
}

/** Points of an elliptical arc from a0 to a1 degrees (counter-clockwise positive), flat. */
function arc(cx: number, cy: number, rx: number, ry: number, a0: number, a1: number): number[] {
  const steps = Math.max(4, Math.ceil(Math.abs(a1 - a0) / 15));
  const out: number[] = [];
  for (let k = 0; k <= steps; k++) {
    const a = ((a0 + ((a1 - a0) * k) / steps) * Math.PI) / 180;
    out.push(cx + rx * Math.cos(a), cy + ry * Math.sin(a));
  }
  return out;
}

const ring = (cx: number, cy: number, rx: number, ry: number): number[] => arc(cx, cy, rx, ry, 0, 360);
const g = (advance: number, ...strokes: number[][]): Glyph => ({ advance, strokes });

const DIGITS: Record<string, Glyph> = {
  '0': g(7, ring(3, 5, 3, 5)),
  '1': g(7, [1, 8, 3, 10, 3, 0]),
  '2': g(7, [...arc(3, 7.2, 2.8, 2.8, 160, -40), 0, 0, 6, 0]),
  '3': g(7, [...arc(3, 7.5, 2.7, 2.5, 150, -90), ...arc(3, 2.5, 3, 2.5, 90, -150)]),
  '4': g(7, [4.5, 0, 4.5, 10, 0, 3, 6.5, 3]),
  '5': g(7, [5.5, 10, 1, 10, 0.6, 5.6, ...arc(3, 3.2, 3, 3.2, 130, -140)]),
  '6': g(7, arc(3, 5, 3, 5, 70, 200), ring(3, 3, 3, 3)),
  '7': g(7, [0, 10, 6, 10, 2, 0]),
  '8': g(7, ring(3, 7.6, 2.6, 2.4), ring(3, 2.6, 3, 2.6)),
  '9': g(7, ring(3, 7, 3, 3), [6, 7, ...arc(3, 5, 3, 5, 0, -110)]),
};

const SYMBOLS: Record<string, Glyph> = {
  ' ': g(4),
  '-': g(6, [1, 4.5, 5, 4.5]),
  '+': g(7, [3, 1.5, 3, 7.5], [0, 4.5, 6, 4.5]),
  '.': g(2.5, ring(1, 0.5, 0.5, 0.5)),
  ',': g(2.5, [1.2, 0.8, 1.2, 0, 0.4, -1.6]),
  ':': g(2.5, ring(1, 0.5, 0.5, 0.5), ring(1, 6, 0.5, 0.5)),
  '/': g(6, [0, -1, 5, 11]),
  '(': g(4.5, [3.5, 11, 1.8, 8.5, 1.2, 5, 1.8, 1.5, 3.5, -1]),
  ')': g(4.5, [0.5, 11, 2.2, 8.5, 2.8, 5, 2.2, 1.5, 0.5, -1]),
  _: g(7, [0, -1.5, 6, -1.5]),
  µ: g(6.5, [0, 7, ...arc(2.5, 2.5, 2.5, 2.5, 180, 360), 5, 7], [5, 7, 5, 0], [0, 2.5, 0, -3]),
  '²': g(4.5, [...arc(1.75, 8.8, 1.4, 1.2, 160, -40), 0.3, 6, 3.3, 6]),
};

const UPPER: Record<string, Glyph> = {
  A: g(7.5, [0, 0, 3, 10, 6, 0], [1.1, 3.5, 4.9, 3.5]),
  B: g(7, [
    0,
    5,
    0,
    10,
    3.5,
    10,
    ...arc(3.5, 7.5, 2, 2.5, 90, -90),
    0,
    5,
    0,
    0,
    3.5,
    0,
    ...arc(3.5, 2.5, 2.5, 2.5, -90, 90),
  ]),
  C: g(7.5, arc(3.5, 5, 3.5, 5, 45, 315)),
  D: g(7.5, [0, 0, 0, 10, 2.5, 10, ...arc(2.5, 5, 3.5, 5, 90, -90), 0, 0]),
  E: g(6.5, [5, 10, 0, 10, 0, 0, 5, 0], [0, 5, 4, 5]),
  F: g(6.5, [5, 10, 0, 10, 0, 0], [0, 5, 4, 5]),
  G: g(8.5, [...arc(3.5, 5, 3.5, 5, 45, 340), 6.8, 4.5, 4, 4.5]),
  H: g(7.5, [0, 0, 0, 10], [6, 0, 6, 10], [0, 5, 6, 5]),
  I: g(4.5, [0, 10, 3, 10], [1.5, 10, 1.5, 0], [0, 0, 3, 0]),
  J: g(6, [4, 10, ...arc(2, 2.5, 2, 2.5, 0, -180)]),
  K: g(7, [0, 0, 0, 10], [5.5, 10, 0, 3.5], [1.8, 5.3, 5.5, 0]),
  L: g(6.5, [0, 10, 0, 0, 5, 0]),
  M: g(8.5, [0, 0, 0, 10, 3.5, 2, 7, 10, 7, 0]),
  N: g(7.5, [0, 0, 0, 10, 6, 0, 6, 10]),
  O: g(8.5, ring(3.5, 5, 3.5, 5)),
  P: g(7, [0, 0, 0, 10, 3.5, 10, ...arc(3.5, 7.25, 2.5, 2.75, 90, -90), 0, 4.5]),
  Q: g(8.5, ring(3.5, 5, 3.5, 5), [4, 2.5, 7, -0.5]),
  R: g(7, [0, 0, 0, 10, 3.5, 10, ...arc(3.5, 7.25, 2.5, 2.75, 90, -90), 0, 4.5], [3.2, 4.5, 6, 0]),
  S: g(7.5, [...arc(3, 7.5, 2.8, 2.5, 30, 270), ...arc(3, 2.5, 3, 2.5, 90, -150)]),
  T: g(7.5, [0, 10, 6, 10], [3, 10, 3, 0]),
  U: g(7.5, [0, 10, ...arc(3, 3, 3, 3, 180, 360), 6, 10]),
  V: g(7.5, [0, 10, 3, 0, 6, 10]),
  W: g(9.5, [0, 10, 2, 0, 4, 7, 6, 0, 8, 10]),
  X: g(7.5, [0, 10, 6, 0], [0, 0, 6, 10]),
  Y: g(7.5, [0, 10, 3, 5, 6, 10], [3, 5, 3, 0]),
  Z: g(7.5, [0, 10, 6, 10, 0, 0, 6, 0]),
};

const LOWER: Record<string, Glyph> = {
  a: g(6.5, ring(2.5, 3.5, 2.5, 3.5), [5, 7, 5, 0]),
  b: g(6.5, [0, 10, 0, 0], ring(2.5, 3.5, 2.5, 3.5)),
  c: g(6, arc(2.7, 3.5, 2.7, 3.5, 40, 320)),
  d: g(6.5, ring(2.5, 3.5, 2.5, 3.5), [5, 10, 5, 0]),
  e: g(6.5, [0, 3.5, 5, 3.5, ...arc(2.5, 3.5, 2.5, 3.5, 0, 320)]),
  f: g(5, [...arc(3, 8.5, 1.5, 1.5, 30, 180), 1.5, 0], [0, 7, 4, 7]),
  g: g(6.5, ring(2.5, 3.5, 2.5, 3.5), [5, 7, 5, -1, ...arc(2.5, -1, 2.5, 2, 0, -170)]),
  h: g(6.5, [0, 10, 0, 0], [0, 4.5, ...arc(2.5, 4.5, 2.5, 2.5, 180, 0), 5, 0]),
  i: g(2.5, [1, 0, 1, 7], [1, 9.3, 1, 9.8]),
  j: g(3.5, [2, 7, 2, -1.5, ...arc(0.5, -1.5, 1.5, 1.5, 0, -150)], [2, 9.3, 2, 9.8]),
  k: g(6, [0, 10, 0, 0], [4.5, 7, 0, 2.5], [1.6, 4, 5, 0]),
  l: g(2.5, [1, 10, 1, 0]),
  m: g(
    9,
    [0, 7, 0, 0],
    [0, 5, ...arc(1.9, 5, 1.9, 2, 180, 0), 3.8, 0],
    [3.8, 5, ...arc(5.7, 5, 1.9, 2, 180, 0), 7.6, 0],
  ),
  n: g(6.5, [0, 7, 0, 0], [0, 4.5, ...arc(2.5, 4.5, 2.5, 2.5, 180, 0), 5, 0]),
  o: g(6.5, ring(2.6, 3.5, 2.6, 3.5)),
  p: g(6.5, [0, 7, 0, -3], ring(2.5, 3.5, 2.5, 3.5)),
  q: g(6.5, [5, 7, 5, -3], ring(2.5, 3.5, 2.5, 3.5)),
  r: g(5, [0, 7, 0, 0], [0, 4, ...arc(3, 4, 3, 3, 180, 60)]),
  s: g(6, [...arc(2.3, 5.2, 2.1, 1.8, 20, 270), ...arc(2.3, 1.75, 2.4, 1.75, 90, -160)]),
  t: g(5, [1.5, 9.5, 1.5, 1.5, ...arc(3, 1.5, 1.5, 1.5, 180, 300)], [0, 7, 4, 7]),
  u: g(6.5, [0, 7, ...arc(2.5, 2.5, 2.5, 2.5, 180, 360), 5, 7], [5, 7, 5, 0]),
  v: g(6.5, [0, 7, 2.5, 0, 5, 7]),
  w: g(8.5, [0, 7, 1.8, 0, 3.5, 5.5, 5.2, 0, 7, 7]),
  x: g(6.5, [0, 7, 5, 0], [0, 0, 5, 7]),
  y: g(6.5, [0, 7, 2.5, 0], [5, 7, 1.5, -3]),
  z: g(6.5, [0, 7, 5, 7, 0, 0, 5, 0]),
};

const GLYPHS: Record<string, Glyph> = {
  ...DIGITS,
  ...SYMBOLS,
  ...UPPER,
  ...LOWER,
  '−': SYMBOLS['-'] as Glyph,
};

/** Drawn for characters the font lacks: an empty box, so nothing is silently dropped. */
const MISSING = g(7, [0, 0, 6, 0, 6, 10, 0, 10, 0, 0]);

/** Cap height as a fraction of the font size (matches common sans fonts). */
const CAP = 0.72;
const UNITS_PER_CAP = 10;
/** Extra space between glyphs, in glyph units. */
const TRACKING = 0.6;

export const hasGlyph = (ch: string): boolean => ch in GLYPHS;

function glyphOf(ch: string): Glyph {
  return GLYPHS[ch] ?? MISSING;
}

/** Advance width of a string in pixels. */
export function textWidth(text: string, fontSize: number): number {
  const k = (CAP * fontSize) / UNITS_PER_CAP;
  let units = 0;
  for (const ch of text) units += glyphOf(ch).advance + TRACKING;
  return units * k;
}

/** Pen width that suits a font size. */
export const penWidth = (fontSize: number): number => Math.max(0.7, fontSize / 11);

export type Anchor = 'start' | 'middle' | 'end';

/** Polylines (canvas pixels, y down) drawing `text` with its baseline at y, anchored at x. */
export function textStrokes(
  text: string,
  x: number,
  y: number,
  fontSize: number,
  anchor: Anchor = 'start',
): Vec2[][] {
  const k = (CAP * fontSize) / UNITS_PER_CAP;
  const width = textWidth(text, fontSize);
  let penX = anchor === 'start' ? x : anchor === 'middle' ? x - width / 2 : x - width;
  const lines: Vec2[][] = [];
  for (const ch of text) {
    const glyph = glyphOf(ch);
    for (const flat of glyph.strokes) {
      const line: Vec2[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2)
        line.push([penX + (flat[i] as number) * k, y - (flat[i + 1] as number) * k]);
      lines.push(line);
    }
    penX += (glyph.advance + TRACKING) * k;
  }
  return lines;
}
