/**
 * Assembles everything a renderer needs for one map: layout, raster plan, the base canvas (background, map image,
 * colour bar) and the overlay display list split into what the data changes (contours, colour-bar labels, title)
 * and the decor that geometry, layout and options fix (outlines, sensors, names, colour-bar frame). Plans and
 * decor are cacheable across maps; a cached scene is identical to an uncached one.
 */
import { createHash, type Hash } from 'node:crypto';
import type { RenderableMap, RenderOptions, TopomapGeometry, Vec2 } from '../topomap/types';
import { contourPaths } from './contours';
import { makeLayout } from './layout';
import { dataStrokes, decorKey, decorStrokes, flatStrokeList } from './overlay';
import { blankCanvas, lentCanvas, paintColorbar, paintMap, planRaster, type RasterPlan } from './raster';
import { strokeOps, type PixelOps } from './strokes';
import type { FlatStrokes, Layout, Lut, RowBand, Stroke } from './types';

/** Overlay strokes fixed by geometry, layout and options, with their rasterisation made on first use. */
export interface Decor {
  strokes: Stroke[];
  /** Blend ops of `strokes` over the canvas (direct PNG engine); filled by `decorOps`. */
  ops?: PixelOps;
  /** SVG path data per stroke (SVG writer); filled by the writer on first use. */
  svgPaths?: string[];
  /** Bytes of `ops` and `svgPaths` once made (counted in the cache). */
  bytes?: number;
}

export interface Scene {
  layout: Layout;
  plan: RasterPlan;
  /** RGBA, straight alpha, layout.width × layout.height: background + map + colour bar. */
  canvas: Uint8Array;
  /** The whole display list in drawing order: below, then decor, then above (made on first use). */
  readonly strokes: Stroke[];
  /** The contour strokes as Stroke objects (made on first use from `contours`). */
  readonly below: Stroke[];
  /** The contour strokes as drawn: flat pixel coordinates, no object per point. */
  contours: FlatStrokes;
  decor: Decor;
  above: Stroke[];
  /**
   * All-zero stroke accumulator of the canvas size shared by every scene of that size (kept all zero); absent for
   * canvases over SCRATCH_MAX_PIXELS, which allocate one per drawing.
   */
  scratch?: Float32Array;
  /** Counts bytes made for the decor (blend ops, SVG paths) against the cache that holds it. */
  charge?: (bytes: number) => void;
  /** The rows painted and to draw when the scene is one band of the picture (the rest of the canvas is background). */
  band?: RowBand;
}

/** What a cache keeps per plan: the raster plan and the decors drawn over it. */
interface LayoutEntry {
  /** Its key in the cache ('' when uncached). */
  key: string;
  plan: RasterPlan;
  decor: Map<string, Decor>;
  /** Bytes held: the plan's arrays, then each decor's blend ops once rasterised. */
  bytes: number;
}

/**
 * Raster plans and decor keyed by CONTENT: the layout, the grid's resolution and extent and the clip shape for a
 * plan; the options and the outline, sensor and name positions for a decor. Recordings that share a montage (or
 * only a head outline and clip, as EEG maps with other sensor positions do) share them whatever geometry object
 * they come with. Pass the same cache across requests so a warm render skips the per-pixel precomputation and the
 * static overlay. Bounded: at most `maxEntries` plans and about `maxBytes` of plans and blend ops (least recently
 * used first out), each plan with at most MAX_DECORS decors.
 */
export interface PlanCache {
  readonly entries: Map<string, LayoutEntry>;
  bytes: number;
  readonly maxEntries: number;
  readonly maxBytes: number;
}

export const MAX_PLANS = 32;
export const MAX_PLAN_BYTES = 48 * 1024 * 1024;
export const MAX_DECORS = 8;

export const createPlanCache = (limits: { maxEntries?: number; maxBytes?: number } = {}): PlanCache => ({
  entries: new Map(),
  bytes: 0,
  maxEntries: limits.maxEntries ?? MAX_PLANS,
  maxBytes: limits.maxBytes ?? MAX_PLAN_BYTES,
});

/** Canvases up to 1024² share a stroke accumulator of their size (4 MB), kept all zero between uses. */
export const SCRATCH_MAX_PIXELS = 1024 * 1024;
/** Accumulators kept, by pixel count (drawing is synchronous, so one per size serves every scene). */
const MAX_SCRATCH_SIZES = 2;
const scratchBySize = new Map<number, Float32Array>();

function sharedScratch(pixels: number): Float32Array | undefined {
  if (pixels > SCRATCH_MAX_PIXELS) return undefined;
  return recent(scratchBySize, pixels, MAX_SCRATCH_SIZES, () => new Float32Array(pixels));
}

