/**
 * Tokens and request validation over HTTP (serverless-offline, real MariaDB): every malformed, forged,
 * expired or misdirected token is a 401 with only a code and a plain message; ids and query parameters that
 * are not what the route accepts (SQL injection attempts included) are a 400 before any SQL runs. Tokens must
 * name LORIS (iss = aud = its base URL, here from Config `url`), and LORIS's login lock-out applies.
 */
import { createHmac } from 'node:crypto';
import { NEWEST_ROW_REUSE_MS } from '../../lib/service/lockout';
import { buildAccessWorld, SETUP_TIMEOUT_MS, startService, type AccessWorld } from '../helpers/access-world';
import { get, type OfflineService } from '../helpers/offline';
import { bearer, lorisToken, rawToken, STRONG_KEY, TEST_BASE_URL } from '../helpers/tokens';

const USER = 'reader';
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  iss: TEST_BASE_URL,
  aud: TEST_BASE_URL,
  iat: now(),
  nbf: now(),
  exp: now() + 3600,
  user: USER,
  ...extra,
});
const hmac = (alg: 'sha256', data: string) => createHmac(alg, STRONG_KEY).update(data).digest('base64url');

/** header/payload signed with the right key but announcing another algorithm. */
function signedWithHeader(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const unsigned = rawToken(header, payload).slice(0, -1);
  return `${unsigned}.${hmac('sha256', unsigned)}`;
}

