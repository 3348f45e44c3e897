/** matplotlib `Normalize` + `Colormap(N=256)` applied to one value. */
import type { Lut } from './types';

export const LUT_SIZE = 256;

/** A LUT from 256 [r, g, b] rows (as in colormaps.json) or a packed 768-byte array. */
export function toLut(table: Uint8Array | readonly (readonly number[])[]): Lut {
  if (table instanceof Uint8Array) {
    if (table.length !== LUT_SIZE * 3) throw new RangeError(`LUT must hold ${LUT_SIZE}×3 bytes`);
    return table;
  }
  if (table.length !== LUT_SIZE) throw new RangeError(`LUT must have ${LUT_SIZE} rows`);
  const lut = new Uint8Array(LUT_SIZE * 3);
  table.forEach((row, i) => {
    for (let c = 0; c < 3; c++) lut[3 * i + c] = row[c] ?? 0;
  });
  return lut;
}

/**
 * Colour index of a value already normalised to [0, 1] by (v − vmin)/(vmax − vmin): floor(t·256), 256 → 255,
 * below range → 0, above → 255. NaN gives −1 (transparent).
 */
export function normIndex(t: number): number {
  if (Number.isNaN(t)) return -1;
  const x = t * LUT_SIZE;
  if (x < 0) return 0;
  if (x >= LUT_SIZE - 1) return LUT_SIZE - 1;
  return Math.floor(x);
}

/** Normalised position of v in [vmin, vmax]; matplotlib maps everything to 0 when vmin == vmax. */
export function normalise(v: number, vmin: number, vmax: number): number {
  return vmax === vmin ? (Number.isNaN(v) ? NaN : 0) : (v - vmin) / (vmax - vmin);
}

export function colorOf(lut: Lut, v: number, vmin: number, vmax: number): [number, number, number] | null {
  const i = normIndex(normalise(v, vmin, vmax));
  if (i < 0) return null;
  return [lut[3 * i] ?? 0, lut[3 * i + 1] ?? 0, lut[3 * i + 2] ?? 0];
}
