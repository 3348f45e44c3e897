import { colorOf, toLut } from '../../../lib/core/render/colormap';
import { makeLayout } from '../../../lib/core/render/layout';
import { blankCanvas, paintMap, planRaster } from '../../../lib/core/render/raster';
import type { Layout } from '../../../lib/core/render/types';
import type { RenderableMap } from '../../../lib/core/topomap/types';
import { aggPixels, KINDS, loadGolden, plainOptions, toMap, type RenderGolden } from './fixture';

function render(
  m: RenderableMap,
  lut: number[][],
  size: number,
  background: 'transparent' | 'white' = 'transparent',
) {
  const g = m.map.geometry;
  const layout = makeLayout(g, plainOptions(size, { outlines: 'head', background }));
  const plan = planRaster(layout, g, g.clip);
  const canvas = blankCanvas(size, size, background);
  paintMap(plan, { grid: m.map.grid, vmin: m.scale.vmin, vmax: m.scale.vmax, lut: toLut(lut) }, canvas);
  return { layout, plan, canvas };
}

/** imshow's bilinear rule written out independently: grid sample (r, c) sits at the centre of cell (r, c). */
function gridValueAt(gold: RenderGolden, x: number, y: number): number {
  const [x0, x1, y0, y1] = gold.extent;
  const n = gold.res;
  const clamp = (u: number) => Math.min(Math.max(u, 0), n - 1);
  const u = clamp(((x - x0) / (x1 - x0)) * n - 0.5);
  const v = clamp(((y - y0) / (y1 - y0)) * n - 0.5);
  const c = Math.min(Math.floor(u), n - 2);
  const r = Math.min(Math.floor(v), n - 2);
  const z = (rr: number, cc: number) => gold.grid_Z[rr * n + cc] ?? NaN;
  const fu = u - c;
  const fv = v - r;
  const bottom = z(r, c) * (1 - fu) + z(r, c + 1) * fu;
  const top = z(r + 1, c) * (1 - fu) + z(r + 1, c + 1) * fu;
  return bottom * (1 - fv) + top * fv;
}

const pixelCentre = (layout: Layout, px: number, py: number): [number, number] => [
  layout.view[0] + (px + 0.5 - layout.panel.x) / layout.scale,
  layout.view[3] - (py + 0.5 - layout.panel.y) / layout.scale,
];

