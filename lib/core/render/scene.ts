/**
 * Assembles everything a renderer needs for one map: layout, raster plan, the base canvas (background, map image,
 * colour bar) and the overlay display list split into what the data changes (contours, colour-bar labels, title)
 * and the decor that geometry, layout and options fix (outlines, sensors, names, colour-bar frame). Plans and
 * decor are cacheable across maps; a cached scene is identical to an uncached one.
 */
import type { RenderableMap, RenderOptions, TopomapGeometry } from '../topomap/types';
import { contourLines } from './contours';
import { makeLayout } from './layout';
import { dataStrokes, decorKey, decorStrokes } from './overlay';
import { blankCanvas, paintColorbar, paintMap, planRaster, type RasterPlan } from './raster';
import { strokeOps, type PixelOps } from './strokes';
import type { Layout, Lut, Stroke } from './types';

/** Overlay strokes fixed by geometry, layout and options, with their rasterisation made on first use. */
export interface Decor {
  strokes: Stroke[];
  /** Blend ops of `strokes` over the canvas (direct PNG engine); filled by `decorOps`. */
  ops?: PixelOps;
  /** SVG path data per stroke (SVG writer); filled by the writer on first use. */
  svgPaths?: string[];
}

export interface Scene {
  layout: Layout;
  plan: RasterPlan;
  /** RGBA, straight alpha, layout.width × layout.height: background + map + colour bar. */
  canvas: Uint8Array;
  /** The whole display list in drawing order: below, then decor, then above. */
  strokes: Stroke[];
  below: Stroke[];
  decor: Decor;
  above: Stroke[];
  /**
   * All-zero stroke accumulator of the canvas size shared by the scenes of one cached layout (kept all zero);
   * absent for canvases over SCRATCH_MAX_PIXELS, which allocate one per drawing.
   */
  scratch?: Float32Array;
}

/** What a cache keeps per layout of one geometry. */
interface LayoutEntry {
  plan: RasterPlan;
  decor: Map<string, Decor>;
  scratch?: Float32Array;
}

/**
 * Raster plans and decor keyed by geometry object, then by layout (and options). Pass the same cache across
 * requests that share a geometry so a warm render skips the per-pixel precomputation and the static overlay;
 * entries go away with their geometry, and each geometry keeps at most MAX_LAYOUTS layouts × MAX_DECORS decors.
 */
export type PlanCache = WeakMap<TopomapGeometry, Map<string, LayoutEntry>>;

export const createPlanCache = (): PlanCache => new WeakMap();

export const MAX_LAYOUTS = 8;
export const MAX_DECORS = 8;
/** Canvases up to 1024² keep a stroke accumulator (4 MB) with their cached layout. */
export const SCRATCH_MAX_PIXELS = 1024 * 1024;

function layoutKey(l: Layout): string {
  return [l.width, l.height, l.panel.x, l.panel.y, l.panel.width, ...l.view].join(',');
}

/** Looks `key` up in a small most-recently-used map, creating (and evicting the oldest) on a miss. */
function recent<V>(map: Map<string, V>, key: string, limit: number, create: () => V): V {
  const hit = map.get(key);
  if (hit !== undefined) {
    map.delete(key);
    map.set(key, hit);
    return hit;
  }
  const value = create();
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value as string);
  return value;
}

function layoutEntry(layout: Layout, geometry: TopomapGeometry, cache?: PlanCache): LayoutEntry {
  const fresh = (): LayoutEntry => ({
    plan: planRaster(layout, geometry, geometry.clip),
    decor: new Map(),
    scratch:
      layout.width * layout.height <= SCRATCH_MAX_PIXELS
        ? new Float32Array(layout.width * layout.height)
        : undefined,
  });
  if (!cache) return fresh();
  let byLayout = cache.get(geometry);
  if (!byLayout) {
    byLayout = new Map();
    cache.set(geometry, byLayout);
  }
  return recent(byLayout, layoutKey(layout), MAX_LAYOUTS, fresh);
}

export function planFor(layout: Layout, geometry: TopomapGeometry, cache?: PlanCache): RasterPlan {
  return layoutEntry(layout, geometry, cache).plan;
}

/** The decor's blend ops, rasterised on first use. */
export function decorOps(scene: Scene): PixelOps {
  scene.decor.ops ??= strokeOps(scene.layout, scene.decor.strokes, scene.plan.coverage, scene.scratch);
  return scene.decor.ops;
}

export function buildScene(m: RenderableMap, o: RenderOptions, lut: Lut, cache?: PlanCache): Scene {
  const geometry = m.map.geometry;
  const layout = makeLayout(geometry, o);
  const entry = layoutEntry(layout, geometry, cache);
  const { plan } = entry;
  const canvas = blankCanvas(layout.width, layout.height, o.background);
  const { vmin, vmax, contourLevels } = m.scale;
  paintMap(plan, { grid: m.map.grid, vmin, vmax, lut }, canvas);
  paintColorbar(layout, lut, canvas);
  const contours = o.contours
    ? contourLines({ grid: m.map.grid, res: geometry.res, extent: geometry.extent }, contourLevels)
    : [];
  const decor = recent(entry.decor, decorKey(m, o), MAX_DECORS, () => ({
    strokes: decorStrokes(layout, m, o),
  }));
  const { below, above } = dataStrokes(layout, m, o, contours);
  const strokes = [...below, ...decor.strokes, ...above];
  const scene: Scene = { layout, plan, canvas, strokes, below, decor, above };
  if (entry.scratch) scene.scratch = entry.scratch;
  return scene;
}
