/**
 * Database stopped and restarted mid-run, for the heavy routes (LORIS mode, through serverless-offline).
 * test/access/outage.test.ts covers the metadata route and health; here the sensors and topographic-map routes,
 * which also read LORIS's stored electrodes, channel status and events, serve a real recording, answer 503
 * database_unavailable while the database is away (refused or hanging), and serve again as soon as it is back,
 * from the same service process (no restart). Each outage starts NEWEST_ROW_REUSE_MS after the last answer: within
 * that time a request may be answered from the authorisation memos alone (lib/service/lockout.ts).
 */
import { join } from 'node:path';
import { NEWEST_ROW_REUSE_MS } from '../../lib/service/lockout';
import { buildAccessWorld, SETUP_TIMEOUT_MS, type AccessWorld } from '../helpers/access-world';
import {
  get,
  startOffline,
  withoutRequestId,
  type FetchResult,
  type OfflineService,
} from '../helpers/offline';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { writeTenTwentyEdf } from '../helpers/ten-twenty-edf';
import { describeWithData } from '../helpers/testdata';
import { bearer, lorisToken, STRONG_KEY } from '../helpers/tokens';

describeWithData('database outage on the heavy routes', () => {
  let world: AccessWorld;
  let proxy: TcpProxy;
  let service: OfflineService;
  let token: Record<string, string>;
  let urls: string[];

  beforeAll(async () => {
    world = await buildAccessWorld();
    // The A1 cell's file becomes a real recording (19 EEG channels with 10-20 names, so it can be mapped).
    writeTenTwentyEdf(join(world.dataDir, 'bids_imports/ds/sub-A1/ses-V1/eeg/sub-A1_task-rest_eeg.edf'));
    await world.db.seed.user({
      username: 'viewer',
      permissions: ['superuser'],
      projects: [world.projects.P1],
    });
    token = bearer(await lorisToken(STRONG_KEY, 'viewer'));
    proxy = await startTcpProxy('127.0.0.1', 3306);
    service = await startOffline(
      { LORIS_EPHYS_MODE: 'loris', ...world.db.env('127.0.0.1', proxy.port), LORIS_EPHYS_LOG_LEVEL: 'warn' },
      SETUP_TIMEOUT_MS,
    );
    const base = `${service.baseUrl}/ephys/${world.files.A1}`;
    urls = [`${base}/sensors`, `${base}/topographic-map?tmin=0.5&tmax=0.6&format=json&res=16`];
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await proxy?.close();
    await world?.cleanup();
  });

  const all = (): Promise<FetchResult[]> => Promise.all(urls.map((u) => get(u, token)));
  const expectServed = async () => {
    const answers = await all();
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    return answers;
  };
  const expectUnavailable = async () => {
    for (const r of await all()) {
      expect(r.status).toBe(503);
      expect((r.json() as { error: { code: string } }).error.code).toBe('database_unavailable');
      // The answer's request id is random hex and may hold "3306" by chance: the rest must not name the database.
      expect(withoutRequestId(r.text)).not.toMatch(/ECONN|3306|127\.0\.0\.1/);
    }
  };

  /** Past the time in which the last answer's lookups may stand for the database's. */
  const memosStale = () => new Promise((r) => setTimeout(r, NEWEST_ROW_REUSE_MS + 100));

  it('serves, answers 503 while the database is refused, and serves the same answers once it is back', async () => {
    const [sensors, map] = await expectServed();
    const pid = service.process.pid;
    await memosStale();
    await proxy.setMode('down');
    await expectUnavailable();
    await expectUnavailable();
    await proxy.setMode('up');
    const [sensorsAfter, mapAfter] = await expectServed();
    expect(sensorsAfter?.json()).toEqual(sensors?.json());
    expect(mapAfter?.json()).toEqual(map?.json());
    expect(service.process.pid).toBe(pid);
    expect(service.process.exitCode).toBeNull();
  }, 60_000);

  it('answers 503 within the connect timeout while the database hangs, then recovers', async () => {
    await memosStale();
    await proxy.setMode('blackhole');
    const started = Date.now();
    await expectUnavailable();
    expect(Date.now() - started).toBeLessThan(15_000);
    await proxy.setMode('up');
    await expectServed();
  }, 60_000);
});
