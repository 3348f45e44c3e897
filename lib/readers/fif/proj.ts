/**
 * SSP projection operator (MNE's `io/proj.py:_make_projector` with include_active=True): scatter each projector's
 * vectors onto `channelNames` (zero for unlisted or bad channels), scale each to unit norm, orthogonalise by SVD,
 * keep singular vectors with S/S[0] > 1e-2, and return P = I − U·Uᵀ (nchan × nchan, row-major).
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import type { Projector } from '../types';
import { quoteValue, unreadableRecording } from '../../core/errors';

const RELATIVE_SINGULAR_VALUE_CUTOFF = 1e-2;

export function makeProjector(
  projectors: readonly Projector[],
  channelNames: readonly string[],
  bads: readonly string[] = [],
): number[][] {
  return projectorRows(
    projectors,
    channelNames,
    bads,
    channelNames.map((_, i) => i),
  );
}

/**
 * The rows `rows` (channel indices) of makeProjector's P, without the other rows: each entry is computed with
 * the operations of ml-matrix's `I.sub(U.mmul(Uᵀ))` in the same order (a dot product over the kept vectors from
 * 0, then subtracted from 1 or 0), so it has the same bits. A map needs the rows of its picks only.
 */
export function projectorRows(
  projectors: readonly Projector[],
  channelNames: readonly string[],
  bads: readonly string[],
  rows: readonly number[],
): number[][] {
  const nchan = channelNames.length;
  const columns = projectors.flatMap((p) => scatteredVectors(p, channelNames, new Set(bads)));
  const nonzero = columns.flatMap((v) => {
    const size = norm(v);
    return size > 0 ? [v.map((x) => x / size)] : [];
  });
  if (nonzero.length === 0) return rows.map((i) => channelNames.map((_, j) => (i === j ? 1 : 0)));
  const u = orthonormalBasis(nonzero, nchan);
  if (u.columns >= nchan)
    throw unreadableRecording(`${u.columns} projectors for ${nchan} channels leave no components`);
  const basis = u.to2DArray();
  return rows.map((i) => {
    const ui = basis[i] ?? [];
    return basis.map((uj, j) => (i === j ? 1 : 0) - dot(ui, uj));
  });
}

/** Σ a[k]·b[k] from 0, k ascending (ml-matrix's mmul order). */
function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] as number) * (b[k] as number);
  return s;
}

/** Each projector vector as a column over `channelNames`; channels not in the projector (or bad) get 0. */
function scatteredVectors(p: Projector, channelNames: readonly string[], bads: Set<string>): number[][] {
  if (new Set(p.channelNames).size !== p.channelNames.length) {
    throw unreadableRecording(`projector ${quoteValue(p.description)} names a channel twice`);
  }
  const index = new Map(p.channelNames.map((n, i) => [n, i]));
  return p.vectors.map((vec) =>
    channelNames.map((name) => {
      const i = index.get(name);
      return i === undefined || bads.has(name) ? 0 : (vec[i] ?? 0);
    }),
  );
}

function norm(v: readonly number[]): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

/** Left singular vectors of the nchan × nvec matrix whose singular values pass the relative cutoff. */
function orthonormalBasis(columns: number[][], nchan: number): Matrix {
  const a = new Matrix(nchan, columns.length);
  columns.forEach((col, j) => col.forEach((x, i) => a.set(i, j, x)));
  const svd = new SingularValueDecomposition(a, { autoTranspose: true });
  const s = svd.diagonal;
  const s0 = s[0] ?? 0;
  const keep = s.filter((x) => x / s0 > RELATIVE_SINGULAR_VALUE_CUTOFF).length;
  return svd.leftSingularVectors.subMatrix(0, nchan - 1, 0, keep - 1);
}
