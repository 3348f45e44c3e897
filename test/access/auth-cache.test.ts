/**
 * The authorisation memo (LORIS_EPHYS_AUTH_CACHE_MS) over HTTP with a real MariaDB: a grant revoked in LORIS
 * (DELETE FROM user_perm_rel) stops working once the bound has passed, and a new grant starts working the same
 * way; LORIS's login lock-out is never taken from the memo: it begins within NEWEST_ROW_REUSE_MS (lib/service/lockout.ts,
 * a second, shorter than this bound). The waits are the bounds themselves, not a measurement: an entry read before
 * the change is never reused after bound ms.
 */
import { NEWEST_ROW_REUSE_MS } from '../../lib/service/lockout';
import { buildAccessWorld, SETUP_TIMEOUT_MS, startService, type AccessWorld } from '../helpers/access-world';
import { get, type FetchResult, type OfflineService } from '../helpers/offline';
import { bearer, lorisToken, STRONG_KEY } from '../helpers/tokens';

const BOUND_MS = 1500;
const ALL = 'electrophysiology_browser_view_allsites';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const codeOf = (r: FetchResult) => (r.json() as { error?: { code: string } }).error?.code;

describe('authorisation memo: a revoked grant is refused within LORIS_EPHYS_AUTH_CACHE_MS', () => {
  let world: AccessWorld;
  let service: OfflineService;
  let userId: number;
  let token: Record<string, string>;
  let url: string;

  beforeAll(async () => {
    world = await buildAccessWorld();
    userId = await world.db.seed.user({
      username: 'memo_viewer',
      permissions: [ALL],
      sites: [],
      projects: [world.projects.P1],
    });
    token = bearer(await lorisToken(STRONG_KEY, 'memo_viewer'));
    service = await startService({
      LORIS_EPHYS_MODE: 'loris',
      ...world.db.env(),
      LORIS_EPHYS_LOG_LEVEL: 'info',
      LORIS_EPHYS_AUTH_CACHE_MS: String(BOUND_MS),
    });
    url = `${service.baseUrl}/ephys/${world.files.A1}`;
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await world?.cleanup();
  });

  const grant = () =>
    world.db.root.execute(
      'INSERT INTO user_perm_rel (userID, permID) SELECT ?, permID FROM permissions WHERE code = ?',
      [userId, ALL],
    );
  const revoke = () => world.db.root.execute('DELETE FROM user_perm_rel WHERE userID = ?', [userId]);

  it('serves while granted, refuses (404, reason logged) once the bound has passed after the revocation, and serves again after a new grant', async () => {
    expect((await get(url, token)).status).toBe(200);
    await revoke();
    // Within the bound the memo may still answer for the old grant; either answer is allowed here.
    expect([200, 404]).toContain((await get(url, token)).status);
    await pause(BOUND_MS + 100);
    const refused = await get(url, token);
    expect(refused.status).toBe(404);
    expect(codeOf(refused)).toBe('recording_not_found'); // the 404 policy: as if it did not exist
    expect(service.output()).toContain('"reason":"permission_denied"');
    await grant();
    await pause(BOUND_MS + 100);
    expect((await get(url, token)).status).toBe(200);
  }, 60_000);

  it("applies LORIS's login lock-out within the newest login row's reuse time (never from the memo)", async () => {
    expect((await get(url, token)).status).toBe(200);
    try {
      for (let i = 0; i < 11; i++) {
        await world.db.root.execute(
          `INSERT INTO user_login_history (userID, Success, Login_timestamp, IP_address)
             VALUES ('memo_viewer', 'N', NOW() - INTERVAL 1 MINUTE, '127.0.0.1')`,
        );
      }
      await pause(NEWEST_ROW_REUSE_MS + 100);
      const locked = await get(url, token);
      expect(locked.status).toBe(401);
      expect(codeOf(locked)).toBe('invalid_token');
    } finally {
      await world.db.root.execute('DELETE FROM user_login_history');
    }
    expect((await get(url, token)).status).toBe(200);
  }, 60_000);
});
