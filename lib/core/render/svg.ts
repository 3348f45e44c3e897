/**
 * SVG writer: the base image (map + colour bar) as an embedded PNG, then the overlay strokes as paths. All text is
 * already strokes (built-in font), so the document has no <text> and needs no fonts.
 */
import type { Clip, Vec2 } from '../topomap/types';
import { toPixel } from './layout';
import { encodeRgbaPng } from './png-encode';
import type { Scene } from './scene';
import type { Layout, Stroke } from './types';

const num = (v: number): string => (Math.round(v * 100) / 100).toString();

function pathData(points: readonly Vec2[], closed: boolean): string {
  const d = points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${num(x)} ${num(y)}`).join('');
  return closed ? `${d}Z` : points.length === 1 ? `${d}l0 0` : d;
}

function clipElement(layout: Layout, clip: Clip): string {
  if (clip.kind === 'ellipse') {
    const [cx, cy] = toPixel(layout, clip.center);
    const rx = clip.radii[0] * layout.scale;
    const ry = clip.radii[1] * layout.scale;
    return `<ellipse cx="${num(cx)}" cy="${num(cy)}" rx="${num(rx)}" ry="${num(ry)}"/>`;
  }
  return `<path d="${pathData(
    clip.points.map((p) => toPixel(layout, p)),
    true,
  )}"/>`;
}

/** One <path> per run of strokes with the same look, keeping the document small; `paths[i]` is stroke i's data. */
function strokeGroups(strokes: readonly Stroke[], paths: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < strokes.length) {
    const first = strokes[i] as Stroke;
    let d = '';
    for (; i < strokes.length; i++) {
      const s = strokes[i] as Stroke;
      if (
        s.width !== first.width ||
        s.clipped !== first.clipped ||
        s.grey !== first.grey ||
        s.kind !== first.kind
      )
        break;
      d += paths[i] as string;
    }
    const grey = first.grey.toString(16).padStart(2, '0');
    const clip = first.clipped ? ' clip-path="url(#mapclip)"' : '';
    out.push(
      `<path class="${first.kind}" d="${d}" stroke="#${grey}${grey}${grey}" stroke-width="${num(first.width)}"${clip}/>`,
    );
  }
  return out;
}

export interface SvgOptions {
  /** Embed the base canvas as a PNG <image>; off for the overlay handed to sharp. */
  withImage: boolean;
  clip: Clip;
}

const strokePaths = (strokes: readonly Stroke[]): string[] =>
  strokes.map((s) => pathData(s.points, s.closed));

/** Path data of every stroke in `scene.strokes` order; the decor's is computed once and kept with the decor. */
function scenePaths(scene: Scene): string[] {
  if (!scene.decor.svgPaths) {
    scene.decor.svgPaths = strokePaths(scene.decor.strokes);
    scene.charge?.(scene.decor.svgPaths.reduce((n, p) => n + 2 * p.length, 0)); // UTF-16 code units
  }
  return [...strokePaths(scene.below), ...scene.decor.svgPaths, ...strokePaths(scene.above)];
}

export function sceneToSvg(scene: Scene, opts: SvgOptions): string {
  const { width, height } = scene.layout;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<defs><clipPath id="mapclip">${clipElement(scene.layout, opts.clip)}</clipPath></defs>`,
  ];
  if (opts.withImage) {
    const png = encodeRgbaPng(scene.canvas, width, height).toString('base64');
    parts.push(
      `<image x="0" y="0" width="${width}" height="${height}" href="data:image/png;base64,${png}"/>`,
    );
  }
  parts.push(
    '<g fill="none" stroke-linecap="round" stroke-linejoin="round">',
    ...strokeGroups(scene.strokes, scenePaths(scene)),
    '</g>',
    '</svg>',
  );
  return parts.join('\n');
}