describe('tokens and validation over HTTP', () => {
  let world: AccessWorld;
  let service: OfflineService;
  let url: string;
  let tokenCases = 0;

  beforeAll(async () => {
    world = await buildAccessWorld();
    await world.db.seed.user({
      username: USER,
      permissions: ['electrophysiology_browser_view_allsites'],
      projects: [world.projects.P1, world.projects.P2],
    });
    // LORIS's base URL as older releases store it (Config `url`), with a trailing slash tokens leave out.
    await world.db.root.query(
      "INSERT INTO ConfigSettings (Name, Description, Visible, AllowMultiple, DataType, Label, OrderNumber) VALUES ('url', 'Main project URL', 1, 0, 'text', 'Main project URL', 2)",
    );
    await world.db.seed.config('url', `${TEST_BASE_URL}/`);
    service = await startService({
      LORIS_EPHYS_MODE: 'loris',
      ...world.db.env(),
      LORIS_EPHYS_LOG_LEVEL: 'info',
    });
    url = `${service.baseUrl}/ephys/${world.files.A1}`;
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await world?.cleanup();
    console.log(`token cases checked over HTTP: ${tokenCases}`);
  });

  const expectRefused = async (headers: Record<string, string>, code: string) => {
    const r = await get(url, headers);
    tokenCases++;
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm="loris-ephys-api"/);
    const body = r.json() as { error: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(['error']);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
    expect(body.error.code).toBe(code);
    expect(r.text).not.toContain(USER);
  };

  it('accepts a LORIS token for an allowed user (the control for every case below)', async () => {
    expect((await get(url, bearer(await lorisToken(STRONG_KEY, USER)))).status).toBe(200);
    // The scheme is case-insensitive; exp 10 s ago is inside the clock tolerance.
    expect((await get(url, { Authorization: `bearer ${await lorisToken(STRONG_KEY, USER)}` })).status).toBe(
      200,
    );
    expect(
      (await get(url, bearer(await lorisToken(STRONG_KEY, USER, { iat: -3600, nbf: -3600, exp: -10 }))))
        .status,
    ).toBe(200);
  });

  it.each([
    ['no Authorization header', {}],
    ['another scheme', { Authorization: 'Basic cmVhZGVyOnNlY3JldA==' }],
    ['Bearer without a token', { Authorization: 'Bearer ' }],
    ['an over-long Authorization header', { Authorization: `Bearer ${'a'.repeat(9000)}` }],
  ])('refuses %s with 401 authentication_required', async (_, headers: Record<string, string>) => {
    await expectRefused(headers, 'authentication_required');
  });

  const invalid: [string, () => Promise<string> | string][] = [
    ['an expired token', () => lorisToken(STRONG_KEY, USER, { iat: -7200, nbf: -7200, exp: -3600 })],
    ['a token not valid before an hour from now', () => lorisToken(STRONG_KEY, USER, { nbf: 3600 })],
    ['a token issued in the future', () => lorisToken(STRONG_KEY, USER, { iat: 3600, nbf: 0 })],
    [
      'a token issued more than 24 h ago with a far exp',
      () => lorisToken(STRONG_KEY, USER, { iat: -200000, nbf: -200000, exp: 86400 }),
    ],
    ['a token signed with another key', () => lorisToken('Another-strong_key#2026$abc', USER)],
    ['alg none', () => rawToken({ alg: 'none', typ: 'JWT' }, claims())],
    ['HS512 with the right key', () => lorisToken(STRONG_KEY, USER, { alg: 'HS512' })],
    [
      'an RS256 header over an HMAC signature',
      () => signedWithHeader({ alg: 'RS256', typ: 'JWT' }, claims()),
    ],
    ['a token without user', () => lorisToken(STRONG_KEY, undefined)],
    ["the proof of concept's {user: {userID}} shape", () => lorisToken(STRONG_KEY, { userID: 1 })],
    ['an empty user', () => lorisToken(STRONG_KEY, '')],
    ['an unknown user', () => lorisToken(STRONG_KEY, 'nobody_here')],
    ['an SQL injection as user', () => lorisToken(STRONG_KEY, "' OR '1'='1")],
    ['a token without exp', () => signedWithHeader({ alg: 'HS256', typ: 'JWT' }, { iat: now(), user: USER })],
    ['a token without iss', () => lorisToken(STRONG_KEY, USER, { iss: null })],
    ['a token without aud', () => lorisToken(STRONG_KEY, USER, { aud: null })],
    ['iss and aud that differ', () => lorisToken(STRONG_KEY, USER, { aud: 'https://other.example.org' })],
    ['aud as a list', () => lorisToken(STRONG_KEY, USER, { aud: [TEST_BASE_URL] })],
    [
      "another LORIS's token (same key, other base URL)",
      () =>
        lorisToken(STRONG_KEY, USER, { iss: 'https://other.example.org', aud: 'https://other.example.org' }),
    ],
    ['garbage', () => 'this.is.not-a-jwt'],
    ['random bytes', () => Buffer.from('\u0000\u00ff binary garbage').toString('base64')],
    [
      'an over-long JWT header',
      () => signedWithHeader({ alg: 'HS256', typ: 'JWT', pad: 'x'.repeat(3000) }, claims()),
    ],
    [
      'a token with a tampered payload',
      async () => {
        const [h, , s] = (await lorisToken(STRONG_KEY, 'someone_else')).split('.');
        return `${h}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.${s}`;
      },
    ],
  ];
  it.each(invalid)('refuses %s with 401 invalid_token', async (_, make) => {
    await expectRefused(bearer(await make()), 'invalid_token');
  });

  it('accepts the base URL with a trailing slash or another case in its host, as LORIS may write it', async () => {
    for (const base of [`${TEST_BASE_URL}/`, 'HTTPS://LORIS.Example.org']) {
      const token = await lorisToken(STRONG_KEY, USER, { iss: base, aud: base });
      expect((await get(url, bearer(token))).status).toBe(200);
    }
  });

  describe("LORIS's login lock-out (user_login_history)", () => {
    const failures = async (count: number, address: string, minutesAgo = 1) => {
      for (let i = 0; i < count; i++) {
        await world.db.root.execute(
          `INSERT INTO user_login_history (userID, Success, Login_timestamp, IP_address)
             VALUES (?, 'N', NOW() - INTERVAL ? MINUTE, ?)`,
          [USER, minutesAgo, address],
        );
      }
    };
    const success = async (address: string) =>
      world.db.root.execute(
        "INSERT INTO user_login_history (userID, Success, Login_timestamp, IP_address) VALUES (?, 'Y', NOW(), ?)",
        [USER, address],
      );
    afterEach(async () => {
      await world.db.root.execute('DELETE FROM user_login_history');
    });
    /** A lock-out begins within NEWEST_ROW_REUSE_MS of the failure that makes it (lib/service/lockout.ts). */
    const lockoutBegins = () => new Promise((r) => setTimeout(r, NEWEST_ROW_REUSE_MS + 100));

    it('refuses a token while more than 10 failures in 15 min came from the client address (401)', async () => {
      const token = bearer(await lorisToken(STRONG_KEY, USER));
      await failures(10, '127.0.0.1');
      expect((await get(url, token)).status).toBe(200); // 10 is not more than 10
      await failures(1, '127.0.0.1');
      await lockoutBegins();
      await expectRefused(token, 'invalid_token');
      expect(service.output()).toContain('"reason":"account_locked"');
    });

    it('counts more than 15 failures in 60 min, and only those since the last successful login', async () => {
      const token = bearer(await lorisToken(STRONG_KEY, USER));
      await failures(16, '127.0.0.1', 30);
      await lockoutBegins();
      await expectRefused(token, 'invalid_token');
      await success('127.0.0.1');
      expect((await get(url, token)).status).toBe(200);
    });

    it("judges the browser's address from a loopback gateway's X-Forwarded-For", async () => {
      await failures(11, '203.0.113.7');
      await lockoutBegins();
      const token = bearer(await lorisToken(STRONG_KEY, USER));
      expect((await get(url, token)).status).toBe(200); // the peer (127.0.0.1) has no failures
      await expectRefused({ ...token, 'X-Forwarded-For': '203.0.113.7' }, 'invalid_token');
      expect((await get(url, { ...token, 'X-Forwarded-For': '198.51.100.1' })).status).toBe(200);
    });
  });

  it.each([
    ['1 OR 1=1'],
    ['1;DROP TABLE users'],
    ["1'--"],
    ['0'],
    ['-1'],
    ['1e3'],
    ['0x10'],
    ['01'],
    ['1.0'],
    ['4294967296'],
    ['99999999999999999999'],
  ])('refuses the id %j with 400 before any lookup', async (id) => {
    const r = await get(
      `${service.baseUrl}/ephys/${encodeURIComponent(id)}`,
      bearer(await lorisToken(STRONG_KEY, USER)),
    );
    expect(r.status).toBe(400);
    expect((r.json() as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('refuses query parameters the route does not take (400), injection attempts included', async () => {
    const token = bearer(await lorisToken(STRONG_KEY, USER));
    for (const query of ['id=1%20OR%201%3D1', 'physioFileId=2', "x='%3B%20DROP%20TABLE%20users%3B--"]) {
      const r = await get(`${url}?${query}`, token);
      expect(r.status).toBe(400);
    }
    const [rows] = await world.db.root.query('SELECT COUNT(*) AS n FROM users');
    expect(rows).toEqual([{ n: 1 }]);
  });
});
