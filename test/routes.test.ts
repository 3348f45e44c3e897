/**
 * The recording routes over real HTTP through serverless-offline, in standalone mode over the shared
 * recordings: sensors against MNE's golden positions, topomaps against MNE's golden values, errors as data.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { get, startOffline, type OfflineService } from './helpers/offline';
import { describeWithData, goldenPath, projectRoot, testDataDir } from './helpers/testdata';

interface Listed {
  id: number;
  path: string;
}
interface SensorChannelJson {
  name: string;
  type: string;
  position: number[] | null;
  orientation: { ex: number[]; ey: number[]; ez: number[] } | null;
  status: string;
}
interface GoldenChannel {
  name: string;
  type: string;
  head_pos: (number | null)[];
  head_ori: number[] | null;
}

const sharedReference = join(projectRoot, '..', 'shared', 'reference');
const artifacts = join(projectRoot, 'test', 'artifacts', 'compare');

const maxAbsDiff = (a: readonly number[], b: readonly (number | null)[]): number =>
  Math.max(...a.map((v, i) => Math.abs(v - (b[i] ?? NaN))));

describeWithData('recording routes (standalone mode over the shared recordings)', () => {
  let service: OfflineService;
  const ids = new Map<string, number>();
  const url = (path: string, route: string, query = ''): string =>
    `${service.baseUrl}/ephys/${ids.get(path)}${route}${query ? `?${query}` : ''}`;

  beforeAll(async () => {
    service = await startOffline({
      LORIS_EPHYS_MODE: 'standalone',
      LORIS_EPHYS_DATA: testDataDir(),
      LORIS_EPHYS_LOG_LEVEL: 'warn',
    });
    const list = (await get(`${service.baseUrl}/ephys/recordings`)).json() as { recordings: Listed[] };
    for (const r of list.recordings) ids.set(r.path, r.id);
  }, 60000);
  afterAll(async () => {
    await service?.stop();
  });

  it('lists the recordings with stable ids', () => {
    expect(ids.get('ctf/testdata_ctf_short_discontinuous.ds')).toEqual(expect.any(Number));
    expect(ids.get('fif/test-ave.fif.gz')).toEqual(expect.any(Number));
  });

  it('gives CTF sensor positions and orientations in the head frame equal to MNE within 1e-6', async () => {
    const golden = JSON.parse(readFileSync(goldenPath('ctf', 'ds.json'), 'utf8')) as {
      channels: GoldenChannel[];
      dev_head_t: number[][];
    };
    const r = await get(url('ctf/testdata_ctf_short_discontinuous.ds', '/sensors', 'types=mag,ref_meg'));
    expect(r.status).toBe(200);
    const body = r.json() as {
      coordinateFrame: string;
      channels: SensorChannelJson[];
      devHeadTransform: number[][];
    };
    expect(body.coordinateFrame).toBe('head');
    const byName = new Map(golden.channels.map((c) => [c.name, c]));
    const meg = body.channels.filter((c) => c.type === 'mag');
    expect(meg).toHaveLength(golden.channels.filter((c) => c.type === 'mag').length);
    for (const ch of meg) {
      const g = byName.get(ch.name) as GoldenChannel;
      expect(maxAbsDiff(ch.position as number[], g.head_pos)).toBeLessThan(1e-6);
      expect(maxAbsDiff(ch.orientation?.ez as number[], g.head_ori as number[])).toBeLessThan(1e-6);
    }
    expect(maxAbsDiff(body.devHeadTransform.flat(), golden.dev_head_t.flat())).toBeLessThan(1e-9);
  });

  it('gives device-frame positions equal to the file loc', async () => {
    const golden = JSON.parse(readFileSync(goldenPath('ctf', 'ds.json'), 'utf8')) as {
      channels: (GoldenChannel & { loc: number[] })[];
    };
    const body = (
      await get(url('ctf/testdata_ctf_short_discontinuous.ds', '/sensors', 'frame=device&types=mag'))
    ).json() as {
      channels: SensorChannelJson[];
    };
    const first = body.channels[0] as SensorChannelJson;
    const g = golden.channels.find((c) => c.name === first.name) as GoldenChannel & { loc: number[] };
    expect(maxAbsDiff(first.position as number[], g.loc.slice(0, 3))).toBeLessThan(1e-9);
  });

  it('answers the proof-of-concept /meg/sensors shape and refuses it for EEG-only files', async () => {
    const meg = (await get(url('ctf/testdata_ctf_short_discontinuous.ds', '/meg/sensors'))).json() as {
      sensors: Record<string, { x: number; y: number; z: number; unit: string; type: string }>;
    };
    expect(meg.sensors['MLC11-4304']).toEqual({
      x: expect.any(Number),
      y: expect.any(Number),
      z: expect.any(Number),
      unit: 'T',
      type: 'mag',
    });
    const eeg = await get(url('edf/test.bdf', '/meg/sensors'));
    expect(eeg.status).toBe(404);
    expect((eeg.json() as { error: { code: string } }).error.code).toBe('not_meg');
  });

  it('gives the head shape from the digitisation', async () => {
    const r = await get(url('fif/test-ave.fif.gz', '/meg/headshape'));
    expect(r.status).toBe(200);
    const body = r.json() as { points: Record<string, { x: number }>; source: string };
    expect(body.source).toBe('file');
    expect(Object.keys(body.points)).toEqual(
      expect.arrayContaining(['nasion', 'lpa', 'rpa', 'extra78', 'hpi4']),
    );
  });

  it.each([
    ['eeg', 1e6],
    ['mag', 1e15],
    ['grad', 1e13],
  ])(
    'maps test-ave %s at 0.1 s as MNE 1.3 does: values, scale, levels and the whole grid',
    async (type, scale) => {
      const golden = JSON.parse(
        readFileSync(join(sharedReference, 'golden', `topomap_${type}_res64.json`), 'utf8'),
      ) as {
        data_scaled: number[];
        vmin: number;
        vmax: number;
        contour_levels: number[];
        grid_Z: (number | null)[][];
      };
      const r = await get(url('fif/test-ave.fif.gz', '/topographic-map', `t=0.1&type=${type}&format=json`));
      expect(r.status).toBe(200);
      const body = r.json() as {
        values: number[];
        vmin: number;
        vmax: number;
        contourLevels: number[];
        grid: (number | null)[][];
      };
      const range = golden.vmax - golden.vmin;
      expect(
        maxAbsDiff(
          body.values.map((v) => v * scale),
          golden.data_scaled,
        ),
      ).toBeLessThan(1e-9 * range);
      expect(body.vmin * scale).toBeCloseTo(golden.vmin, 9);
      expect(body.vmax * scale).toBeCloseTo(golden.vmax, 9);
      expect(body.contourLevels.map((l) => l * scale)).toEqual(
        golden.contour_levels.map((l) => expect.closeTo(l, 9)),
      );
      let worst = 0;
      golden.grid_Z.forEach((row, i) =>
        row.forEach((g, j) => {
          const ours = body.grid[i]?.[j];
          expect(ours === null).toBe(g === null);
          if (g !== null && ours !== null && ours !== undefined)
            worst = Math.max(worst, Math.abs(ours * scale - g));
        }),
      );
      expect(worst).toBeLessThan(1e-4 * range);
      // Our PNG beside MNE's, for a person to compare (test/artifacts is not committed).
      const png = await get(
        url('fif/test-ave.fif.gz', '/topographic-map', `t=0.1&type=${type}&colorbar=true`),
      );
      mkdirSync(artifacts, { recursive: true });
      writeFileSync(join(artifacts, `ours_${type}_0.1s.png`), png.bytes);
      copyFileSync(
        join(sharedReference, 'golden', `topomap_${type}_0.1s.png`),
        join(artifacts, `mne_${type}_0.1s.png`),
      );
    },
  );

  it('renders a PNG of the requested size with an ETag, and answers 304 to If-None-Match', async () => {
    const r = await get(url('edf/test.bdf', '/topographic-map', 'tmin=0.1&tmax=0.2&size=300'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(r.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([300, 300]);
    const etag = r.headers.get('etag') as string;
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
    expect(r.headers.get('server-timing')).toBeNull(); // LORIS_EPHYS_SERVER_TIMING is off by default
    const again = await get(url('edf/test.bdf', '/topographic-map', 'tmin=0.1&tmax=0.2&size=300'), {
      'If-None-Match': etag,
    });
    expect(again.status).toBe(304);
  });

  it('refuses bad parameters with stable codes and the valid range', async () => {
    const outside = await get(url('edf/test.bdf', '/topographic-map', 'tmin=5&tmax=6'));
    expect(outside.status).toBe(400);
    expect((outside.json() as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'invalid_time',
      message: expect.stringContaining('0 to'),
    });
    const band = await get(url('edf/test.bdf', '/topographic-map', 'tmin=0&tmax=0.5&lfreq=2000'));
    expect(band.status).toBe(400);
    expect((band.json() as { error: { code: string } }).error.code).toBe('invalid_band');
    const unknown = await get(url('edf/test.bdf', '/topographic-map', 'nonsense=1'));
    expect(unknown.status).toBe(400);
    const noMeg = await get(url('edf/test.bdf', '/topographic-map', 't=0.1&type=mag'));
    expect(noMeg.status).toBe(422);
    const injection = await get(`${service.baseUrl}/ephys/1%20OR%201=1/sensors`);
    expect(injection.status).toBe(400);
  });
});
