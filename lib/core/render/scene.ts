/**
 * Assembles everything a renderer needs for one map: layout, raster plan (cacheable), the base canvas (background,
 * map image, colour bar) and the overlay display list.
 */
import type { RenderableMap, RenderOptions, TopomapGeometry } from '../topomap/types';
import { contourLines } from './contours';
import { makeLayout } from './layout';
import { buildOverlay } from './overlay';
import { blankCanvas, paintColorbar, paintMap, planRaster, type RasterPlan } from './raster';
import type { Layout, Lut, Stroke } from './types';

export interface Scene {
  layout: Layout;
  plan: RasterPlan;
  /** RGBA, straight alpha, layout.width × layout.height: background + map + colour bar. */
  canvas: Uint8Array;
  strokes: Stroke[];
}

/**
 * Raster plans keyed by geometry object, then by layout. Pass the same cache across requests that share a
 * geometry so a warm render skips the per-pixel precomputation; entries go away with their geometry.
 */
export type PlanCache = WeakMap<TopomapGeometry, Map<string, RasterPlan>>;

export const createPlanCache = (): PlanCache => new WeakMap();

function layoutKey(l: Layout): string {
  return [l.width, l.height, l.panel.x, l.panel.y, l.panel.width, ...l.view].join(',');
}

export function planFor(layout: Layout, geometry: TopomapGeometry, cache?: PlanCache): RasterPlan {
  const byLayout = cache?.get(geometry) ?? new Map<string, RasterPlan>();
  const key = layoutKey(layout);
  let plan = byLayout.get(key);
  if (!plan) {
    plan = planRaster(layout, geometry, geometry.clip);
    byLayout.set(key, plan);
    cache?.set(geometry, byLayout);
  }
  return plan;
}

export function buildScene(m: RenderableMap, o: RenderOptions, lut: Lut, cache?: PlanCache): Scene {
  const geometry = m.map.geometry;
  const layout = makeLayout(geometry, o);
  const plan = planFor(layout, geometry, cache);
  const canvas = blankCanvas(layout.width, layout.height, o.background);
  const { vmin, vmax, contourLevels } = m.scale;
  paintMap(plan, { grid: m.map.grid, vmin, vmax, lut }, canvas);
  paintColorbar(layout, lut, canvas);
  const contours = o.contours ? contourLines({ grid: m.map.grid, res: geometry.res, extent: geometry.extent }, contourLevels) : [];
  return { layout, plan, canvas, strokes: buildOverlay(layout, m, o, contours) };
}
