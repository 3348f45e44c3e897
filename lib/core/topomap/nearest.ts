/** Nearest-neighbour grid (scipy NearestNDInterpolator on the sensors and extra points): no NaN anywhere. */

/** `points` flat [x0, y0, …]; returns `out[row * xs.length + col]`. Ties go to the lower index. */
export function nearestGrid(
  points: Float64Array,
  values: ArrayLike<number>,
  xs: readonly number[],
  ys: readonly number[],
): Float64Array {
  const n = points.length / 2;
  const out = new Float64Array(xs.length * ys.length);
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
      out[row * xs.length + col] = best < 0 ? NaN : (values[best] ?? NaN);
    });
  });
  return out;
}
