/** MATLAB v7.3 (HDF5) MAT-files: not yet decoded. */
import { unsupportedFormat } from '../../core/errors';
import type { MatVariables } from '../mat/types';

export async function readMat73(_bytes: Uint8Array, name: string): Promise<MatVariables> {
  throw unsupportedFormat(`${name}: MATLAB v7.3 files are not supported yet`);
}