function layoutKey(l: Layout): string {
  return [l.width, l.height, l.panel.x, l.panel.y, l.panel.width, ...l.view].join(',');
}

/** Feeds numbers to a hash as their exact float64 bits. */
function hashNumbers(hash: Hash, values: readonly number[]): void {
  hash.update(Float64Array.from(values));
}

/** Feeds points to a hash as their coordinates' exact float64 bits (x0, y0, x1, y1, ...). */
function hashPoints(hash: Hash, points: readonly Vec2[]): void {
  const bits = new Float64Array(2 * points.length);
  points.forEach((p, k) => {
    bits[2 * k] = p[0];
    bits[2 * k + 1] = p[1];
  });
  hash.update(bits);
}

/**
 * Content keys already computed per geometry object, by what else they depend on (geometries are never modified
 * once made, and a warm map comes with the same geometry object), so a warm render hashes no points. At most
 * MAX_KEYS_PER_GEOMETRY per geometry (the oldest go first).
 */
const keysByGeometry = new WeakMap<TopomapGeometry, Map<string, string>>();
const MAX_KEYS_PER_GEOMETRY = 16;

function memoKey(geometry: TopomapGeometry, other: string, make: () => string): string {
  let keys = keysByGeometry.get(geometry);
  if (!keys) keysByGeometry.set(geometry, (keys = new Map()));
  return recent(keys, other, MAX_KEYS_PER_GEOMETRY, make);
}

/** Everything a raster plan depends on: layout, grid resolution and extent, clip shape. */
function planKey(layout: Layout, geometry: Pick<TopomapGeometry, 'extent' | 'res' | 'clip'>): string {
  const hash = createHash('sha1');
  hash.update(`${layoutKey(layout)}|${geometry.res}|${geometry.clip.kind}|`);
  hashNumbers(hash, geometry.extent);
  const { clip } = geometry;
  if (clip.kind === 'polygon') hashPoints(hash, clip.points);
  else hashNumbers(hash, [...clip.center, ...clip.radii]);
  return hash.digest('base64');
}

/** Everything the decor depends on besides the plan: options, names, and the outline and sensor positions drawn. */
function decorContentKey(m: RenderableMap, o: RenderOptions): string {
  const hash = createHash('sha1');
  hash.update(decorKey(m, o));
  const g = m.map.geometry;
  if (o.outlines === 'head') {
    for (const line of [g.outlines.head, g.outlines.nose, g.outlines.earLeft, g.outlines.earRight]) {
      hash.update(`|${line.length}`);
      hashPoints(hash, line);
    }
  }
  if (o.sensors || o.names) {
    hash.update(`|${g.pos2d.length}`);
    hashPoints(hash, g.pos2d);
  }
  return hash.digest('base64');
}

/** The value under `key`, made the most recently used of its map (a Map iterates oldest first); undefined on a miss. */
function touched<K, V>(map: Map<K, V>, key: K): V | undefined {
  const hit = map.get(key);
  if (hit !== undefined) {
    map.delete(key);
    map.set(key, hit);
  }
  return hit;
}

/** Looks `key` up in a small most-recently-used map, creating (and evicting the oldest) on a miss. */
function recent<K, V>(map: Map<K, V>, key: K, limit: number, create: () => V): V {
  const hit = touched(map, key);
  if (hit !== undefined) return hit;
  const value = create();
  map.set(key, value);
  if (map.size > limit) map.delete(map.keys().next().value as K);
  return value;
}

const planBytes = (p: RasterPlan): number =>
  p.coverage.byteLength +
  p.strokeCoverage.byteLength +
  Object.values(p.covered).reduce((n: number, a: Int32Array | Uint8Array) => n + a.byteLength, 0) +
  [p.cols, p.rows].reduce(
    (n, t) => n + t.lo.byteLength + t.hi.byteLength + t.w.byteLength + t.inside.byteLength,
    0,
  );

/** Drops least recently used plans until the cache is within its bounds (the newest entry always stays). */
function trim(cache: PlanCache): void {
  for (const [key, entry] of cache.entries) {
    if (cache.entries.size <= 1) break;
    if (cache.entries.size <= cache.maxEntries && cache.bytes <= cache.maxBytes) break;
    cache.entries.delete(key);
    cache.bytes -= entry.bytes;
  }
}

