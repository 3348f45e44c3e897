/**
 * Topomap rendering: `renderPng` and `renderSvg` turn a RenderableMap into a `size × size` picture. The colour
 * table is the engine's LUT for `m.scale.cmap` unless the context passes one.
 */
import { badRequest, quoteValue } from '../errors';
import { colormapLut, isColormapName } from '../topomap/colormaps';
import type { RenderableMap, RenderOptions } from '../topomap/types';
import { toLut } from './colormap';
import {
  composeDirect,
  DEFAULT_PNG,
  encodePng,
  encodeSpentSync,
  encodesInPlace,
  type OverlayEngine,
  type PngSettings,
} from './png';
import { deflateHalf, topRows, type DeflatedHalf } from './png-encode';
import { buildScene, type PlanCache } from './scene';
import { sceneToSvg } from './svg';
import type { Lut } from './types';

export { createPlanCache, type PlanCache } from './scene';
export { toLut } from './colormap';
export { halfStreamBound, joinHalves, topRows, type DeflatedHalf, type ZlibDeflater } from './png-encode';
export type { Lut } from './types';

export interface RenderContext {
  /** Overrides the colour table of `m.scale.cmap`: 256 RGB rows or 768 packed bytes. */
  lut?: Lut | readonly (readonly number[])[];
  /** Reuse raster plans across maps with the same geometry and size. */
  cache?: PlanCache;
  engine?: OverlayEngine;
  png?: PngSettings;
}

function lutFor(m: RenderableMap, ctx: RenderContext): Lut {
  if (ctx.lut) return toLut(ctx.lut);
  const name = m.scale.cmap;
  if (!isColormapName(name)) throw badRequest(`unknown colour map ${quoteValue(name)}`);
  return toLut(colormapLut(name));
}

export async function renderPng(
  m: RenderableMap,
  o: RenderOptions,
  ctx: RenderContext = {},
): Promise<Buffer> {
  const engine = ctx.engine ?? 'direct';
  const settings = ctx.png ?? DEFAULT_PNG;
  // Deflated right here, the scene is done with before this call yields: its canvas can be a reused one.
  if (encodesInPlace(engine, settings))
    return encodeSpentSync(buildScene(m, o, lutFor(m, ctx), ctx.cache, true), settings);
  const scene = buildScene(m, o, lutFor(m, ctx), ctx.cache);
  // The scene is private to this call, so the overlay is drawn into its canvas.
  return encodePng(scene, m.map.geometry.clip, engine, settings, true);
}

/**
 * One half of renderPng's picture (direct engine, zlib): only the half's rows are drawn and deflated, so two
 * threads can each make one; joinHalves(top, bottom, size, size) gives renderPng's bytes. For pictures of at
 * least SPLIT_MIN_ROWS rows (topRows(size) < size). The deflated stream goes near the start of `into` when it fits
 * (deflateHalf).
 */
export function renderPngHalf(
  m: RenderableMap,
  o: RenderOptions,
  half: 'top' | 'bottom',
  ctx: RenderContext = {},
  into?: Uint8Array,
): DeflatedHalf {
  const settings = ctx.png ?? DEFAULT_PNG;
  const split = topRows(o.size);
  const band = half === 'top' ? { from: 0, to: split } : { from: split, to: o.size };
  const scene = buildScene(m, o, lutFor(m, ctx), ctx.cache, true, band);
  const { width, height } = scene.layout;
  return deflateHalf(
    composeDirect(scene, true),
    width,
    height,
    half,
    settings.compressionLevel,
    settings.memLevel,
    into,
    settings.deflater,
  );
}

export function renderSvg(m: RenderableMap, o: RenderOptions, ctx: RenderContext = {}): string {
  const scene = buildScene(m, o, lutFor(m, ctx), ctx.cache);
  return sceneToSvg(scene, { withImage: true, clip: m.map.geometry.clip });
}
