/** Nearest-neighbour grid (scipy NearestNDInterpolator on the sensors and extra points): no NaN anywhere. */

/** `points` flat [x0, y0, …]; per grid point (`row * xs.length + col`) the nearest point, ties to the lower index. */
export function nearestIndices(
  points: Float64Array,
  xs: readonly number[],
  ys: readonly number[],
): Int32Array {
  const n = points.length / 2;
  const out = new Int32Array(xs.length * ys.length);
  ys.forEach((y, row) => {
    xs.forEach((x, col) => {
      let best = -1;
      let bestD = Infinity;
      for (let i = 0; i < n; i++) {
        const dx = points[2 * i]! - x;
        const dy = points[2 * i + 1]! - y;
        const d = dx * dx + dy * dy;
        if (d < bestD) {
          bestD = d;
          best = i;
        }
      }
      out[row * xs.length + col] = best;
    });
  });
  return out;
}

/** `values[index]` per grid point; NaN where there is no point (-1). */
export function valuesAt(indices: Int32Array, values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = indices[k]! < 0 ? NaN : (values[indices[k]!] ?? NaN);
  return out;
}

/** `points` flat [x0, y0, …]; returns `out[row * xs.length + col]`. Ties go to the lower index. */
export function nearestGrid(
  points: Float64Array,
  values: ArrayLike<number>,
  xs: readonly number[],
  ys: readonly number[],
): Float64Array {
  return valuesAt(nearestIndices(points, xs, ys), values);
}
