/**
 * MNE 1.3's `_topo_to_sphere` for the 2-D electrode positions of a CNT header, in float32 as MNE computes
 * it (the header's floats stay float32 through every step): scaled by the largest radius, centred on the
 * mean, mapped to [−1, 1], lifted onto the unit sphere (z = sin(arccos(r))). MNE calls the result metres.
 */
const f = Math.fround;

/** numpy's pairwise summation of float32 values (blocks of 8 accumulators, halves above 128). */
function pairwiseSum(a: Float32Array, lo: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = f(res + (a[lo + i] ?? 0));
    return res;
  }
  if (n <= 128) {
    const r = Array.from({ length: 8 }, (_, j) => a[lo + j] ?? 0);
    const whole = n - (n % 8);
    for (let i = 8; i < whole; i += 8) {
      for (let j = 0; j < 8; j++) r[j] = f((r[j] ?? 0) + (a[lo + i + j] ?? 0));
    }
    const [r0 = 0, r1 = 0, r2 = 0, r3 = 0, r4 = 0, r5 = 0, r6 = 0, r7 = 0] = r;
    let res = f(f(f(r0 + r1) + f(r2 + r3)) + f(f(r4 + r5) + f(r6 + r7)));
    for (let i = whole; i < n; i++) res = f(res + (a[lo + i] ?? 0));
    return res;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return f(pairwiseSum(a, lo, half) + pairwiseSum(a, lo + half, n - half));
}

const mean32 = (a: Float32Array): number => f(f(0 + pairwiseSum(a, 0, a.length)) / a.length);

/** Unit-sphere xyz for each channel (all CNT channels are EEG under MNE's defaults). */
export function topoToSphere(xy: readonly { x: number; y: number }[]): [number, number, number][] {
  const xs = Float32Array.from(xy, (p) => p.x);
  const ys = Float32Array.from(xy, (p) => p.y);
  let sqs = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const r = f(Math.sqrt(f(f((xs[i] ?? 0) ** 2) + f((ys[i] ?? 0) ** 2))));
    // np.max propagates NaN.
    sqs = Number.isNaN(r) || Number.isNaN(sqs) ? NaN : Math.max(sqs, r);
  }
  for (let i = 0; i < xs.length; i++) {
    xs[i] = (xs[i] ?? 0) / sqs;
    ys[i] = (ys[i] ?? 0) / sqs;
  }
  const dx = f(0.5 - mean32(xs));
  const dy = f(0.5 - mean32(ys));
  return Array.from(xs, (x0, i) => {
    const x = f(f(f(x0 + dx) * 2) - 1);
    const y = f(f(f((ys[i] ?? 0) + dy) * 2) - 1);
    const rr = f(Math.sqrt(f(f(x * x) + f(y * y))));
    const r = Number.isNaN(rr) ? NaN : Math.min(Math.max(rr, 0), 1);
    const z = f(Math.sin(f(Math.acos(r))));
    return [x, y, z];
  });
}
