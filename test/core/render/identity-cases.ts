/**
 * The fixed set of maps whose rendered pixels are pinned by test/golden/render/canvas-hashes.json (made by
 * scripts/golden/make_render_hashes.ts with the renderer as it was before the render-speed work, checked by
 * identity.test.ts): the MNE render and visual goldens plus synthetic maps covering sizes 64…1000, contours on/off
 * (negative levels dashed), sensors, names, colour bar, title, both backgrounds, both outlines, ellipse and polygon
 * clips, NaN and ±inf cells, constant grids, a zero-width colour scale, other grid resolutions and 275 sensors.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { renderPng, toLut } from '../../../lib/core/render';
import { composeDirect } from '../../../lib/core/render/png';
import { buildScene } from '../../../lib/core/render/scene';
import type { RenderableMap, RenderOptions, Vec2 } from '../../../lib/core/topomap/types';
import { goldenPath } from '../../helpers/testdata';
import { KINDS, loadGolden, plainOptions, type RenderGolden, toMap } from './fixture';

export interface IdentityCase {
  name: string;
  map: RenderableMap;
  options: RenderOptions;
  lut: Uint8Array;
}

/** sha256 (hex) of the base canvas, of the canvas composed by composeDirect, and of the PNG and its decoded pixels. */
export interface CaseHashes {
  base: string;
  composed: string;
  pngPixels: string;
  png: string;
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const full = (size: number, extra: Partial<RenderOptions> = {}): RenderOptions =>
  plainOptions(size, { contours: true, sensors: true, colorbar: true, outlines: 'head', ...extra });

const everything = (size: number): RenderOptions =>
  full(size, { names: true, background: 'white', title: '0.100 s' });

const loadVisual = (name: string): RenderGolden =>
  JSON.parse(readFileSync(goldenPath('render', 'visual', `${name}.json`), 'utf8')) as RenderGolden;

/** A smooth field with positive and negative lobes on a res × res grid (row-major, row 0 at the bottom). */
export function waveGrid(res: number, amplitude: number): Float64Array {
  const grid = new Float64Array(res * res);
  for (let r = 0; r < res; r++) {
    for (let c = 0; c < res; c++) {
      const x = c / (res - 1) - 0.5;
      const y = r / (res - 1) - 0.5;
      grid[r * res + c] = amplitude * (Math.sin(7 * x + 1) * Math.cos(5 * y) + 0.6 * Math.sin(11 * x * y));
    }
  }
  return grid;
}

/** The same geometry and scale with another grid (possibly another resolution). */
function withGrid(m: RenderableMap, grid: Float64Array, res = m.map.geometry.res): RenderableMap {
  return { ...m, map: { ...m.map, grid, geometry: { ...m.map.geometry, res } } };
}

/** `m` with `n` sensors spread over the head on a sunflower spiral (a CTF-like 275-sensor layout for n = 275). */
export function manySensors(m: RenderableMap, n: number): RenderableMap {
  const [cx, cy, , radius] = m.map.geometry.sphere;
  const pos2d: Vec2[] = [];
  for (let k = 0; k < n; k++) {
    const r = radius * 0.95 * Math.sqrt((k + 0.5) / n);
    const a = k * 2.399963229728653;
    pos2d.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  const channelNames = pos2d.map((_, k) => `M${String(k).padStart(3, '0')}`);
  return { ...m, map: { ...m.map, geometry: { ...m.map.geometry, pos2d } }, channelNames };
}

/** The render goldens' maps with a matrix of options, the visual goldens with MNE's look, then synthetic maps. */
export function identityCases(): IdentityCase[] {
  const cases: IdentityCase[] = [];
  for (const kind of KINDS) {
    const g = loadGolden(kind);
    const m = toMap(g);
    const lut = toLut(g.lut);
    const add = (name: string, options: RenderOptions): void => {
      cases.push({ name: `${kind}/${name}`, map: m, options, lut });
    };
    add('bare-64', plainOptions(64));
    add('full-256', full(256));
    add('full-512', full(512));
    add('everything-1000', everything(1000));
    add('contours-white-no-outline-300', plainOptions(300, { contours: true, background: 'white' }));
    add('sensors-names-97', plainOptions(97, { sensors: true, names: true, outlines: 'head' }));
    add('colorbar-title-transparent-200', plainOptions(200, { colorbar: true, title: 'x' }));
  }
  const lutOf = (cmap: string): Uint8Array =>
    toLut(KINDS.map(loadGolden).find((g) => g.cmap === cmap)?.lut ?? loadGolden('eeg').lut);
  for (const name of ['eeg_head', 'eeg_local', 'mag', 'grad']) {
    const g = loadVisual(name);
    cases.push({
      name: `visual/${name}`,
      map: toMap(g),
      options: full(512, { colorbar: false, background: 'white' }),
      lut: lutOf(g.cmap),
    });
  }
  const eeg = loadGolden('eeg');
  const base = toMap(eeg);
  const lut = toLut(eeg.lut);
  const { vmin, vmax } = base.scale;
  const res = base.map.geometry.res;
  const synthetic = (name: string, map: RenderableMap, options: RenderOptions): void => {
    cases.push({ name: `synthetic/${name}`, map, options, lut });
  };
  synthetic('constant-no-contours-256', withGrid(base, new Float64Array(res * res).fill(5)), full(256));
  synthetic(
    'zero-width-scale-512',
    { ...withGrid(base, new Float64Array(res * res).fill(3)), scale: { ...base.scale, vmin: 3, vmax: 3 } },
    full(512),
  );
  synthetic('wave-res32-512', withGrid(base, waveGrid(32, vmax), 32), everything(512));
  synthetic('wave-res128-1000', withGrid(base, waveGrid(128, vmax), 128), full(1000));
  synthetic('wave-res128-64', withGrid(base, waveGrid(128, vmax), 128), full(64, { background: 'white' }));
  const holes = waveGrid(res, vmax);
  for (let r = 20; r < 30; r++) for (let c = 25; c < 33; c++) holes[r * res + c] = NaN;
  holes[40 * res + 40] = Infinity;
  holes[41 * res + 12] = -Infinity;
  synthetic('nan-inf-cells-512', withGrid(base, holes), full(512));
  const beyond = Float64Array.from(waveGrid(res, vmax * 1.5));
  synthetic('values-beyond-limits-300', withGrid(base, beyond), full(300, { background: 'white' }));
  synthetic('ctf275-512', manySensors(withGrid(base, waveGrid(res, vmax)), 275), full(512));
  synthetic(
    'ctf275-names-300',
    manySensors(withGrid(base, waveGrid(res, vmin)), 275),
    full(300, { names: true }),
  );
  return cases;
}

async function decodedPixels(png: Buffer): Promise<Buffer> {
  return sharp(png).ensureAlpha().raw().toBuffer();
}

/** The hashes of one case rendered uncached, through the default (asynchronous zlib) PNG path. */
export async function caseHashes(c: IdentityCase): Promise<CaseHashes> {
  const scene = buildScene(c.map, c.options, c.lut);
  const base = sha256(scene.canvas);
  const composed = sha256(composeDirect(scene));
  const png = await renderPng(c.map, c.options, { lut: c.lut });
  return { base, composed, pngPixels: sha256(await decodedPixels(png)), png: sha256(png) };
}

export { decodedPixels };

/** What canvas-hashes.json holds: the zlib that made the PNG bytes, and the hashes per case name. */
export interface HashFile {
  zlib: string;
  cases: Record<string, CaseHashes>;
}
