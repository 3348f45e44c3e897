/**
 * The PHP imaging gateway (deploy/loris, a drop-in for LORIS's imaging_gateway module) for real: PHP's built-in
 * server runs the front controller as LORIS installed under /loris would, in front of the service under
 * serverless-offline in LORIS mode, with MariaDB holding LORIS's schema, the gateway settings applied by
 * deploy/loris/sql/imaging_gateway.sql, and real EDF and CTF recordings in a temporary data directory. A small
 * Node upstream stands in for the service where the test must see what the gateway sends or make it answer
 * something the service never does (Set-Cookie, Location).
 * PHP (php-cli) and its MySQL extension (php-mysql) are required: without them this file fails, it never skips.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { verifyLorisToken } from '../../lib/auth/jwt';
import { createLorisTestDb, MARIADB_SOCKET, type LorisTestDb } from '../helpers/loris-db';
import { freePort, get, startOffline, type FetchResult, type OfflineService } from '../helpers/offline';
import { describeWithData, projectRoot, testDataPath } from '../helpers/testdata';
import { writeTenTwentyEdf } from '../helpers/ten-twenty-edf';
import { startPhpServer, type PhpServer } from '../helpers/php-gateway';
import { bearer, STRONG_KEY } from '../helpers/tokens';

const FIXTURES = join(projectRoot, 'test', 'deploy', 'fixtures');
const GATEWAY_SQL = join(projectRoot, 'deploy', 'loris', 'sql', 'imaging_gateway.sql');
const GATEWAY = '/loris/imaging_gateway';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const NOT_FOUND = { error: 'The requested resource was not found.' };

/** Fails loudly (with what to install) when php or its MySQL extension is missing. */
function requirePhp(): void {
  const modules = spawnSync('php', ['-m'], { encoding: 'utf8' });
  if (modules.error || modules.status !== 0) {
    throw new Error('php-proxy test: `php` is not installed (Debian: apt-get install php-cli php-mysql)');
  }
  if (!/^pdo_mysql$/m.test(modules.stdout)) {
    throw new Error('php-proxy test: PHP has no pdo_mysql (Debian: apt-get install php-mysql)');
  }
}

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface EchoUpstream {
  url: string;
  seen: SeenRequest[];
  /** Resolves when a request for /ephys/hold arrived; the answer waits for `release()`. */
  held: Promise<void>;
  release: () => void;
  server: Server;
}

/**
 * A stand-in service: records every request; /ephys/echo answers with Set-Cookie and service-like headers,
 * /ephys/redirect?to=URL with that Location, /ephys/teapot a 418 with a body, /ephys/hold waits for release().
 */
