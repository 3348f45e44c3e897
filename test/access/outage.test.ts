/**
 * Database outage over HTTP: the service reaches MariaDB through a TCP proxy owned by the test. With the
 * proxy down, requests get 503 database_unavailable (and /health says so); with it hanging, they
 * still answer 503 within the connect timeout; when it comes back the very next request succeeds — no restart.
 * Each outage starts NEWEST_ROW_REUSE_MS after the last answer: within that time a request may be answered from the
 * authorisation memos alone (the newest login row reused, lib/service/lockout.ts) without reaching the database.
 */
import { NEWEST_ROW_REUSE_MS } from '../../lib/service/lockout';
import { buildAccessWorld, SETUP_TIMEOUT_MS, startService, type AccessWorld } from '../helpers/access-world';
import { get, withoutRequestId, type OfflineService } from '../helpers/offline';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { bearer, lorisToken, STRONG_KEY } from '../helpers/tokens';

describe('database outage and recovery over HTTP', () => {
  let world: AccessWorld;
  let proxy: TcpProxy;
  let service: OfflineService;
  let token: Record<string, string>;
  let url: string;

  beforeAll(async () => {
    world = await buildAccessWorld();
    await world.db.seed.user({
      username: 'reader',
      permissions: ['superuser'],
      projects: [world.projects.P1],
    });
    token = bearer(await lorisToken(STRONG_KEY, 'reader'));
    proxy = await startTcpProxy('127.0.0.1', 3306);
    service = await startService({
      LORIS_EPHYS_MODE: 'loris',
      ...world.db.env('127.0.0.1', proxy.port),
      LORIS_EPHYS_LOG_LEVEL: 'warn',
    });
    url = `${service.baseUrl}/ephys/${world.files.A1}`;
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await proxy?.close();
    await world?.cleanup();
  });

  const expectUnavailable = async () => {
    const r = await get(url, token);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('5');
    const body = r.json() as { error: { code: string; message: string } };
    expect(body.error.code).toBe('database_unavailable');
    // The answer's request id is random hex and may hold "3306" by chance: the rest must not name the database.
    expect(withoutRequestId(r.text)).not.toMatch(/ECONN|3306|127\.0\.0\.1|ephys_t_/);
  };

  it('serves while the database is up', async () => {
    expect((await get(url, token)).status).toBe(200);
  });

  /** Past the time in which the last answer's lookups may stand for the database's. */
  const memosStale = () => new Promise((r) => setTimeout(r, NEWEST_ROW_REUSE_MS + 100));

  it('answers 503 database_unavailable when the database goes away mid-run, and health says so', async () => {
    await memosStale();
    await proxy.setMode('down');
    await expectUnavailable();
    await expectUnavailable();
    const health = await get(`${service.baseUrl}/health`);
    expect(health.status).toBe(503);
    expect(health.json()).toMatchObject({
      status: 'degraded',
      checks: { database: { ok: false, detail: 'unreachable (ECONNREFUSED)' } },
    });
  });

  it('recovers by itself on the first request after the database returns', async () => {
    await proxy.setMode('up');
    expect((await get(url, token)).status).toBe(200);
    expect((await get(`${service.baseUrl}/health`)).status).toBe(200);
  });

  it('answers 503 within the connect timeout when the database hangs, then recovers', async () => {
    await memosStale();
    await proxy.setMode('blackhole');
    const started = Date.now();
    await expectUnavailable();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(15000);
    await proxy.setMode('up');
    expect((await get(url, token)).status).toBe(200);
  }, 60000);
});
