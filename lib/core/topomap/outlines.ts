/** Head outline, nose, ears and the image mask, as MNE 1.3's `_make_head_outlines(sphere, pos, 'head', origin)`. */
import type { Outlines, Sphere, Vec2 } from './types';

const HEAD_POINTS = 101;
const EAR_X = [0.497, 0.51, 0.518, 0.5299, 0.5419, 0.54, 0.547, 0.532, 0.51, 0.489];
const EAR_Y = [0.0555, 0.0775, 0.0783, 0.0746, 0.0555, -0.0055, -0.0932, -0.1313, -0.1384, -0.1199];

/** numpy.linspace(start, stop, n) with the endpoint: start + i·step, the last value exactly `stop`. */
export function linspace(start: number, stop: number, n: number): number[] {
  if (n === 1) return [start];
  const step = (stop - start) / (n - 1);
  const out = Array.from({ length: n }, (_, i) => start + i * step);
  out[n - 1] = stop;
  return out;
}

export function makeHeadOutlines(sphere: Sphere, pos: readonly Vec2[], clipOrigin: Vec2): Outlines {
  const [x, y, , radius] = sphere;
  const angles = linspace(0, 2 * Math.PI, HEAD_POINTS);
  const unit: Vec2[] = angles.map((t) => [Math.cos(t), Math.sin(t)]);
  const head: Vec2[] = unit.map(([c, s]) => [c * radius + x, s * radius + y]);
  // MNE takes arccos of 12° in radians (sic), giving the nose's half-width
  const noseAngle = Math.acos((12 * Math.PI) / 180);
  const dx = Math.cos(noseAngle);
  const dy = Math.sin(noseAngle);
  const nose: Vec2[] = [
    [-dx * radius + x, dy * radius + y],
    [0 * radius + x, 1.15 * radius + y],
    [dx * radius + x, dy * radius + y],
  ];
  const earX = EAR_X.map((v) => v * (radius * 2));
  const earY = EAR_Y.map((v) => v * (radius * 2) + y);
  const maxNorm = pos.reduce((m, p) => Math.max(m, Math.hypot(p[0], p[1])), 0);
  // mask_scale is measured from (0, 0) and scales the head circle about (0, 0), as MNE does
  const maskScale = Math.max(1, (maxNorm * 1.01) / radius);
  const clip = radius * maskScale;
  return {
    head,
    nose,
    earLeft: earX.map((ex, i) => [-ex + x, earY[i]!]),
    earRight: earX.map((ex, i) => [ex + x, earY[i]!]),
    mask: unit.map(([c, s]) => [maskScale * (c * radius + x), maskScale * (s * radius + y)]),
    clipRadius: [clip, clip],
    clipOrigin: [clipOrigin[0], clipOrigin[1]],
  };
}
