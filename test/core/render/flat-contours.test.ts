/**
 * Contour strokes are built as flat pixel coordinates (FlatStrokes). They must be the strokes the Vec2 path made:
 * each line's points through toPixel, solid at levels ≥ 0, cut by `dashed` below 0, and strokes with a non-finite
 * coordinate dropped.
 */
import { contourLines, contourPaths, type ContourPaths } from '../../../lib/core/render/contours';
import { makeLayout, toPixel } from '../../../lib/core/render/layout';
import {
  CONTOUR_WIDTH_PT,
  dashed,
  dataStrokes,
  flatStrokeList,
  PX_PER_PT,
} from '../../../lib/core/render/overlay';
import type { Layout, Stroke } from '../../../lib/core/render/types';
import type { RenderableMap, Vec2 } from '../../../lib/core/topomap/types';
import { KINDS, loadGolden, plainOptions, toMap } from './fixture';

const OPTIONS = plainOptions(512, { contours: true });

/** What contourStrokes made from Vec2 lines before FlatStrokes. */
function referenceStrokes(layout: Layout, contours: readonly { level: number; lines: Vec2[][] }[]): Stroke[] {
  const width = CONTOUR_WIDTH_PT * PX_PER_PT;
  const pen = { width, closed: false, clipped: true, grey: 0, kind: 'contour' } as const;
  const out: Stroke[] = [];
  for (const c of contours) {
    for (const line of c.lines) {
      const px = line.map((p) => toPixel(layout, p));
      const pieces = c.level >= 0 ? [px] : dashed(px, [3.7 * width, 1.6 * width]);
      for (const points of pieces) out.push({ ...pen, points });
    }
  }
  return out.filter((s) => s.points.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
}

const flatOf = (level: number, lines: Vec2[][]): ContourPaths => {
  const starts = [0];
  for (const line of lines) starts.push((starts.at(-1) ?? 0) + line.length);
  return { level, xy: Float64Array.from(lines.flat(2)), starts: Int32Array.from(starts) };
};

describe.each(KINDS)('flat contour strokes of the MNE %s map', (kind) => {
  const gold = loadGolden(kind);
  const m: RenderableMap = toMap(gold);
  const spec = { grid: m.map.grid, res: gold.res, extent: gold.extent };
  const layout = makeLayout(m.map.geometry, OPTIONS);

  it('are the Vec2 path’s strokes, point for point', () => {
    const levels = [...gold.contour_levels, ...gold.contour_levels.map((l) => -l)];
    const flat = dataStrokes(layout, m, OPTIONS, contourPaths(spec, levels)).below;
    const expected = referenceStrokes(layout, contourLines(spec, levels));
    expect(expected.length).toBeGreaterThan(0);
    expect(flatStrokeList(flat)).toEqual(expected);
  });

  it('drop strokes with a non-finite coordinate, solid or dashed, as the display list always did', () => {
    const [x, y] = [gold.extent[0], gold.extent[2]];
    const lines: Vec2[][] = [
      [
        [x, y],
        [x + 0.01, y + 0.01],
      ],
      [
        [x, y],
        [NaN, y],
        [x + 0.05, y + 0.05],
      ],
      [
        [x + 0.02, y],
        [x + 0.02, y + 0.06],
        [x + 0.03, NaN],
      ],
    ];
    for (const level of [1, -1]) {
      const flat = dataStrokes(layout, m, OPTIONS, [flatOf(level, lines)]).below;
      expect(flatStrokeList(flat)).toEqual(referenceStrokes(layout, [{ level, lines }]));
    }
  });
});

describe('dashed on coordinates no canvas holds', () => {
  it('stops at an infinite or absurdly long segment instead of cutting without end', () => {
    const before: Vec2[] = [
      [0, 0],
      [10, 0],
    ];
    const dashesBefore = dashed(before, [3, 2]);
    expect(dashesBefore.length).toBeGreaterThan(0);
    for (const far of [Infinity, -Infinity, 1e12]) {
      const dashes = dashed([...before, [far, 5]], [3, 2]);
      // The dashes of the finite part, nothing past it.
      expect(dashes.slice(0, dashesBefore.length - 1)).toEqual(dashesBefore.slice(0, -1));
      expect(dashes.flat().every(([x, y]) => Math.abs(x) <= 10 && Math.abs(y) <= 5)).toBe(true);
    }
  });
});
