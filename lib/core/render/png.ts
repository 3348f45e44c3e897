/**
 * PNG output. Two ways to put the overlay on the base canvas:
 *  - 'direct' (default): strokes are anti-aliased straight into the RGBA buffer, then it is encoded;
 *  - 'librsvg': the overlay SVG is composited by sharp (librsvg) over the raw canvas, and sharp encodes.
 * The direct image is encoded by our own zlib PNG writer by default (no filter, deflate level 1 with memLevel 9,
 * synchronous in a map worker). Deflate is over half of a warm map's CPU. Measured 2026-12-06 on 512 px maps
 * with contours and sensors (demo EEG, CTF; 80 alternating runs, CPU p50): level 2 6.8 / 8.0 ms, level 1
 * 6.2 / 7.1 ms, level 1 + memLevel 9 5.8 / 6.4 ms, for a file 5 % larger than level 2's (238 / 271 kB against
 * 226 / 263 kB). Sub/Up filters, Z_RLE and Huffman-only were slower or much larger; sharp (zlib-ng) at level 1 is
 * no faster once its pipeline is counted and 40 % larger; adaptive filtering costs 2–3× the time. Pictures of 256
 * rows or more are deflated as two halves joined into one stream (png-encode.ts), so that two map workers can each
 * draw and deflate half of a map (renderPngHalf).
 */
import { createRequire } from 'node:module';
import type sharpModule from 'sharp';
import type { Clip } from '../topomap/types';
import { decorOps, type Scene } from './scene';
import { encodeRgbaPng, encodeRgbaPngAsync, type ZlibDeflater } from './png-encode';
import { applyOps, drawFlatStrokes, drawStrokes } from './strokes';
import { sceneToSvg } from './svg';

type Sharp = ReturnType<typeof sharpModule>;

let loadedSharp: typeof sharpModule | undefined;
/**
 * sharp, loaded on first use: only the 'sharp' encoder and the 'librsvg' engine need it, and loading libvips
 * costs a process about 19 MB of RSS (measured) that the default path (our zlib writer) never uses.
 */
function sharp(...args: Parameters<typeof sharpModule>): Sharp {
  loadedSharp ??= createRequire(__filename)('sharp') as typeof sharpModule;
  return loadedSharp(...args);
}

export type OverlayEngine = 'direct' | 'librsvg';

export interface PngSettings {
  /** 'zlib': our PNG writer (filter none); 'sharp': libvips/libspng. The librsvg engine always encodes with sharp. */
  encoder?: 'zlib' | 'sharp';
  /**
   * zlib only: deflate in the calling thread instead of libuv's thread pool. Right in a map worker thread, whose
   * only job is this map: no hop to a pool thread (shared with file reads) and back.
   */
  sync?: boolean;
  compressionLevel: number;
  /** zlib only: deflate's memLevel (1–9; zlib's default 8). 9 hashes more and finds matches sooner. */
  memLevel?: number;
  /**
   * zlib encoder only: a synchronous deflater used instead of Node's zlib (level and memLevel then unused), in the
   * calling thread even without `sync` (it is faster than a hop to libuv's pool).
   */
  deflater?: ZlibDeflater;
  /** sharp only. */
  adaptiveFiltering: boolean;
}

export const DEFAULT_PNG: PngSettings = {
  encoder: 'zlib',
  compressionLevel: 1,
  memLevel: 9,
  adaptiveFiltering: false,
};

const raw = (scene: Scene, pixels: Uint8Array): Sharp =>
  sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), {
    raw: { width: scene.layout.width, height: scene.layout.height, channels: 4 },
  });

/**
 * Overlay drawn over the canvas: contours, then the decor's cached blend ops, then labels and title (the same
 * pixels as drawing `scene.strokes` in order). Draws into a copy unless `inPlace` (the scene's canvas is spent).
 */
export function composeDirect(scene: Scene, inPlace = false): Uint8Array {
  const pixels = inPlace ? scene.canvas : scene.canvas.slice();
  const { layout, plan, scratch, band } = scene;
  drawFlatStrokes(layout, scene.contours, plan.strokeCoverage, pixels, scratch, band);
  applyOps(decorOps(scene), pixels, band && { from: band.from * layout.width, to: band.to * layout.width });
  drawStrokes(layout, scene.above, plan.strokeCoverage, pixels, scratch, band);
  return pixels;
}

/** Whether these settings encode the direct engine's image with zlib in the calling thread. */
export const encodesInPlace = (engine: OverlayEngine, settings: PngSettings): boolean =>
  engine === 'direct' &&
  (settings.encoder ?? 'zlib') === 'zlib' &&
  (settings.sync === true || settings.deflater !== undefined);

/**
 * PNG of the scene drawn into its own canvas and deflated in the calling thread: the canvas is free once this
 * returns.
 */
export function encodeSpentSync(scene: Scene, settings: PngSettings): Buffer {
  return encodeHere(composeDirect(scene, true), scene, settings);
}

/** Our PNG writer on the scene's pixels in the calling thread (Node's zlib or the settings' deflater). */
const encodeHere = (pixels: Uint8Array, scene: Scene, settings: PngSettings): Buffer =>
  encodeRgbaPng(
    pixels,
    scene.layout.width,
    scene.layout.height,
    settings.compressionLevel,
    settings.memLevel,
    settings.deflater,
  );

/** PNG of the scene; with `spend` the direct engine draws into the scene's own canvas instead of a copy. */
export async function encodePng(
  scene: Scene,
  clip: Clip,
  engine: OverlayEngine = 'direct',
  settings: PngSettings = DEFAULT_PNG,
  spend = false,
): Promise<Buffer> {
  let image: Sharp;
  if (engine === 'direct') {
    const pixels = composeDirect(scene, spend);
    if ((settings.encoder ?? 'zlib') === 'zlib') {
      const { width, height } = scene.layout;
      return settings.sync || settings.deflater
        ? encodeHere(pixels, scene, settings)
        : encodeRgbaPngAsync(pixels, width, height, settings.compressionLevel, settings.memLevel);
    }
    image = raw(scene, pixels);
  } else {
    const overlay = Buffer.from(sceneToSvg(scene, { withImage: false, clip }));
    image = raw(scene, scene.canvas).composite([{ input: overlay, top: 0, left: 0 }]);
  }
  return image
    .png({ compressionLevel: settings.compressionLevel, adaptiveFiltering: settings.adaptiveFiltering })
    .toBuffer();
}
