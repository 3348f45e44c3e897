import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ApiError } from '../../../lib/core/errors';
import { renderPng } from '../../../lib/core/render';
import { colorOf, toLut } from '../../../lib/core/render/colormap';
import { makeLayout, toPixel } from '../../../lib/core/render/layout';
import { projectRoot } from '../../helpers/testdata';
import { KINDS, loadGolden, plainOptions, toMap } from './fixture';

const artifacts = join(projectRoot, 'test', 'artifacts');

async function decode(png: Buffer) {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    data,
    info,
    at: (x: number, y: number) =>
      Array.from(data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4)),
  };
}

describe.each(KINDS)('PNG of the MNE %s map', (kind) => {
  const gold = loadGolden(kind);
  const m = toMap(gold);
  const full = plainOptions(512, {
    contours: true,
    sensors: true,
    colorbar: true,
    outlines: 'head',
    background: 'white',
    title: '0.100 s',
  });

  it.each(['direct', 'librsvg'] as const)(
    'decodes with the requested size (%s overlay) and is written to test/artifacts',
    async (engine) => {
      const png = await renderPng(m, full, { lut: gold.lut, engine });
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 512, 512, 4]);
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, `topomap_${kind}_${engine}.png`), png);
    },
  );

  it('shows the colormap colour of the grid value away from lines, black outline pixels, and transparent outside', async () => {
    const o = plainOptions(300, { outlines: 'head', contours: false, sensors: false });
    const layout = makeLayout(m.map.geometry, o);
    const { at } = await decode(await renderPng(m, o, { lut: gold.lut }));
    // Centre of the clip patch: inside the map, far from every outline.
    const clip = gold.clip;
    const centre = clip.kind === 'ellipse' ? clip.center : gold.outlines.clip_origin;
    const [cx, cy] = toPixel(layout, centre).map(Math.floor) as [number, number];
    const [r, g, b, a] = at(cx, cy);
    expect(a).toBe(255);
    const lut = toLut(gold.lut);
    const idx = (rgb: number[]) =>
      Array.from({ length: 256 }, (_, k) => k).find(
        (k) => lut[3 * k] === rgb[0] && lut[3 * k + 1] === rgb[1] && lut[3 * k + 2] === rgb[2],
      );
    expect(idx([r!, g!, b!])).toBeDefined();
    // Nose tip: drawn in black on top of everything.
    const tip = gold.outlines.nose[1]!;
    const [nx, ny] = toPixel(layout, tip).map(Math.floor) as [number, number];
    const nose = [0, 1, 2].flatMap((dy) => [-1, 0, 1].map((dx) => at(nx + dx, ny + dy)));
    expect(nose.some(([rr, gg, bb, aa]) => aa! > 200 && rr! < 80 && gg! < 80 && bb! < 80)).toBe(true);
    // Canvas corners are outside both the clip and the outlines.
    expect(at(0, 0)[3]).toBe(0);
    expect(at(299, 299)[3]).toBe(0);
    expect(colorOf(lut, gold.vmax, gold.vmin, gold.vmax)).toEqual([lut[765], lut[766], lut[767]]);
  });

  it('draws contour lines (dark pixels inside the map) only when asked', async () => {
    const base = plainOptions(256, { outlines: 'none' });
    const dark = async (contours: boolean) => {
      const { data } = await decode(await renderPng(m, { ...base, contours }, { lut: gold.lut }));
      let n = 0;
      for (let i = 0; i < data.length; i += 4)
        if (data[i + 3]! > 0 && data[i]! + data[i + 1]! + data[i + 2]! < 300) n++;
      return n;
    };
    const without = await dark(false);
    const withLines = await dark(true);
    expect(withLines - without).toBeGreaterThan(100);
  });
});

describe('PNG options', () => {
  const gold = loadGolden('eeg');
  const m = toMap(gold);
  it.each([64, 200, 2048])('honours size %p', async (size) => {
    const meta = await sharp(
      await renderPng(
        m,
        plainOptions(size, { contours: true, sensors: true, outlines: 'head', colorbar: true }),
        { lut: gold.lut },
      ),
    ).metadata();
    expect([meta.width, meta.height]).toEqual([size, size]);
  });
  it('fills the background white when asked', async () => {
    const { at } = await decode(
      await renderPng(m, plainOptions(128, { background: 'white' }), { lut: gold.lut }),
    );
    expect(at(0, 0)).toEqual([255, 255, 255, 255]);
  });
  it('uses the engine colour table for m.scale.cmap by default (identical to matplotlib’s)', async () => {
    const o = plainOptions(96, { contours: true, outlines: 'head' });
    expect(await renderPng(m, o)).toEqual(await renderPng(m, o, { lut: gold.lut }));
    await expect(renderPng({ ...m, scale: { ...m.scale, cmap: 'nope' } }, o)).rejects.toMatchObject({
      status: 400,
    });
  });
  it('rejects sizes outside [16, 2048] with a 400 ApiError', async () => {
    await expect(renderPng(m, plainOptions(8), { lut: gold.lut })).rejects.toMatchObject({
      status: 400,
      code: 'invalid_request',
    });
    await expect(renderPng(m, plainOptions(2049), { lut: gold.lut })).rejects.toBeInstanceOf(ApiError);
    await expect(renderPng(m, plainOptions(NaN), { lut: gold.lut })).rejects.toBeInstanceOf(ApiError);
  });
});