describe.each(KINDS)('raster of the MNE %s map', (kind) => {
  const gold = loadGolden(kind);
  const m = toMap(gold);
  const size = gold.agg_size;
  const { layout, canvas } = render(m, gold.lut, size);
  const rgba = (px: number, py: number) =>
    Array.from(canvas.subarray((py * size + px) * 4, (py * size + px) * 4 + 4));

  it('uses the same data window as the golden rendering', () => {
    layout.view.forEach((v, i) => expect(v).toBeCloseTo(gold.view[i] ?? NaN, 12));
  });

  it('has, at every sensor inside the clip, the colour the colormap gives for the grid value there', () => {
    // matplotlib snaps the image to whole pixels (stretching it by < 1 px), so the grid value "there" is taken
    // anywhere within one pixel of the sensor's pixel centre: the colour must be one the colormap gives in that range.
    const lut = toLut(gold.lut);
    const indexOf = (v: number) =>
      Math.min(255, Math.max(0, Math.floor(((v - gold.vmin) / (gold.vmax - gold.vmin)) * 256)));
    let checked = 0;
    for (const p of gold.pos2d) {
      const px = Math.floor((p[0] - layout.view[0]) * layout.scale);
      const py = Math.floor((layout.view[3] - p[1]) * layout.scale);
      const [r, g, b, a] = rgba(px, py);
      if (a !== 255) continue;
      const [x, y] = pixelCentre(layout, px, py);
      const d = 1 / layout.scale;
      const near = [-d, 0, d].flatMap((dx) =>
        [-d, 0, d].map((dy) => indexOf(gridValueAt(gold, x + dx, y + dy))),
      );
      const candidates = [];
      for (let k = Math.min(...near); k <= Math.max(...near); k++)
        candidates.push([lut[3 * k], lut[3 * k + 1], lut[3 * k + 2]]);
      expect(candidates).toContainEqual([r, g, b]);
      expect(colorOf(lut, gridValueAt(gold, x, y), gold.vmin, gold.vmax)).not.toBeNull();
      checked++;
    }
    expect(checked).toBeGreaterThan(gold.pos2d.length * 0.5);
  });

  it('matches matplotlib Agg imshow + clip pixel by pixel', () => {
    const { pixels, side } = aggPixels(gold);
    const step = gold.agg_step;
    const diffs: number[] = [];
    let alphaMismatch = 0;
    for (let j = 0; j < side; j++) {
      for (let i = 0; i < side; i++) {
        const ours = rgba(i * step, j * step);
        const k = (j * side + i) * 4;
        const theirs = [pixels[k], pixels[k + 1], pixels[k + 2], pixels[k + 3]] as number[];
        if ((ours[3] === 255 && theirs[3] === 0) || (ours[3] === 0 && theirs[3] === 255)) alphaMismatch++;
        if (ours[3] === 255 && theirs[3] === 255)
          diffs.push(Math.max(...[0, 1, 2].map((c) => Math.abs(ours[c]! - theirs[c]!))));
      }
    }
    diffs.sort((a, b) => a - b);
    const q = (f: number) => diffs[Math.floor(f * (diffs.length - 1))] ?? NaN;
    console.log(
      kind,
      'opaque pixels compared',
      diffs.length,
      'median',
      q(0.5),
      'p99',
      q(0.99),
      'max',
      q(1),
      'alpha mismatches',
      alphaMismatch,
    );
    expect(diffs.length).toBeGreaterThan(8000);
    // Agg weights are 8-bit fixed point, so ±1 colour step is the floor; measured p99 ≤ 2, max ≤ 4.
    expect(q(0.5)).toBeLessThanOrEqual(1);
    expect(q(0.99)).toBeLessThanOrEqual(3);
    expect(q(1)).toBeLessThanOrEqual(6);
    expect(alphaMismatch).toBe(0);
  });

  it('leaves pixels outside the clip transparent (or white), with anti-aliased partial coverage on the edge', () => {
    const white = render(m, gold.lut, size, 'white').canvas;
    const outside = insideClip(gold, layout);
    let partial = 0;
    let far = 0;
    let wrong = 0;
    for (let py = 0; py < size; py++) {
      for (let px = 0; px < size; px++) {
        const a = rgba(px, py)[3]!;
        if (a > 0 && a < 255) partial++;
        // A pixel whose 3×3 neighbourhood of pixel centres is all outside is clearly outside.
        const allOut = [-1, 0, 1].every((dx) =>
          [-1, 0, 1].every((dy) => !outside(px + 0.5 + dx, py + 0.5 + dy)),
        );
        if (!allOut) continue;
        far++;
        const o = (py * size + px) * 4;
        if (
          a !== 0 ||
          white[o] !== 255 ||
          white[o + 1] !== 255 ||
          white[o + 2] !== 255 ||
          white[o + 3] !== 255
        )
          wrong++;
      }
    }
    expect(wrong).toBe(0);
    expect(far).toBeGreaterThan(size * size * 0.1);
    expect(partial).toBeGreaterThan(size); // the edge is anti-aliased all the way round
  });

  it('makes pixels whose bilinear taps touch a NaN grid cell transparent', () => {
    const grid = Float64Array.from(m.map.grid);
    const mid = gold.res / 2;
    for (let r = mid - 3; r < mid + 3; r++)
      for (let c = mid - 3; c < mid + 3; c++) grid[r * gold.res + c] = NaN;
    const holed = render(toMap(gold, grid), gold.lut, size).canvas;
    const [x0, x1, y0, y1] = gold.extent;
    const cx = x0 + ((mid + 0.0) / gold.res) * (x1 - x0);
    const cy = y0 + ((mid + 0.0) / gold.res) * (y1 - y0);
    const px = Math.floor((cx - layout.view[0]) * layout.scale);
    const py = Math.floor((layout.view[3] - cy) * layout.scale);
    expect(rgba(px, py)[3]).toBe(255);
    expect(holed[(py * size + px) * 4 + 3]).toBe(0);
  });
});

/** Independent inside test of the golden clip patch at a panel pixel position. */
function insideClip(gold: RenderGolden, layout: Layout): (px: number, py: number) => boolean {
  return (px, py) => {
    const [x, y] = [layout.view[0] + px / layout.scale, layout.view[3] - py / layout.scale];
    const clip = gold.clip;
    if (clip.kind === 'ellipse')
      return ((x - clip.center[0]) / clip.radii[0]) ** 2 + ((y - clip.center[1]) / clip.radii[1]) ** 2 <= 1;
    let winding = false;
    const pts = clip.points;
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
      const [xi, yi] = pts[i]!;
      const [xj, yj] = pts[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) winding = !winding;
    }
    return winding;
  };
}

describe('colour index rule (matplotlib Normalize + 256-entry LUT)', () => {
  const lut = toLut(Array.from({ length: 256 }, (_, i) => [i, 255 - i, 0]));
  it.each([
    [-10, 0],
    [0, 0],
    [0.039, 0],
    [0.04, 1],
    [0.999, 25],
    [1, 25],
    [5, 128],
    [9.96, 254],
    [9.97, 255],
    [10, 255],
    [20, 255],
  ])('value %p in [0, 10] → index %p', (v, idx) => {
    expect(colorOf(lut, v, 0, 10)).toEqual([idx, 255 - idx, 0]);
  });
  it('NaN is transparent and vmin == vmax maps everything to the first colour', () => {
    expect(colorOf(lut, NaN, 0, 10)).toBeNull();
    expect(colorOf(lut, 3, 3, 3)).toEqual([0, 255, 0]);
  });
});
