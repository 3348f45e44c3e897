/**
 * Over HTTP through the real service (standalone mode, serverless-offline): a BrainVision recording whose .eeg
 * is symlinked outside the data directory answers 422 unreadable_recording for its map and never returns the
 * outside file's samples; the refusal is logged (relative path and reason only). A FIFO .eeg is refused the
 * same way without blocking the request, and a .eeg symlinked to another file inside the directory is served.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get, startOffline, type OfflineService } from '../helpers/offline';
import { describeWithData, testDataPath } from '../helpers/testdata';

interface MapBody {
  values: number[];
}

/** The INT_16 samples of a BrainVision data file, doubled where they fit: recognisably not the original. */
function doubledInt16(bytes: Buffer): Buffer {
  const out = Buffer.alloc(bytes.length);
  for (let i = 0; i + 1 < bytes.length; i += 2)
    out.writeInt16LE(Math.max(-32768, Math.min(32767, 2 * bytes.readInt16LE(i))), i);
  return out;
}

describeWithData('companion files outside the data directory, over HTTP', () => {
  let dir: string;
  let service: OfflineService;
  const ids = new Map<string, number>();

  const data = (...parts: string[]) => join(dir, 'data', ...parts);
  /** A folder with the header and markers copied; the .eeg is left to the caller. */
  const recordingFolder = (name: string): void => {
    mkdirSync(data(name), { recursive: true });
    for (const ext of ['vhdr', 'vmrk'])
      copyFileSync(testDataPath('brainvision', `test.${ext}`), data(name, `test.${ext}`));
  };
  const mapOf = (name: string) =>
    get(
      `${service.baseUrl}/ephys/${ids.get(`${name}/test.vhdr`)}/topographic-map?tmin=0.1&tmax=0.2&format=json&res=16`,
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loris-companion-out-'));
    mkdirSync(join(dir, 'outside'));
    const sentinel = join(dir, 'outside', 'test.eeg');
    writeFileSync(sentinel, doubledInt16(readFileSync(testDataPath('brainvision', 'test.eeg'))));
    recordingFolder('inside');
    copyFileSync(testDataPath('brainvision', 'test.eeg'), data('inside', 'test.eeg'));
    recordingFolder('escape');
    symlinkSync(sentinel, data('escape', 'test.eeg'));
    recordingFolder('linked');
    symlinkSync(data('inside', 'test.eeg'), data('linked', 'test.eeg'));
    recordingFolder('fifo');
    execFileSync('mkfifo', [data('fifo', 'test.eeg')]);
    service = await startOffline({
      LORIS_EPHYS_MODE: 'standalone',
      LORIS_EPHYS_DATA: data(),
      LORIS_EPHYS_LOG_LEVEL: 'warn',
    });
    const list = (await get(`${service.baseUrl}/ephys/recordings`)).json() as {
      recordings: { id: number; path: string }[];
    };
    for (const r of list.recordings) ids.set(r.path, r.id);
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers 422 for a map of a recording whose .eeg points outside, without its samples', async () => {
    const inside = await mapOf('inside');
    expect(inside.status).toBe(200);
    const escaped = await mapOf('escape');
    expect(escaped.status).toBe(422);
    expect(escaped.json()).toEqual({
      error: {
        code: 'unreadable_recording',
        message: 'The recording cannot be read: the file test.eeg is outside the data directory',
      },
    });
    expect(escaped.text).not.toContain('values');
    expect(escaped.text).not.toContain(dir);
  }, 60_000);

  it('logs the refusal with the relative path and reason, never the target', async () => {
    // Maps run in worker threads, whose log lines reach the service's stdout a moment later.
    for (let i = 0; i < 100 && !service.output().includes('refused a file of a recording'); i++)
      await new Promise((r) => setTimeout(r, 50));
    const log = service.output();
    expect(log).toContain('refused a file of a recording');
    expect(log).toContain('escape/test.eeg');
    expect(log).toContain('outside_root');
    expect(log).not.toContain(join(dir, 'outside'));
  });

  it('describes the recording with the refusal as its descriptionError', async () => {
    const r = await get(`${service.baseUrl}/ephys/${ids.get('escape/test.vhdr')}`);
    expect(r.status).toBe(200);
    expect((r.json() as { descriptionError?: { code: string } }).descriptionError?.code).toBe(
      'unreadable_recording',
    );
  }, 60_000);

  it('refuses a FIFO .eeg without blocking the request', async () => {
    const r = await mapOf('fifo');
    expect(r.status).toBe(422);
    expect(r.text).toContain('is not a regular file');
  }, 60_000);

  it('serves a .eeg symlinked to a file inside the data directory, with the inside file’s values', async () => {
    const inside = (await mapOf('inside')).json() as MapBody;
    const linked = await mapOf('linked');
    expect(linked.status).toBe(200);
    expect((linked.json() as MapBody).values).toEqual(inside.values);
  }, 60_000);
});
