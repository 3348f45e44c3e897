/**
 * PNG output. Two ways to put the overlay on the base canvas:
 *  - 'direct' (default): strokes are anti-aliased straight into the RGBA buffer, then sharp encodes it;
 *  - 'librsvg': the overlay SVG is composited by sharp (librsvg) over the raw canvas.
 * Encoder settings chosen with bench/png.bench.ts (512 px, EEG map, 2-core EPYC; medians):
 *   compressionLevel 1, adaptiveFiltering off — see the numbers recorded in that file. Level 1 is ~2× faster
 *   than 6 for a size ~10–20 % larger; adaptive filtering shrinks files a little more but costs more time.
 */
import sharp from 'sharp';
import type { Clip } from '../topomap/types';
import type { Scene } from './scene';
import { drawStrokes } from './strokes';
import { sceneToSvg } from './svg';

type Sharp = ReturnType<typeof sharp>;

export type OverlayEngine = 'direct' | 'librsvg';

export interface PngSettings {
  compressionLevel: number;
  adaptiveFiltering: boolean;
}

export const DEFAULT_PNG: PngSettings = { compressionLevel: 1, adaptiveFiltering: false };

const raw = (scene: Scene, pixels: Uint8Array): Sharp =>
  sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), {
    raw: { width: scene.layout.width, height: scene.layout.height, channels: 4 },
  });

/** Overlay drawn into a copy of the canvas; the scene is left untouched. */
export function composeDirect(scene: Scene): Uint8Array {
  const pixels = scene.canvas.slice();
  drawStrokes(scene.layout, scene.strokes, scene.plan.coverage, pixels);
  return pixels;
}

export async function encodePng(
  scene: Scene,
  clip: Clip,
  engine: OverlayEngine = 'direct',
  settings: PngSettings = DEFAULT_PNG,
): Promise<Buffer> {
  let image: Sharp;
  if (engine === 'direct') {
    image = raw(scene, composeDirect(scene));
  } else {
    const overlay = Buffer.from(sceneToSvg(scene, { withImage: false, clip }));
    image = raw(scene, scene.canvas).composite([{ input: overlay, top: 0, left: 0 }]);
  }
  return image.png({ compressionLevel: settings.compressionLevel, adaptiveFiltering: settings.adaptiveFiltering }).toBuffer();
}
