/**
 * A recording replaced or deleted while it is served (standalone mode over a temporary data folder, through
 * serverless-offline). The recording cache must never answer from a replaced file's state: replacing the
 * header with another recording, or only the binary data file beside it, changes the next sensors and map
 * answers (and the ETag); a deleted file answers a clean 404, and a restored one is served again.
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get, startOffline, type OfflineService } from '../helpers/offline';
import { describeWithData, testDataPath } from '../helpers/testdata';

interface MapBody {
  channels: string[];
  values: number[];
}

const sensorNames = (body: unknown): string[] => {
  const b = body as { channels?: { name: string }[]; sensors?: { name: string }[] };
  return (b.channels ?? b.sensors ?? []).map((c) => c.name);
};

/** Writes beside the target and renames over it, as a tool replacing a file would. */
function replaceFile(target: string, bytes: Uint8Array): void {
  writeFileSync(`${target}.partial`, bytes);
  renameSync(`${target}.partial`, target);
}

/** The INT_16 samples of a BrainVision data file, negated (same size, different content). */
function negatedInt16(bytes: Buffer): Buffer {
  const out = Buffer.alloc(bytes.length);
  for (let i = 0; i + 1 < bytes.length; i += 2) out.writeInt16LE(Math.max(-32767, -bytes.readInt16LE(i)), i);
  return out;
}

describeWithData('a recording replaced or deleted while it is served', () => {
  const OTHER = 'test_old_layout_latin1_software_filter';
  let dir: string;
  let service: OfflineService;
  let id: number;
  let referenceId: number;

  const served = (name: string) => join(dir, 'served', name);
  const mapUrl = (recId: number) =>
    `${service.baseUrl}/ephys/${recId}/topographic-map?tmin=0.1&tmax=0.2&format=json&res=16`;
  const sensorsOf = (recId: number) => get(`${service.baseUrl}/ephys/${recId}/sensors`);
  const mapOf = (recId: number) => get(mapUrl(recId));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loris-faults-replace-'));
    for (const folder of ['served', 'reference']) {
      mkdirSync(join(dir, folder));
      for (const base of ['test', OTHER]) {
        for (const ext of ['.eeg', '.vmrk'])
          copyFileSync(testDataPath('brainvision', `${base}${ext}`), join(dir, folder, `${base}${ext}`));
      }
    }
    // served/rec.vhdr starts as `test` (32 channels); reference/rec.vhdr is the recording it will become.
    replaceFile(served('rec.vhdr'), readFileSync(testDataPath('brainvision', 'test.vhdr')));
    replaceFile(
      join(dir, 'reference', 'rec.vhdr'),
      readFileSync(testDataPath('brainvision', `${OTHER}.vhdr`)),
    );
    service = await startOffline({
      LORIS_EPHYS_MODE: 'standalone',
      LORIS_EPHYS_DATA: dir,
      LORIS_EPHYS_LOG_LEVEL: 'warn',
    });
    const list = (await get(`${service.baseUrl}/ephys/recordings`)).json() as {
      recordings: { id: number; path: string }[];
    };
    id = list.recordings.find((r) => r.path === 'served/rec.vhdr')?.id ?? 0;
    referenceId = list.recordings.find((r) => r.path === 'reference/rec.vhdr')?.id ?? 0;
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves the new data when only the binary data file beside the header is replaced', async () => {
    const before = await mapOf(id);
    expect(before.status).toBe(200);
    const original = before.json() as MapBody;
    replaceFile(served('test.eeg'), negatedInt16(readFileSync(served('test.eeg'))));
    const after = await mapOf(id);
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    const negated = after.json() as MapBody;
    expect(negated.channels).toEqual(original.channels);
    const peak = Math.max(...original.values.map(Math.abs));
    expect(peak).toBeGreaterThan(0);
    original.values.forEach((v, i) =>
      expect(Math.abs((negated.values[i] ?? NaN) + v)).toBeLessThan(1e-3 * peak),
    );
  }, 60_000);

  it('serves the replacement recording, not the cached original, once the header is replaced', async () => {
    const before = await sensorsOf(id);
    expect(before.status).toBe(200);
    const mapBefore = await mapOf(id);
    const expectedSensors = sensorNames((await sensorsOf(referenceId)).json());
    const expectedMap = (await mapOf(referenceId)).json() as MapBody;
    expect(sensorNames(before.json())).not.toEqual(expectedSensors);

    replaceFile(served('rec.vhdr'), readFileSync(testDataPath('brainvision', `${OTHER}.vhdr`)));

    const after = await sensorsOf(id);
    expect(after.status).toBe(200);
    expect(sensorNames(after.json())).toEqual(expectedSensors);
    const mapAfter = await get(mapUrl(id), { 'If-None-Match': mapBefore.headers.get('etag') ?? '' });
    expect(mapAfter.status).toBe(200);
    const body = mapAfter.json() as MapBody;
    expect(body.channels).toEqual(expectedMap.channels);
    expect(body.values).toEqual(expectedMap.values);
  }, 60_000);

  it('answers a clean 404 once the file is deleted, and serves it again when it is restored', async () => {
    rmSync(served('rec.vhdr'));
    for (const r of [await sensorsOf(id), await mapOf(id)]) {
      expect(r.status).toBe(404);
      expect((r.json() as { error: { code: string } }).error.code).toBe('recording_missing');
      expect(r.text).not.toContain(dir);
    }
    replaceFile(served('rec.vhdr'), readFileSync(testDataPath('brainvision', 'test.vhdr')));
    const restored = await sensorsOf(id);
    expect(restored.status).toBe(200);
    expect(sensorNames(restored.json())).toHaveLength(32);
  }, 60_000);
});
