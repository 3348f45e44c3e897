/**
 * deploy/offline/direct-invoke.cjs: GET requests handed to an in-process handler directly once serverless-offline
 * has loaded it. The event is the one serverless-offline builds (compared with its own class on real requests,
 * in three time zones), and through the real front the answers are the same whichever path made them: the first
 * request of a function goes through serverless-offline, the later ones do not (its per-invocation notices
 * count them), and LORIS_EPHYS_DIRECT_INVOKE=false sends them all through serverless-offline again.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDemo } from '../../cli/demo';
import { get, startOffline, type FetchResult } from '../helpers/offline';
import { projectRoot } from '../helpers/testdata';

interface EventPair {
  path: string;
  status: number;
  body: { same: boolean; ours: unknown; theirs: unknown };
}

const eventPairs = (tz: string): EventPair[] =>
  JSON.parse(
    execFileSync(process.execPath, [join(__dirname, 'fixtures', 'direct-invoke-events.mjs')], {
      cwd: projectRoot,
      env: { ...process.env, TZ: tz },
      encoding: 'utf8',
    }),
  ) as EventPair[];

describe.each(['UTC', 'America/Toronto', 'Asia/Kolkata'])('the event in time zone %s', (tz) => {
  it("is serverless-offline's event for the same request", () => {
    const pairs = eventPairs(tz);
    expect(pairs).toHaveLength(4);
    for (const pair of pairs) {
      expect(pair.status).toBe(200);
      expect(pair.body.ours).toEqual(pair.body.theirs);
      expect(pair.body.same).toBe(true);
    }
  });
});

/** serverless-offline's own invocations of `fn` so far (its notice after each one). */
const invocations = (output: string, fn: string): number => output.split(`(λ: ${fn}) RequestId:`).length - 1;

/** An answer without what differs between any two answers (request id, date). */
const comparable = (a: FetchResult) => ({
  status: a.status,
  type: a.headers.get('content-type'),
  etag: a.headers.get('etag'),
  cache: a.headers.get('cache-control'),
  bytes: a.bytes.toString('base64'),
});

describe.each([
  ['on', {}, 1],
  ['off', { LORIS_EPHYS_DIRECT_INVOKE: 'false' }, 4],
])('through the real front, direct calls %s', (_, setting, expectedInvocations) => {
  let dataDir = '';
  afterAll(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(`gives the same answers; serverless-offline runs the map handler ${expectedInvocations} time(s) of 4`, async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'loris-ephys-direct-'));
    makeDemo(dataDir);
    const service = await startOffline({
      LORIS_EPHYS_MODE: 'standalone',
      LORIS_EPHYS_DATA: dataDir,
      LORIS_EPHYS_LOG_LEVEL: 'warn',
      SLS_LOG_LEVEL: 'notice',
      ...setting,
    });
    try {
      const base = service.baseUrl;
      const list = (await get(`${base}/ephys/recordings`)).json() as { recordings: { id: number }[] };
      const map = `${base}/ephys/${list.recordings[0]?.id}/topographic-map?tmin=1&tmax=2&size=256`;
      const first = await get(map);
      const again = await get(map);
      const notModified = await get(map, { 'If-None-Match': first.headers.get('etag') ?? '' });
      const refused = await get(`${base}/ephys/${list.recordings[0]?.id}/topographic-map?size=7`);
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toBe('image/png');
      expect(comparable(again)).toEqual(comparable(first));
      expect(notModified.status).toBe(304);
      expect(notModified.bytes).toHaveLength(0);
      expect(refused.status).toBe(400);
      expect((refused.json() as { error: { code: string } }).error.code).toBe('invalid_request');
      expect(refused.headers.get('x-request-id')).toMatch(/^[\w.:-]+$/);
      expect(invocations(service.output(), 'topomap')).toBe(expectedInvocations);
      expect(invocations(service.output(), 'recordings')).toBe(1);
    } finally {
      await service.stop();
    }
  });
});
