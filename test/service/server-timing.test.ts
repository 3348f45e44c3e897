/**
 * LORIS_EPHYS_SERVER_TIMING over real HTTP (serverless-offline, the map workers): a map made by the workers answers
 * with its stages (authorisation, the map, and the task's open, compute and draw), a map kept from before only with
 * the first two, and without the setting there is no header at all (routes.test.ts's service).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get, startOffline, type OfflineService } from '../helpers/offline';
import { describeWithData, testDataPath } from '../helpers/testdata';

/** `name;dur=ms` entries of a Server-Timing value, in order. */
function stages(value: string | null): [string, number][] {
  if (value === null) throw new Error('no Server-Timing header');
  return value.split(', ').map((entry) => {
    const [name, dur] = entry.split(';dur=');
    return [name ?? '', Number(dur)];
  });
}

describeWithData('Server-Timing on topographic maps (LORIS_EPHYS_SERVER_TIMING=true)', () => {
  let service: OfflineService;
  let dir: string;
  let id: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loris-ephys-server-timing-'));
    mkdirSync(join(dir, 'bv'));
    for (const ext of ['vhdr', 'vmrk', 'eeg'])
      copyFileSync(testDataPath('brainvision', `test.${ext}`), join(dir, 'bv', `test.${ext}`));
    service = await startOffline({
      LORIS_EPHYS_MODE: 'standalone',
      LORIS_EPHYS_DATA: dir,
      LORIS_EPHYS_LOG_LEVEL: 'warn',
      LORIS_EPHYS_SERVER_TIMING: 'true',
    });
    const list = (await get(`${service.baseUrl}/ephys/recordings`)).json() as {
      recordings: { id: number; path: string }[];
    };
    id = list.recordings.find((r) => r.path === 'bv/test.vhdr')?.id ?? -1;
  }, 60000);
  afterAll(async () => {
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives a map made by the workers its stages, and a map kept from before only authorisation and the map', async () => {
    const url = `${service.baseUrl}/ephys/${id}/topographic-map?tmin=0.1&tmax=0.2&size=512&contours=6&sensors=true`;
    const made = await get(url);
    expect(made.status).toBe(200);
    const timing = stages(made.headers.get('server-timing'));
    expect(timing.map(([name]) => name)).toEqual(['auth', 'map', 'open', 'compute', 'draw']);
    for (const [, ms] of timing) expect(ms).toBeGreaterThanOrEqual(0);
    const byName = Object.fromEntries(timing);
    // A 512 px PNG with contours is never drawn in no time, and the task's stages happen within the map's.
    expect(byName.draw).toBeGreaterThan(0);
    expect(byName.open! + byName.compute! + byName.draw!).toBeLessThanOrEqual(byName.map! + 0.05);

    const kept = await get(url);
    expect(kept.status).toBe(200);
    expect(Buffer.compare(kept.bytes, made.bytes)).toBe(0);
    expect(stages(kept.headers.get('server-timing')).map(([name]) => name)).toEqual(['auth', 'map']);
  });

  it('times a 304 too, and leaves errors without the header', async () => {
    const url = `${service.baseUrl}/ephys/${id}/topographic-map?tmin=0.3&tmax=0.4&size=128`;
    const first = await get(url);
    const again = await get(url, { 'If-None-Match': first.headers.get('etag') ?? '' });
    expect(again.status).toBe(304);
    expect(stages(again.headers.get('server-timing')).map(([name]) => name)).toEqual(['auth', 'map']);
    const refused = await get(`${service.baseUrl}/ephys/${id}/topographic-map?tmin=0.1&tmax=0.2&size=5`);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('server-timing')).toBeNull();
  });
});
