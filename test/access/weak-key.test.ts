/**
 * A JWTKey that fails LORIS's own strength rule is a configuration error: every token — even one correctly
 * signed with that key — is refused with 503 auth_misconfigured, and /health's jwtKey check says why.
 */
import { buildAccessWorld, SETUP_TIMEOUT_MS, startService, type AccessWorld } from '../helpers/access-world';
import { get, type OfflineService } from '../helpers/offline';
import { bearer, lorisToken } from '../helpers/tokens';

const WEAK_KEY = 'onlylettersandnodigitsatall';

describe('weak JWTKey over HTTP', () => {
  let world: AccessWorld;
  let service: OfflineService;

  beforeAll(async () => {
    world = await buildAccessWorld();
    await world.db.seed.user({
      username: 'reader',
      permissions: ['superuser'],
      projects: [world.projects.P1],
    });
    await world.db.seed.config('JWTKey', WEAK_KEY);
    service = await startService({
      LORIS_EPHYS_MODE: 'loris',
      ...world.db.env(),
      LORIS_EPHYS_LOG_LEVEL: 'warn',
    });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await world?.cleanup();
  });

  it('refuses a token signed with the weak key (503 auth_misconfigured)', async () => {
    const r = await get(
      `${service.baseUrl}/ephys/${world.files.A1}`,
      bearer(await lorisToken(WEAK_KEY, 'reader')),
    );
    expect(r.status).toBe(503);
    const body = r.json() as { error: { code: string; message: string } };
    expect(body.error.code).toBe('auth_misconfigured');
    expect(r.text).not.toContain(WEAK_KEY);
  });

  it('refuses requests without a token the same way', async () => {
    expect((await get(`${service.baseUrl}/ephys/${world.files.A1}`)).status).toBe(503);
  });

  it('reports the weak key in /health without revealing it', async () => {
    const r = await get(`${service.baseUrl}/health`);
    expect(r.status).toBe(503);
    expect(r.json()).toMatchObject({
      status: 'degraded',
      checks: { jwtKey: { ok: false, detail: expect.stringContaining('strength') }, database: { ok: true } },
    });
    expect(r.text).not.toContain(WEAK_KEY);
  });
});
