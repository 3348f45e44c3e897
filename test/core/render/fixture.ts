/** Loads the render golden files (MNE 1.3 topomap inputs + matplotlib's output) as RenderableMaps. */
import { readFileSync } from 'node:fs';
import type {
  Clip,
  RenderableMap,
  RenderOptions,
  TopomapGeometry,
  Vec2,
} from '../../../lib/core/topomap/types';
import { goldenPath } from '../../helpers/testdata';

export type MapKind = 'eeg' | 'mag' | 'grad';
export const KINDS: MapKind[] = ['eeg', 'mag', 'grad'];

export interface RenderGolden {
  ch_type: MapKind;
  ch_names: string[];
  sphere: [number, number, number, number];
  pos2d: Vec2[];
  extrapolate: 'head' | 'local' | 'box';
  extent: [number, number, number, number];
  res: number;
  clip: Clip;
  outlines: {
    head: Vec2[];
    nose: Vec2[];
    ear_left: Vec2[];
    ear_right: Vec2[];
    mask_pos: Vec2[];
    clip_radius: Vec2;
    clip_origin: Vec2;
  };
  vmin: number;
  vmax: number;
  contour_levels: number[];
  cmap: string;
  lut: number[][];
  grid_Z: (number | null)[];
  view: [number, number, number, number];
  agg_size: number;
  agg_step: number;
  agg_rgba_b64: string;
  contours: { level: number; lines: Vec2[][] }[];
}

export function loadGolden(kind: MapKind): RenderGolden {
  return JSON.parse(readFileSync(goldenPath('render', `${kind}.json`), 'utf8')) as RenderGolden;
}

const UNITS: Record<MapKind, string> = { eeg: 'µV', mag: 'fT', grad: 'fT/cm' };

export function toMap(g: RenderGolden, grid?: Float64Array): RenderableMap {
  const o = g.outlines;
  const geometry: TopomapGeometry = {
    sphere: g.sphere,
    pos2d: g.pos2d,
    outlines: {
      head: o.head,
      nose: o.nose,
      earLeft: o.ear_left,
      earRight: o.ear_right,
      mask: o.mask_pos,
      clipRadius: o.clip_radius,
      clipOrigin: o.clip_origin,
    },
    extrapolate: g.extrapolate,
    extraPoints: [],
    extent: g.extent,
    clip: g.clip,
    res: g.res,
  };
  return {
    map: {
      geometry,
      values: [],
      grid: grid ?? Float64Array.from(g.grid_Z, (v) => (v === null ? NaN : v)),
      interp: 'cubic',
    },
    scale: { vmin: g.vmin, vmax: g.vmax, cmap: g.cmap, contourLevels: g.contour_levels },
    channelNames: g.ch_names,
    unit: UNITS[g.ch_type],
    displayUnit: UNITS[g.ch_type],
    displayScale: 1,
  };
}

export const plainOptions = (size: number, extra: Partial<RenderOptions> = {}): RenderOptions => ({
  size,
  contours: false,
  sensors: false,
  names: false,
  colorbar: false,
  outlines: 'none',
  background: 'transparent',
  ...extra,
});

/** matplotlib's Agg rendering stored in the golden file (every agg_step-th pixel), RGBA. */
export function aggPixels(g: RenderGolden): { pixels: Buffer; side: number } {
  return { pixels: Buffer.from(g.agg_rgba_b64, 'base64'), side: g.agg_size / g.agg_step };
}