function layoutEntry(layout: Layout, geometry: TopomapGeometry, cache?: PlanCache): LayoutEntry {
  const fresh = (key: string): LayoutEntry => {
    const plan = planRaster(layout, geometry, geometry.clip);
    return { key, plan, decor: new Map(), bytes: planBytes(plan) };
  };
  if (!cache) return fresh('');
  const key = memoKey(geometry, `plan|${layoutKey(layout)}`, () => planKey(layout, geometry));
  const hit = touched(cache.entries, key);
  if (hit) return hit;
  const entry = fresh(key);
  cache.entries.set(key, entry);
  cache.bytes += entry.bytes;
  trim(cache);
  return entry;
}

export function planFor(layout: Layout, geometry: TopomapGeometry, cache?: PlanCache): RasterPlan {
  return layoutEntry(layout, geometry, cache).plan;
}

/** The decor's blend ops, rasterised on first use (and counted in the cache's bytes). */
export function decorOps(scene: Scene): PixelOps {
  if (!scene.decor.ops) {
    scene.decor.ops = strokeOps(scene.layout, scene.decor.strokes, scene.plan.strokeCoverage, scene.scratch);
    const { index, grey, cov } = scene.decor.ops;
    scene.charge?.(index.byteLength + grey.byteLength + cov.byteLength);
  }
  return scene.decor.ops;
}

/**
 * The scene of one map. With `lend` its canvas is a reused one (raster.ts `lentCanvas`): only for a caller that is
 * done with the scene before it returns control (the synchronous PNG path), since the next lent scene of that size
 * overwrites it.
 */
export function buildScene(
  m: RenderableMap,
  o: RenderOptions,
  lut: Lut,
  cache?: PlanCache,
  lend = false,
  band?: RowBand,
): Scene {
  const geometry = m.map.geometry;
  const layout = makeLayout(geometry, o);
  const entry = layoutEntry(layout, geometry, cache);
  const { plan } = entry;
  const canvas = lend
    ? lentCanvas(layout.width, layout.height, o.background, band)
    : blankCanvas(layout.width, layout.height, o.background);
  const { vmin, vmax, contourLevels } = m.scale;
  paintMap(plan, { grid: m.map.grid, vmin, vmax, lut }, canvas, band);
  paintColorbar(layout, lut, canvas, band);
  const contours = o.contours
    ? contourPaths({ grid: m.map.grid, res: geometry.res, extent: geometry.extent }, contourLevels)
    : [];
  const decor = decorFor(entry, m, o, layout, cache);
  const { below: flat, above } = dataStrokes(layout, m, o, contours);
  let below: Stroke[] | undefined;
  let strokes: Stroke[] | undefined;
  const scene: Scene = {
    layout,
    plan,
    canvas,
    get strokes() {
      return (strokes ??= [...this.below, ...decor.strokes, ...above]);
    },
    get below() {
      return (below ??= flatStrokeList(flat));
    },
    contours: flat,
    decor,
    above,
  };
  const scratch = sharedScratch(layout.width * layout.height);
  if (scratch) scene.scratch = scratch;
  if (cache) scene.charge = (bytes) => chargeDecor(cache, entry, decor, bytes);
  if (band) scene.band = band;
  return scene;
}

/** The entry's decor for these options and positions (a most-recently-used map of MAX_DECORS per plan). */
function decorFor(
  entry: LayoutEntry,
  m: RenderableMap,
  o: RenderOptions,
  layout: Layout,
  cache?: PlanCache,
): Decor {
  const make = (): Decor => ({ strokes: decorStrokes(layout, m, o) });
  if (!cache) return make();
  const key = memoKey(m.map.geometry, `decor|${decorKey(m, o)}`, () => decorContentKey(m, o));
  const hit = touched(entry.decor, key);
  if (hit) return hit;
  const decor = make();
  entry.decor.set(key, decor);
  if (entry.decor.size > MAX_DECORS) {
    const [oldestKey, oldest] = entry.decor.entries().next().value as [string, Decor];
    entry.decor.delete(oldestKey);
    uncount(cache, entry, oldest.bytes ?? 0);
  }
  return decor;
}

function uncount(cache: PlanCache, entry: LayoutEntry, bytes: number): void {
  entry.bytes -= bytes;
  if (cache.entries.get(entry.key) === entry) cache.bytes -= bytes;
}

/** Adds bytes made for a decor to its entry and, while the entry is cached, to the cache (trimming it). */
function chargeDecor(cache: PlanCache, entry: LayoutEntry, decor: Decor, bytes: number): void {
  if (![...entry.decor.values()].includes(decor)) return; // evicted meanwhile: the cache no longer holds it
  decor.bytes = (decor.bytes ?? 0) + bytes;
  entry.bytes += bytes;
  if (cache.entries.get(entry.key) !== entry) return;
  cache.bytes += bytes;
  trim(cache);
}
