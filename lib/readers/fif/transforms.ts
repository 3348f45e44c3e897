/** 4x4 transform helpers for FIF coordinate transforms (row-major number[][]). */
import { Matrix, inverse } from 'ml-matrix';

/** General inverse, as MNE's `invert_transform` (np.linalg.inv). */
export function invert4x4(trans: number[][]): number[][] {
  return inverse(new Matrix(trans)).to2DArray();
}