async function startEchoUpstream(): Promise<EchoUpstream> {
  const seen: SeenRequest[] = [];
  let release = (): void => undefined;
  let arrived = (): void => undefined;
  const held = new Promise<void>((r) => (arrived = r));
  const releasing = new Promise<void>((r) => (release = r));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://upstream');
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const common = { 'X-Request-ID': 'req-echo-1', 'Set-Cookie': 'upstream=secret; Path=/' };
      if (url.pathname === '/ephys/redirect') {
        res.writeHead(302, { ...common, Location: url.searchParams.get('to') ?? '/' }).end();
      } else if (url.pathname === '/ephys/teapot') {
        res
          .writeHead(418, { ...common, 'Content-Type': 'text/plain' })
          .end('internal detail: /data/secret/path');
      } else if (url.pathname === '/ephys/hold') {
        arrived();
        void releasing.then(() => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('released'));
      } else {
        res.writeHead(200, {
          ...common,
          'Content-Type': 'application/json',
          ETag: '"echo-etag"',
          'Cache-Control': 'private, no-cache',
          'Content-Security-Policy': "default-src 'none'",
          Connection: 'close, X-Upstream-Private',
          'X-Upstream-Private': 'hop',
        });
        res.end(JSON.stringify({ method: req.method, url: req.url }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, seen, held, release, server };
}

interface World {
  db: LorisTestDb;
  tmp: string;
  configXml: string;
  files: { edfA: number; edfB: number; ctfA: number };
}

/** One project, two sites; EDF recordings in each, a CTF recording in site A; `viewer` may see site A only. */
async function buildWorld(): Promise<World> {
  const db = await createLorisTestDb();
  const tmp = mkdtempSync(join(tmpdir(), 'loris-ephys-php-gateway-'));
  const dataDir = join(tmp, 'data');
  const { seed } = db;
  const project = await seed.project('Project One');
  const place = async (siteName: string, candId: number): Promise<{ site: number; session: number }> => {
    const site = await seed.site(siteName);
    const candidate = await seed.candidate({ pscid: `PSC${candId}`, candId, site, project });
    return { site, session: await seed.session({ candidate, site, project, visit: 'V1' }) };
  };
  const edf = async (session: number, candId: number): Promise<number> => {
    const filePath = `bids_imports/ds/sub-${candId}/ses-V1/eeg/sub-${candId}_task-rest_eeg.edf`;
    mkdirSync(dirname(join(dataDir, filePath)), { recursive: true });
    writeTenTwentyEdf(join(dataDir, filePath)); // 10-20 names: positions from the standard montage
    return seed.file({ session, filePath });
  };
  const a = await place('Site Alpha', 300001);
  const b = await place('Site Beta', 300002);
  // A .ds folder keeps its name: the files inside are named after it.
  const ctfPath = 'bids_imports/ds/sub-300001/ses-V1/meg/testdata_ctf_short_discontinuous.ds';
  cpSync(testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds'), join(dataDir, ctfPath), {
    recursive: true,
  });
  const files = {
    edfA: await edf(a.session, 300001),
    edfB: await edf(b.session, 300002),
    ctfA: await seed.file({ session: a.session, filePath: ctfPath, fileType: 'ctf', modality: 'meg' }),
  };
  const viewer = {
    permissions: ['electrophysiology_browser_view_site'],
    sites: [a.site],
    projects: [project],
  };
  await seed.user({ username: 'viewer', ...viewer });
  await seed.user({ username: 'noperm', sites: [a.site], projects: [project] });
  await seed.config('JWTKey', STRONG_KEY);
  await seed.config('dataDirBasepath', `${dataDir}/`);
  await seed.moduleActive(true);
  const configXml = join(tmp, 'config.xml');
  writeFileSync(
    configXml,
    `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<config>\n  <database>\n    <host>127.0.0.1</host>\n` +
      `    <username>${db.user}</username>\n    <password>${db.password}</password>\n` +
      `    <database>${db.name}</database>\n    <name>Test database</name>\n  </database>\n</config>\n`,
  );
  return { db, tmp, configXml, files };
}

/** Runs deploy/loris/sql/imaging_gateway.sql (twice: it must be idempotent) with the test's upstream. */
async function applyGatewaySql(db: LorisTestDb, upstreamUrl: string): Promise<void> {
  const sql = readFileSync(GATEWAY_SQL, 'utf8')
    .replace(/SET @upstream_url = '[^']*';/, `SET @upstream_url = '${upstreamUrl}';`)
    .replace(/SET @allow_demo = 0;/, 'SET @allow_demo = 1;');
  const connection = await createConnection({
    socketPath: MARIADB_SOCKET,
    user: 'root',
    database: db.name,
    multipleStatements: true,
  });
  await connection.query(sql);
  await connection.query(sql);
  await connection.end();
}

/** The values of one setting, in insertion order. */
async function settingValues(db: LorisTestDb, name: string): Promise<string[]> {
  const [rows] = await db.root.query(
    'SELECT c.Value FROM Config c JOIN ConfigSettings cs ON cs.ID = c.ConfigID WHERE cs.Name = ? ORDER BY c.ID',
    [name],
  );
  return (rows as { Value: string }[]).map((r) => r.Value);
}

/** Replaces a setting's values (one Config row each) for the duration of `body`, then restores them. */
async function withSetting<T>(
  db: LorisTestDb,
  name: string,
  values: string[],
  body: () => Promise<T>,
): Promise<T> {
  const before = await settingValues(db, name);
  const set = async (list: string[]): Promise<void> => {
    await db.root.execute(
      'DELETE c FROM Config c JOIN ConfigSettings cs ON cs.ID = c.ConfigID WHERE cs.Name = ?',
      [name],
    );
    for (const value of list)
      await db.root.execute(
        'INSERT INTO Config (ConfigID, Value) SELECT ID, ? FROM ConfigSettings WHERE Name = ?',
        [value, name],
      );
  };
  await set(values);
  try {
    return await body();
  } finally {
    await set(before);
  }
}

/** GET with the path sent exactly as given (fetch would resolve dot segments first). */
function rawGet(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const payloadOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

describeWithData('PHP imaging gateway (deploy/loris) in front of the service', () => {
  let world: World;
  let service: OfflineService;
  let echo: EchoUpstream;
  let php: PhpServer;
  let cookie: string;
  let publicGateway: string;
  let lorisBaseUrl: string;
  /** A token the gateway minted for `viewer` (seen by the echo upstream), used for direct requests. */
  let viewerToken: string;

  const login = async (user: string): Promise<string> => {
    const response = await fetch(`${php.baseUrl}/__test/login?user=${user}`);
    await response.arrayBuffer();
    return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  };
  const viaGateway = (path: string, headers: Record<string, string> = {}): Promise<FetchResult> =>
    get(`${php.baseUrl}${GATEWAY}${path}`, { Cookie: cookie, ...headers });
  const direct = (path: string, headers: Record<string, string> = {}): Promise<FetchResult> =>
    get(`${service.baseUrl}${path}`, { ...bearer(viewerToken), ...headers });
  const withEchoUpstream = <T>(body: () => Promise<T>): Promise<T> =>
    withSetting(world.db, 'imaging_gateway_upstream_url', [echo.url], body);

  beforeAll(async () => {
    requirePhp();
    world = await buildWorld();
    const phpPort = await freePort();
    publicGateway = `http://127.0.0.1:${phpPort}${GATEWAY}`;
    lorisBaseUrl = `http://127.0.0.1:${phpPort}/loris`;
    service = await startOffline({
      LORIS_EPHYS_MODE: 'loris',
      LORIS_CONFIG_XML: world.configXml,
      LORIS_BASE_URL: lorisBaseUrl,
      LORIS_EPHYS_LOG_LEVEL: 'warn',
    });
    echo = await startEchoUpstream();
    await applyGatewaySql(world.db, service.baseUrl);
    const sessionDir = join(world.tmp, 'php-sessions');
    mkdirSync(sessionDir);
    php = await startPhpServer(
      phpPort,
      {
        LORIS_CONFIG_XML: world.configXml,
        LORIS_IMAGING_GATEWAY_IDENTITY: join(FIXTURES, 'session-identity.php'),
      },
      sessionDir,
    );
    cookie = await login('viewer');
    expect(cookie).toMatch(/^PHPSESSID=\w+$/);
    await withEchoUpstream(() => viaGateway('/ephys/echo'));
    viewerToken = (echo.seen.at(-1)?.headers.authorization ?? '').replace(/^Bearer /, '');
  }, 60000);

  afterAll(async () => {
    if (process.env.GATEWAY_TEST_DEBUG) console.log(php?.log());
    await php?.stop();
    await service?.stop();
    echo?.release();
    echo?.server.closeAllConnections();
    await new Promise((r) => echo?.server.close(r));
    await world?.db.drop();
    if (world) rmSync(world.tmp, { recursive: true, force: true });
  });

  it('every PHP file under deploy/loris parses (php -l), the LORIS module included', () => {
    const files = [
      'lib/ImagingGateway.php',
      'lib/LorisDatabase.php',
      'htdocs/imaging_gateway.php',
      'identity/loris-session.php',
      'modules/imaging_gateway/php/module.class.inc',
      'modules/imaging_gateway/php/upstreambody.class.inc',
    ];
    for (const file of files) {
      const lint = spawnSync('php', ['-l', join(projectRoot, 'deploy', 'loris', file)], { encoding: 'utf8' });
      expect([file, lint.status]).toEqual([file, 0]);
    }
  });

  it("the settings SQL stores LORIS's setting names, multi-valued lists as several rows, idempotently", async () => {
    expect(await settingValues(world.db, 'imaging_gateway_upstream_url')).toEqual([service.baseUrl]);
    expect(await settingValues(world.db, 'imaging_gateway_connect_timeout_seconds')).toEqual(['5']);
    expect(await settingValues(world.db, 'imaging_gateway_hide_error_bodies')).toEqual(['true']);
    expect((await settingValues(world.db, 'imaging_gateway_allowed_paths')).sort()).toEqual(
      ['/demo', '/ephys/.*', '/health', '/meegqc/.*', '/openapi.json'].sort(),
    );
    expect((await settingValues(world.db, 'imaging_gateway_required_permissions')).sort()).toEqual([
      'electrophysiology_browser_view_allsites',
      'electrophysiology_browser_view_site',
    ]);
  });

  it('mints the token as LORIS does: HS256, iss = aud = LORIS base URL, 24 h, user = login name', async () => {
    const payload = payloadOf(viewerToken);
    const now = payload.iat as number;
    expect(payload).toEqual({
      iss: lorisBaseUrl,
      aud: lorisBaseUrl,
      iat: now,
      nbf: now,
      exp: now + 86400,
      user: 'viewer',
    });
    expect(Math.abs(now - Date.now() / 1000)).toBeLessThan(600);
    const verified = await verifyLorisToken(viewerToken, STRONG_KEY, {
      baseUrl: lorisBaseUrl,
      now: new Date(now * 1000),
    });
    expect(verified).toEqual({ ok: true, username: 'viewer' });
  });

  it('GET /health with Accept: text/plain answers 2xx text with an X-Request-ID', async () => {
    const r = await viaGateway('/health', { Accept: 'text/plain' });
    expect(r.status).toBeGreaterThanOrEqual(200);
    expect(r.status).toBeLessThan(300);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(r.headers.get('x-request-id')).toBeTruthy();
  });

  it("GET /openapi.json lists the viewer's imaging paths and names the public gateway URL as its server", async () => {
    const r = await viaGateway('/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.json() as { paths: Record<string, unknown>; servers: { url: string }[] };
    for (const path of [
      '/ephys/{physio_file_id}/topographic-map',
      '/ephys/{physio_file_id}/meg/sensors',
      '/ephys/{physio_file_id}/meg/headshape',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
    expect(doc.servers[0]?.url).toBe(publicGateway);
  });

  it("streams the viewer's topographic maps byte for byte, with and without its filter bands", async () => {
    const bands = [
      '',
      '&lfreq=0.5&hfreq=40',
      '&lfreq=1&hfreq=15',
      '&lfreq=5',
      '&hfreq=30',
      '&lfreq=10&hfreq=60',
    ];
    for (const band of bands) {
      const path = `/ephys/${world.files.edfA}/topographic-map?tmin=1&tmax=1.5${band}`;
      const proxied = await viaGateway(path, { Accept: 'image/png' });
      const straight = await direct(path, { Accept: 'image/png' });
      expect([band, straight.status, proxied.status]).toEqual([band, 200, 200]);
      expect(proxied.headers.get('content-type')).toBe('image/png');
      expect(proxied.bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      expect(proxied.bytes.equals(straight.bytes)).toBe(true);
      expect(proxied.headers.get('etag')).toBe(straight.headers.get('etag'));
      expect(proxied.headers.get('cache-control')).toBe(straight.headers.get('cache-control'));
    }
  });

  it('gives the MEG sensors of a CTF recording as the service does (x, y, z of every sensor)', async () => {
    const path = `/ephys/${world.files.ctfA}/meg/sensors`;
    const proxied = await viaGateway(path);
    const straight = await direct(path);
    expect([straight.status, proxied.status, straight.text.slice(0, 300)]).toEqual([
      200,
      200,
      expect.anything(),
    ]);
    type Sensors = { sensors: Record<string, { x: number; y: number; z: number }> };
    const positions = (r: FetchResult): Record<string, number[]> =>
      Object.fromEntries(Object.entries((r.json() as Sensors).sensors).map(([n, s]) => [n, [s.x, s.y, s.z]]));
    expect(Object.keys(positions(proxied)).length).toBeGreaterThan(0);
    expect(positions(proxied)).toEqual(positions(straight));
  });

  it('gives the MEG head shape points, or the same 404 with an empty body', async () => {
    const path = `/ephys/${world.files.ctfA}/meg/headshape`;
    const proxied = await viaGateway(path);
    const straight = await direct(path);
    expect(proxied.status).toBe(straight.status);
    if (straight.status === 200) {
      expect((proxied.json() as { points: unknown }).points).toEqual(
        (straight.json() as { points: unknown }).points,
      );
    } else {
      expect(proxied.status).toBe(404);
      expect(proxied.bytes.length).toBe(0);
    }
  });

  it("hides another site's recording: 404 with an empty body and no content type, X-Request-ID kept", async () => {
    const path = `/ephys/${world.files.edfB}/topographic-map?tmin=1&tmax=1.5`;
    const straight = await direct(path);
    expect(straight.status).toBe(404);
    expect(straight.text).toContain('recording_not_found');
    const r = await viaGateway(path);
    expect(r.status).toBe(404);
    expect(r.bytes.length).toBe(0);
    expect(r.headers.get('content-type')).toBeNull();
    expect(r.headers.get('x-request-id')).toMatch(/\S/);
  });

  it('passes an error body through when hiding is switched off', async () => {
    const path = `/ephys/${world.files.edfB}/sensors`;
    const r = await withSetting(world.db, 'imaging_gateway_hide_error_bodies', ['false'], () =>
      viaGateway(path),
    );
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/json/);
    expect(r.text).toContain('recording_not_found');
  });

  it('refuses paths outside the allow-list, dot segments and users without a listed permission: 404', async () => {
    for (const path of [
      '/other',
      '/ephysx/1',
      '/health/extra',
      '/',
      '/ephys/../demo',
      '/ephys/%2E%2e/demo',
    ]) {
      const r = await rawGet(php.baseUrl, `${GATEWAY}${path}`, { Cookie: cookie });
      expect([path, r.status, JSON.parse(r.body)]).toEqual([path, 404, NOT_FOUND]);
    }
    const noperm = await get(`${php.baseUrl}${GATEWAY}/health`, { Cookie: await login('noperm') });
    expect([noperm.status, noperm.json()]).toEqual([404, NOT_FOUND]);
  });

  it('fails closed on empty allow-lists (404) and answers 500 for a broken pattern', async () => {
    const emptyPaths = await withSetting(world.db, 'imaging_gateway_allowed_paths', [], () =>
      viaGateway('/health'),
    );
    expect([emptyPaths.status, emptyPaths.json()]).toEqual([404, NOT_FOUND]);
    const emptyPerms = await withSetting(world.db, 'imaging_gateway_required_permissions', [], () =>
      viaGateway('/health'),
    );
    expect([emptyPerms.status, emptyPerms.json()]).toEqual([404, NOT_FOUND]);
    const broken = await withSetting(
      world.db,
      'imaging_gateway_allowed_paths',
      ['/health', '(unclosed'],
      () => viaGateway('/health'),
    );
    expect(broken.status).toBe(500);
    const badUpstream = await withSetting(world.db, 'imaging_gateway_upstream_url', ['ftp://127.0.0.1'], () =>
      viaGateway('/health'),
    );
    expect(badUpstream.status).toBe(500);
    const badTimeout = await withSetting(world.db, 'imaging_gateway_connect_timeout_seconds', ['0'], () =>
      viaGateway('/health'),
    );
    expect(badTimeout.status).toBe(500);
  });

  it('answers 401 when nobody is logged in', async () => {
    const r = await get(`${php.baseUrl}${GATEWAY}/ephys/${world.files.edfA}/sensors`);
    expect(r.status).toBe(401);
    expect(r.json()).toEqual({ error: 'Authentication is required.' });
  });

  it('answers 500 without contacting the service when the JWTKey is weak', async () => {
    const r = await withSetting(world.db, 'JWTKey', ['S3cret'], () => viaGateway('/health'));
    expect([r.status, r.json()]).toEqual([
      500,
      { error: 'Unable to authenticate with the imaging service.' },
    ]);
  });

  it('answers 502 when the service is down', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const r = await withSetting(world.db, 'imaging_gateway_upstream_url', [closed], () =>
      viaGateway('/health'),
    );
    expect([r.status, r.json()]).toEqual([502, { error: 'Unable to contact the internal imaging service.' }]);
  });

  it('sends the token and its own X-Forwarded-* upstream, never the browser credentials or forwarded headers', async () => {
    const sent = await withEchoUpstream(() =>
      viaGateway('/ephys/echo?x=1&y=%20z', {
        Authorization: 'Bearer forged',
        'X-Forwarded-For': '203.0.113.9',
        'X-Forwarded-Host': 'evil.example',
        'X-Forwarded-Prefix': '/evil',
        'Tus-Resumable': '1.0.0',
      }),
    );
    expect(sent.status).toBe(200);
    const seen = echo.seen.at(-1);
    expect(seen?.url).toBe('/ephys/echo?x=1&y=%20z');
    expect(seen?.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(seen?.headers.authorization).not.toContain('forged');
    expect(seen?.headers.cookie).toBeUndefined();
    expect(seen?.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen?.headers['x-forwarded-host']).toBe(new URL(php.baseUrl).host);
    expect(seen?.headers['x-forwarded-proto']).toBe('http');
    expect(seen?.headers['x-forwarded-prefix']).toBe(GATEWAY);
    expect(seen?.headers['tus-resumable']).toBe('1.0.0');
  });

  it('streams a request body upstream (tus-style PATCH) with its length', async () => {
    const body = 'x'.repeat(200_000);
    const r = await withEchoUpstream(() =>
      fetch(`${php.baseUrl}${GATEWAY}/ephys/echo`, {
        method: 'PATCH',
        headers: { Cookie: cookie, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' },
        body,
      }),
    );
    expect([r.status, await r.text()]).toEqual([200, '{"method":"PATCH","url":"/ephys/echo"}']);
    const seen = echo.seen.at(-1);
    expect([seen?.method, seen?.headers['content-length'], seen?.body.length]).toEqual([
      'PATCH',
      '200000',
      200_000,
    ]);
    expect(seen?.headers['upload-offset']).toBe('0');
  });

  it("strips Set-Cookie and hop-by-hop headers from answers and passes the service's own headers", async () => {
    const r = await withEchoUpstream(() => viaGateway('/ephys/echo'));
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(r.headers.get('x-upstream-private')).toBeNull();
    expect(r.headers.get('x-request-id')).toBe('req-echo-1');
    expect(r.headers.get('etag')).toBe('"echo-etag"');
    expect(r.headers.get('cache-control')).toBe('private, no-cache');
    expect(r.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(r.json()).toEqual({ method: 'GET', url: '/ephys/echo' });
  });

  it('empties the body of an error answer but keeps its other headers', async () => {
    const r = await withEchoUpstream(() => viaGateway('/ephys/teapot'));
    expect(r.status).toBe(418);
    expect(r.bytes.length).toBe(0);
    expect(r.headers.get('content-type')).toBeNull();
    expect(r.headers.get('x-request-id')).toBe('req-echo-1');
  });

  it('rewrites a Location on the upstream origin or root-relative under the public gateway URL', async () => {
    const cases: [string, string][] = [
      [`${echo.url}/ephys/upload/abc?part=2`, `${publicGateway}/ephys/upload/abc?part=2`],
      ['/ephys/upload/def', `${publicGateway}/ephys/upload/def`],
      ['https://elsewhere.example/x', 'https://elsewhere.example/x'],
    ];
    for (const [location, expected] of cases) {
      const r = await withEchoUpstream(() =>
        fetch(`${php.baseUrl}${GATEWAY}/ephys/redirect?to=${encodeURIComponent(location)}`, {
          headers: { Cookie: cookie },
          redirect: 'manual',
        }),
      );
      await r.arrayBuffer();
      expect([location, r.status, r.headers.get('location')]).toEqual([location, 302, expected]);
    }
  });

  it('releases the PHP session lock before streaming, so the same user is not blocked meanwhile', async () => {
    const slow = withEchoUpstream(async () => {
      const pending = viaGateway('/ephys/hold');
      await echo.held;
      const whoami = await get(`${php.baseUrl}/__test/whoami`, { Cookie: cookie });
      echo.release();
      return [whoami.text, (await pending).text];
    });
    expect(await slow).toEqual(['viewer', 'released']);
  });

  it('the demo page learns the public prefix: its API base and security headers come through', async () => {
    const r = await viaGateway('/demo');
    const straight = await get(`${service.baseUrl}/demo`);
    expect(r.status).toBe(200);
    expect(r.text).toContain(`data-api-base="${GATEWAY}/ephys"`);
    for (const header of ['content-security-policy', 'x-content-type-options', 'referrer-policy']) {
      expect([header, r.headers.get(header)]).toEqual([header, straight.headers.get(header)]);
      expect(r.headers.get(header)).toBeTruthy();
    }
  });
});
