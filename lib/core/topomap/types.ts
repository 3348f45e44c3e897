/**
 * Plain data passed between the topomap engine's steps (geometry → interpolation → scale → rendering).
 * Everything is in SI units and metres; no step hides state.
 */
import type { Triangulation } from './triangulation';

export type Vec2 = [number, number];
export type Vec3 = [number, number, number];
/** [x, y, z, r] in metres. */
export type Sphere = [number, number, number, number];

export type Interp = 'cubic' | 'linear' | 'nearest' | 'spline';
export type Extrapolate = 'auto' | 'local' | 'head' | 'box';
export type MapChannelType = 'eeg' | 'mag' | 'grad';

export type Clip = { kind: 'ellipse'; center: Vec2; radii: Vec2 } | { kind: 'polygon'; points: Vec2[] };

/** Head outline, nose and ears as polylines (MNE's `_make_head_outlines`). */
export interface Outlines {
  head: Vec2[];
  nose: Vec2[];
  earLeft: Vec2[];
  earRight: Vec2[];
  /** mask_pos: the head circle scaled so every sensor fits. */
  mask: Vec2[];
  clipRadius: Vec2;
  clipOrigin: Vec2;
}

/** Geometry that depends only on channel positions and options (cacheable per recording and parameters). */
export interface TopomapGeometry {
  sphere: Sphere;
  pos2d: Vec2[];
  outlines: Outlines;
  extrapolate: Exclude<Extrapolate, 'auto'>;
  /** Extra (extrapolation) points appended after the sensors in the triangulation. */
  extraPoints: Vec2[];
  /** [xmin, xmax, ymin, ymax] of the grid. */
  extent: [number, number, number, number];
  clip: Clip;
  res: number;
  /** Optional engine extras (added compatibly): the channel type, the 3-D locations that were projected (same
   *  frame as `sphere`, used by spline interpolation) and the median sensor spacing used for extra points. */
  chType?: MapChannelType;
  locs3d?: Vec3[];
  distance?: number;
  /** The interpolation triangulation (sensors then extra points) computeGeometry built with the extra points;
   *  prepareInterpolation uses it rather than triangulating again. */
  triangulation?: Triangulation;
}

/** An interpolated map: `grid[row * res + col]`, row 0 at ymin, NaN where the interpolant is undefined. */
export interface TopomapGrid {
  geometry: TopomapGeometry;
  values: number[];
  grid: Float64Array;
  interp: Interp;
}

/** The colour scale of a map. */
export interface ColorScale {
  vmin: number;
  vmax: number;
  cmap: string;
  contourLevels: number[];
}

/** Everything the renderers (PNG, SVG) need; JSON output is a projection of the same object. */
export interface RenderableMap {
  map: TopomapGrid;
  scale: ColorScale;
  channelNames: string[];
  /** Unit of `values` (e.g. 'V', 'T', 'T/m', 'V²/Hz', 'dB'). */
  unit: string;
  /** Unit for labels (e.g. 'µV', 'fT', 'fT/cm') and the factor from SI to it. */
  displayUnit: string;
  displayScale: number;
}

export interface RenderOptions {
  size: number;
  contours: boolean;
  sensors: boolean;
  names: boolean;
  colorbar: boolean;
  outlines: 'head' | 'none';
  background: 'transparent' | 'white';
  title?: string;
}
