import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { renderSvg } from '../../../lib/core/render';
import { contourLines } from '../../../lib/core/render/contours';
import { projectRoot } from '../../helpers/testdata';
import { KINDS, loadGolden, plainOptions, toMap } from './fixture';

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });

function paths(doc: Node): Node[] {
  const g = (doc.svg as Node).g as Node;
  const p = g.path;
  return (Array.isArray(p) ? p : p ? [p] : []) as Node[];
}

describe.each(KINDS)('SVG of the MNE %s map', (kind) => {
  const gold = loadGolden(kind);
  const m = toMap(gold);
  const full = plainOptions(400, {
    contours: true,
    sensors: true,
    names: true,
    colorbar: true,
    outlines: 'head',
    title: '0.100 s',
  });
  const svg = renderSvg(m, full, { lut: gold.lut });
  const doc = parser.parse(svg) as Node;

  it('is well-formed XML with the requested size and no <text> (glyphs are paths)', () => {
    expect(XMLValidator.validate(svg)).toBe(true);
    const root = doc.svg as Node;
    expect([root.width, root.height, root.viewBox]).toEqual(['400', '400', '0 0 400 400']);
    expect(svg).not.toMatch(/<text[\s>]/);
    expect(svg).not.toMatch(/font-family|<tspan/);
  });

  it('embeds the map image as a PNG data URI of the canvas size', async () => {
    const href = String(((doc.svg as Node).image as Node).href);
    expect(href.startsWith('data:image/png;base64,')).toBe(true);
    const meta = await sharp(Buffer.from(href.slice(22), 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 400, 400]);
  });

  it('has one clipped contour path holding a subpath per contour line (per dash on negative levels), and outline, sensor and text paths', () => {
    const ps = paths(doc);
    const contour = ps.filter((p) => p.class === 'contour');
    expect(contour).toHaveLength(1);
    expect(contour[0]!['clip-path']).toBe('url(#mapclip)');
    const expected = contourLines(
      { grid: m.map.grid, res: gold.res, extent: gold.extent },
      gold.contour_levels,
    );
    // solid lines at levels ≥ 0, and at least one dash for every line at a negative level (matplotlib dashes them)
    const solid = expected.filter((c) => c.level >= 0).reduce((n, c) => n + c.lines.length, 0);
    const negative = expected.filter((c) => c.level < 0).reduce((n, c) => n + c.lines.length, 0);
    const subpaths = String(contour[0]!.d).match(/M/g)?.length ?? 0;
    if (negative === 0) expect(subpaths).toBe(solid);
    else expect(subpaths).toBeGreaterThan(solid + negative);
    expect(gold.contours.length).toBeGreaterThan(0);
    const outline = ps.find((p) => p.class === 'outline');
    expect(String(outline?.d).match(/M/g)).toHaveLength(4); // head, nose, two ears
    const sensors = ps.find((p) => p.class === 'sensor');
    expect(String(sensors?.d).match(/M/g)).toHaveLength(gold.pos2d.length);
    expect(ps.some((p) => p.class === 'text')).toBe(true);
    const clip = ((doc.svg as Node).defs as Node).clipPath as Node;
    expect(clip.id).toBe('mapclip');
    expect(clip[gold.clip.kind === 'ellipse' ? 'ellipse' : 'path']).toBeDefined();
  });

  it('rasterises with librsvg and is written to test/artifacts', async () => {
    const png = await sharp(Buffer.from(svg)).png().toBuffer();
    expect((await sharp(png).metadata()).width).toBe(400);
    mkdirSync(join(projectRoot, 'test', 'artifacts'), { recursive: true });
    writeFileSync(join(projectRoot, 'test', 'artifacts', `topomap_${kind}_svg.svg`), svg);
    writeFileSync(join(projectRoot, 'test', 'artifacts', `topomap_${kind}_svg.png`), png);
  });
});

describe('SVG without decorations', () => {
  const gold = loadGolden('eeg');
  it('has no contour paths with contours off, nor for flat data', () => {
    const m = toMap(gold);
    const off = parser.parse(renderSvg(m, plainOptions(128, { contours: false }), { lut: gold.lut })) as Node;
    expect(paths(off).filter((p) => p.class === 'contour')).toHaveLength(0);
    const flat = toMap(gold, new Float64Array(gold.res * gold.res).fill(5));
    const svg = renderSvg(flat, plainOptions(128, { contours: true }), { lut: gold.lut });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(paths(parser.parse(svg) as Node).filter((p) => p.class === 'contour')).toHaveLength(0);
  });
});
