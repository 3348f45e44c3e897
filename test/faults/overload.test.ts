/**
 * Overload and misbehaving clients, through serverless-offline in standalone mode over the demo sample:
 * - a request past LORIS_EPHYS_REQUEST_TIMEOUT_MS answers 504 timeout; its slot stays taken while its work
 *   still runs (a timed-out request cannot make room for more work than the cap), then is freed;
 * - requests over LORIS_EPHYS_MAX_CONCURRENT answer 429 too_many_requests with the cap and Retry-After;
 * - clients that hang up before or during the response leave the service answering, with no slot leaked.
 */
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get, startOffline, type FetchResult, type OfflineService } from '../helpers/offline';
import { projectRoot } from '../helpers/testdata';

const HEAVY = 'tmin=0&tmax=60&lfreq=1&hfreq=40&res=256&size=2048';
const errorOf = (r: FetchResult) => (r.json() as { error: { code: string; message: string } }).error;

/**
 * Retries until a 200 (the machine may be busy, and abandoned work may still hold its slot for a while); a slot
 * never freed would show as 429s until the attempts run out.
 */
async function eventually200(url: string, attempts = 60): Promise<FetchResult> {
  let last: FetchResult | undefined;
  for (let i = 0; i < attempts; i++) {
    last = await get(url);
    if (last.status === 200) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no 200 after ${attempts} attempts (last ${last?.status} ${last?.text})`);
}

/** Sends a GET and hangs up: right after sending, or as soon as the first response bytes arrive. */
function hangUp(baseUrl: string, path: string, when: 'after-send' | 'first-byte'): Promise<void> {
  return new Promise((resolve) => {
    const req = request(`${baseUrl}${path}`, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
      res.once('end', () => resolve());
    });
    req.on('error', () => resolve());
    req.end(() => {
      if (when === 'after-send') setTimeout(() => (req.destroy(), resolve()), 5);
    });
  });
}

describe('overload, timeouts and disconnects over HTTP', () => {
  let dataDir: string;
  let mapPath: string;
  let sensorsPath: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'loris-faults-overload-'));
    execFileSync(
      process.execPath,
      [join(projectRoot, 'dist/cli/index.js'), 'make-demo', join(dataDir, 'demo')],
      { stdio: 'ignore' },
    );
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = async (env: Record<string, string>): Promise<OfflineService> => {
    const service = await startOffline(
      { LORIS_EPHYS_MODE: 'standalone', LORIS_EPHYS_DATA: dataDir, LORIS_EPHYS_LOG_LEVEL: 'warn', ...env },
      120_000,
    );
    const list = (await get(`${service.baseUrl}/ephys/recordings`)).json() as {
      recordings: { id: number }[];
    };
    const id = list.recordings[0]?.id ?? 0;
    mapPath = `/ephys/${id}/topographic-map`;
    sensorsPath = `/ephys/${id}/sensors`;
    return service;
  };

  describe('with a 100 ms request timeout, one heavy request at a time and no waiting line', () => {
    let service: OfflineService;
    beforeAll(async () => {
      service = await start({
        LORIS_EPHYS_REQUEST_TIMEOUT_MS: '100',
        LORIS_EPHYS_MAX_CONCURRENT: '1',
        LORIS_EPHYS_MAX_QUEUED: '0',
      });
    }, 180_000);
    afterAll(() => service?.stop());

    it('answers 504 timeout for a request that outlives the timeout, and admits the next once its work ends', async () => {
      const slow = await get(`${service.baseUrl}${mapPath}?${HEAVY}`);
      expect(slow.status).toBe(504);
      expect(errorOf(slow)).toMatchObject({ code: 'timeout', message: expect.stringContaining('100 ms') });
      expect(slow.headers.get('cache-control')).toBe('no-store');
      // Right after the 504 the abandoned work may still hold the only slot (429); a map worker's task is
      // cancelled at once, and then this request's own first open of the recording in the main thread (the map
      // opened it in a worker) may itself outlive 100 ms on a busy machine (504).
      const meanwhile = await get(`${service.baseUrl}${sensorsPath}`);
      expect([200, 429, 504]).toContain(meanwhile.status);
      await eventually200(`${service.baseUrl}${sensorsPath}`);
    }, 60_000);

    it('answers 429 with the cap and Retry-After to heavy requests over the cap, and serves again after', async () => {
      const windows = [0, 10, 20, 30, 40, 50].map(
        (a) => `${mapPath}?tmin=${a}&tmax=${a + 9}&lfreq=1&hfreq=40`,
      );
      const answers = await Promise.all(windows.map((p) => get(`${service.baseUrl}${p}`)));
      const statuses = answers.map((r) => r.status);
      expect(statuses.every((s) => s === 200 || s === 429 || s === 504)).toBe(true);
      const refused = answers.filter((r) => r.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      for (const r of refused) {
        expect(r.headers.get('retry-after')).toBe('1');
        expect(errorOf(r)).toMatchObject({
          code: 'too_many_requests',
          message: expect.stringContaining('at most 1'),
        });
      }
      await eventually200(`${service.baseUrl}${sensorsPath}`);
    }, 60_000);
  });

  describe('with clients hanging up', () => {
    let service: OfflineService;
    beforeAll(async () => {
      service = await start({ LORIS_EPHYS_MAX_CONCURRENT: '2' });
    }, 180_000);
    afterAll(() => service?.stop());

    it('keeps answering after clients disconnect before and during responses, with no slot leaked', async () => {
      expect((await get(`${service.baseUrl}${mapPath}?tmin=1&tmax=2`)).status).toBe(200);
      const big = (a: number) => `${mapPath}?tmin=${a}&tmax=${a + 1}&size=2048&res=128`;
      for (let round = 0; round < 4; round++) {
        await Promise.all([
          hangUp(service.baseUrl, big(round * 10), 'after-send'),
          hangUp(service.baseUrl, big(round * 10 + 5), 'first-byte'),
          hangUp(service.baseUrl, sensorsPath, 'first-byte'),
        ]);
      }
      expect(service.process.exitCode).toBeNull();
      // Both slots come back: two concurrent heavy requests are admitted once the abandoned ones finish.
      await eventually200(`${service.baseUrl}${sensorsPath}`);
      await new Promise((r) => setTimeout(r, 1000));
      const pair = await Promise.all([
        get(`${service.baseUrl}${big(70)}`),
        get(`${service.baseUrl}${big(80)}`),
      ]);
      expect(pair.map((r) => r.status)).toEqual([200, 200]);
      expect(pair[0]?.bytes.subarray(1, 4).toString()).toBe('PNG');
    }, 90_000);
  });
});
