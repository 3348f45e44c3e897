/** Plain data shared by the renderers (raster, contours, overlay, SVG, PNG). Pixel space: x right, y down. */
import type { Vec2 } from '../topomap/types';

/** A colormap as 256 RGB triplets, `lut[3 * i + c]`. */
export type Lut = Uint8Array;

export type Rgb = [number, number, number];

/** An axis-aligned pixel rectangle. */
export interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where each part of the picture goes on a `width × height` canvas, and the data→pixel mapping of the map. */
export interface Layout {
  width: number;
  height: number;
  /** Square panel holding the map. */
  panel: PixelRect;
  /** Data window shown in the panel: [xmin, xmax, ymin, ymax] (square, metres). */
  view: [number, number, number, number];
  /** Pixels per metre. */
  scale: number;
  colorbar?: { bar: PixelRect; labelX: number; titleY: number; fontSize: number };
  title?: { x: number; y: number; fontSize: number };
}

/**
 * Rows from…to − 1 of a canvas. A render restricted to a band draws exactly those rows of the whole render (each
 * pixel's value depends only on the pixel), so two processes can each draw half of one picture.
 */
export interface RowBand {
  from: number;
  to: number;
}

/** How a stroke is drawn. */
export type Pen = Omit<Stroke, 'points'>;

/**
 * Strokes of one pen as flat pixel coordinates, without an object per point: stroke k is the points starts[k] …
 * starts[k + 1] − 1, point j at xy[2j], xy[2j + 1].
 */
export interface FlatStrokes {
  pen: Pen;
  xy: Float64Array;
  /** One more entry than there are strokes. */
  starts: Int32Array;
}

/** One polyline drawn with a round-capped pen, in pixel coordinates. */
export interface Stroke {
  points: Vec2[];
  width: number;
  closed: boolean;
  /** Clipped to the map's clip shape (contours). */
  clipped: boolean;
  /** Grey level 0 (black) … 255 and opacity 0…1. */
  grey: number;
  kind: 'outline' | 'contour' | 'sensor' | 'text' | 'frame';
}
