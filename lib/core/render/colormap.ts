/** Colour tables for the renderers: packed 256×3-byte LUTs, and one value's colour by matplotlib's rule. */
import { colorIndex, LUT_SIZE } from '../topomap/colormaps';
import type { Lut } from './types';

export { LUT_SIZE };

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

/** RGB of value v under Normalize(vmin, vmax) and the LUT (the engine's index rule); null where NaN. */
export function colorOf(lut: Lut, v: number, vmin: number, vmax: number): [number, number, number] | null {
  const i = colorIndex(v, vmin, vmax);
  if (i < 0) return null;
  return [lut[3 * i] ?? 0, lut[3 * i + 1] ?? 0, lut[3 * i + 2] ?? 0];
}
