/**
 * The LORIS PHP proxy (deploy/loris) for real: PHP's built-in server runs the front controller in front of
 * the service under serverless-offline in LORIS mode, with a seeded MariaDB and a real EDF recording in a
 * temporary data directory. The proxy reads the JWTKey from the database (through LORIS's config.xml), mints a
 * one-minute token for the user of the PHP session and streams the service's answer back.
 * PHP (php-cli) and its MySQL extension (php-mysql) are required: without them this file fails, it never skips.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { verifyLorisToken } from '../../lib/auth/jwt';
import { createLorisTestDb, type LorisTestDb } from '../helpers/loris-db';
import { freePort, get, startOffline, type FetchResult, type OfflineService } from '../helpers/offline';
import { describeWithData, projectRoot, testDataPath } from '../helpers/testdata';
import { bearer, lorisToken, STRONG_KEY } from '../helpers/tokens';

const FIXTURES = join(projectRoot, 'test', 'deploy', 'fixtures');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const TOPOMAP_QUERY = 'tmin=1&tmax=1.5&size=256';

/** Fails loudly (with what to install) when php or its MySQL extension is missing. */
function requirePhp(): void {
  const modules = spawnSync('php', ['-m'], { encoding: 'utf8' });
  if (modules.error || modules.status !== 0) {
    throw new Error('php-proxy test: `php` is not installed (Debian: apt-get install php-cli php-mysql)');
  }
  if (!/^(?:pdo_mysql|mysqli)$/m.test(modules.stdout)) {
    throw new Error(
      'php-proxy test: PHP has neither pdo_mysql nor mysqli (Debian: apt-get install php-mysql)',
    );
  }
}

/** Calls one function of deploy/loris/lib/EphysProxy.php through test/deploy/fixtures/call.php. */
function callPhp(name: string, args: unknown[], env: Record<string, string> = {}): unknown {
  const out = spawnSync('php', [join(FIXTURES, 'call.php'), name, JSON.stringify(args)], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  if (out.status !== 0) throw new Error(`php call.php ${name} failed: ${out.stderr}${out.stdout}`);
  return JSON.parse(out.stdout);
}

interface PhpServer {
  baseUrl: string;
  process: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

async function startPhpServer(env: Record<string, string>, sessionDir: string): Promise<PhpServer> {
  const port = await freePort();
  let log = '';
  const child = spawn(
    'php',
    ['-d', `session.save_path=${sessionDir}`, '-S', `127.0.0.1:${port}`, join(FIXTURES, 'router.php')],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`php -S exited early:\n${log}`);
    const up = await fetch(`${baseUrl}/__test/none`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`php -S did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await exited;
  };
  return { baseUrl, process: child, log: () => log, stop };
}

interface World {
  db: LorisTestDb;
  tmp: string;
  configXml: string;
  files: { siteA: number; siteB: number };
}

/** One project, two sites, the EDF test recording registered in each; `viewer` may see site A only. */
async function buildWorld(): Promise<World> {
  const db = await createLorisTestDb();
  const tmp = mkdtempSync(join(tmpdir(), 'loris-ephys-php-proxy-'));
  const dataDir = join(tmp, 'data');
  const { seed } = db;
  const project = await seed.project('Project One');
  const register = async (siteName: string, candId: number): Promise<{ site: number; file: number }> => {
    const site = await seed.site(siteName);
    const candidate = await seed.candidate({ pscid: `PSC${candId}`, candId, site, project });
    const session = await seed.session({ candidate, site, project, visit: 'V1' });
    const filePath = `bids_imports/ds/sub-${candId}/ses-V1/eeg/sub-${candId}_task-rest_eeg.edf`;
    mkdirSync(dirname(join(dataDir, filePath)), { recursive: true });
    copyFileSync(testDataPath('edf', 'test.edf'), join(dataDir, filePath));
    return { site, file: await seed.file({ session, filePath }) };
  };
  const a = await register('Site Alpha', 300001);
  const b = await register('Site Beta', 300002);
  await seed.user({
    username: 'viewer',
    permissions: ['electrophysiology_browser_view_site'],
    sites: [a.site],
    projects: [project],
  });
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
  return { db, tmp, configXml, files: { siteA: a.file, siteB: b.file } };
}

const errorCode = (r: FetchResult): unknown => (r.json() as { error?: { code?: unknown } }).error?.code;

describe('LORIS PHP proxy sources', () => {
  it('every PHP file under deploy/loris parses (php -l), including the LORIS module and session identity', () => {
    requirePhp();
    const files = ['lib/EphysProxy.php', 'htdocs/ephys-proxy.php', 'identity/loris-session.php'];
    files.push('modules/ephys_proxy/php/module.class.inc');
    for (const file of files) {
      const lint = spawnSync('php', ['-l', join(projectRoot, 'deploy', 'loris', file)], { encoding: 'utf8' });
      expect([file, lint.status, lint.stdout.trim()]).toEqual([
        file,
        0,
        expect.stringMatching(/^No syntax errors/),
      ]);
    }
  });
});

describeWithData('LORIS PHP proxy in front of the service', () => {
  let world: World;
  let service: OfflineService;
  let php: PhpServer;
  let cookie: string;
  let direct: string;

  const viaProxy = (path: string, headers: Record<string, string> = {}): Promise<FetchResult> =>
    get(`${php.baseUrl}${path}`, { Cookie: cookie, ...headers });
  const anonymously = (path: string): Promise<FetchResult> => get(`${php.baseUrl}${path}`);

  beforeAll(async () => {
    requirePhp();
    world = await buildWorld();
    service = await startOffline({
      LORIS_EPHYS_MODE: 'loris',
      LORIS_CONFIG_XML: world.configXml,
      LORIS_EPHYS_LOG_LEVEL: 'warn',
    });
    const sessionDir = join(world.tmp, 'php-sessions');
    mkdirSync(sessionDir);
    php = await startPhpServer(
      {
        LORIS_EPHYS_URL: service.baseUrl,
        LORIS_CONFIG_XML: world.configXml,
        LORIS_EPHYS_PROXY_IDENTITY: join(FIXTURES, 'session-identity.php'),
      },
      sessionDir,
    );
    const login = await fetch(`${php.baseUrl}/__test/login?user=viewer`);
    const setCookie = login.headers.get('set-cookie') ?? '';
    cookie = setCookie.split(';')[0] ?? '';
    expect(cookie).toMatch(/^PHPSESSID=\w+$/);
    direct = await lorisToken(STRONG_KEY, 'viewer');
  });

  afterAll(async () => {
    await php?.stop();
    await service?.stop();
    await world?.db.drop();
    if (world) rmSync(world.tmp, { recursive: true, force: true });
  });

  it('forwards the sensors JSON of a permitted recording unchanged', async () => {
    const path = `/ephys/${world.files.siteA}/sensors`;
    const proxied = await viaProxy(path);
    const straight = await get(`${service.baseUrl}${path}`, bearer(direct));
    expect(straight.status).toBe(200);
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get('content-type')).toBe(straight.headers.get('content-type'));
    expect(proxied.headers.get('cache-control')).toBe(straight.headers.get('cache-control'));
    expect(proxied.json()).toEqual(straight.json());
    const body = proxied.json() as { channels?: unknown[] };
    expect(Array.isArray(body.channels) && body.channels.length).toBeGreaterThan(0);
  });

  it('streams the topographic map PNG byte for byte, with its ETag and caching headers', async () => {
    const path = `/ephys/${world.files.siteA}/topographic-map?${TOPOMAP_QUERY}`;
    const proxied = await viaProxy(path);
    const straight = await get(`${service.baseUrl}${path}`, bearer(direct));
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get('content-type')).toBe('image/png');
    expect(proxied.bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(proxied.bytes.length).toBeGreaterThan(1000);
    expect(proxied.bytes.equals(straight.bytes)).toBe(true);
    const etag = proxied.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(etag).toBe(straight.headers.get('etag'));
    expect(proxied.headers.get('cache-control')).toBe(straight.headers.get('cache-control'));
    expect(proxied.headers.get('x-powered-by')).toBeNull();
  });

  it('passes If-None-Match through, so an unchanged map is a 304 without a body', async () => {
    const path = `/ephys/${world.files.siteA}/topographic-map?${TOPOMAP_QUERY}`;
    const first = await viaProxy(path);
    const etag = first.headers.get('etag') ?? '';
    const again = await viaProxy(path, { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    expect(again.headers.get('etag')).toBe(etag);
  });

  it('answers 401 when nobody is logged in', async () => {
    const r = await anonymously(`/ephys/${world.files.siteA}/sensors`);
    expect(r.status).toBe(401);
    expect(errorCode(r)).toBe('login_required');
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it("passes the service's 403 for another site's recording", async () => {
    const r = await viaProxy(`/ephys/${world.files.siteB}/topographic-map?${TOPOMAP_QUERY}`);
    expect(r.status).toBe(403);
    expect(errorCode(r)).toBe('permission_denied');
    const sensors = await viaProxy(`/ephys/${world.files.siteB}/sensors`);
    expect(sensors.status).toBe(403);
  });

  it('forwards only GET /ephys/... with plain path segments and a URL-safe query', async () => {
    const refused: [string, number][] = [
      ['/other/1', 404],
      ['/ephysx/1', 404],
      ['/ephys/../etc/passwd', 404],
      ['/ephys/%2e%2e/secret', 404],
      ['/ephys/.hidden', 404],
      [`/ephys/${world.files.siteA}/sensors?a={x}|y`, 400], // fetch sends { } | raw
      [`/ephys/${world.files.siteA}/sensors?a=%zz`, 400],
    ];
    for (const [path, status] of refused) {
      const r = await viaProxy(path);
      expect([path, r.status, errorCode(r)]).toEqual([
        path,
        status,
        status === 404 ? 'not_proxied' : 'invalid_query',
      ]);
    }
    const post = await fetch(`${php.baseUrl}/ephys/health`, { method: 'POST', headers: { Cookie: cookie } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('mints a LORIS token the service accepts: HS256, user claim, one minute of validity', async () => {
    const now = Math.floor(Date.now() / 1000);
    const out = callPhp('mintToken', ['viewer', STRONG_KEY, now]) as { result: string };
    const verified = await verifyLorisToken(out.result, STRONG_KEY, { now: new Date(now * 1000) });
    expect(verified).toEqual({ ok: true, username: 'viewer' });
    const payload = JSON.parse(Buffer.from(out.result.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(payload).toEqual({ iat: now, nbf: now, exp: now + 60, user: 'viewer' });
    const late = await verifyLorisToken(out.result, STRONG_KEY, { now: new Date((now + 60 + 31) * 1000) });
    expect(late).toEqual({ ok: false, reason: 'expired' });
  });

  it('reads the JWTKey from the LORIS database, a key file or the environment, and refuses weak keys', () => {
    expect(callPhp('loadJwtKey', [{ LORIS_CONFIG_XML: world.configXml }])).toEqual({ result: STRONG_KEY });
    const keyFile = join(world.tmp, 'jwt.key');
    writeFileSync(keyFile, `${STRONG_KEY}\n`);
    expect(callPhp('loadJwtKey', [{ LORIS_EPHYS_JWT_KEY_FILE: keyFile }])).toEqual({ result: STRONG_KEY });
    expect(callPhp('loadJwtKey', [{ LORIS_EPHYS_JWT_KEY: STRONG_KEY }])).toEqual({ result: STRONG_KEY });
    expect(callPhp('loadJwtKey', [{ LORIS_EPHYS_JWT_KEY: 'password' }])).toEqual({
      error: { status: 500, code: 'weak_jwt_key' },
    });
    expect(callPhp('loadJwtKey', [{}])).toEqual({ error: { status: 500, code: 'proxy_misconfigured' } });
  });

  it("reads LORIS's config.xml <database> section (host:port, CDATA, entities)", () => {
    // SimpleXML when PHP has php-xml (as LORIS servers do), otherwise the plain scan of the section.
    const xml = join(world.tmp, 'config-variant.xml');
    writeFileSync(
      xml,
      '<?xml version="1.0"?>\n<config>\n  <database>\n    <host>db.local:3307</host>\n' +
        '    <username>loris&amp;user</username>\n    <password><![CDATA[p<a&ss]]></password>\n' +
        '    <database>LorisDB</database>\n    <name>Example</name>\n  </database>\n' +
        '  <paths><base>/var/www/loris/</base></paths>\n</config>\n',
    );
    expect(callPhp('databaseSettings', [xml])).toEqual({
      result: { host: 'db.local', port: 3307, user: 'loris&user', password: 'p<a&ss', database: 'LorisDB' },
    });
    writeFileSync(xml, '<config><paths/></config>');
    expect(callPhp('databaseSettings', [xml])).toEqual({
      error: { status: 500, code: 'proxy_misconfigured' },
    });
  });

  it('accepts plain http only to loopback and answers 502 when the service is down', async () => {
    expect(callPhp('serviceBaseUrl', ['http://127.0.0.1:8000/'])).toEqual({
      result: 'http://127.0.0.1:8000',
    });
    expect(callPhp('serviceBaseUrl', ['https://ephys.example.org'])).toEqual({
      result: 'https://ephys.example.org',
    });
    for (const url of [
      'http://ephys.example.org',
      'http://127.0.0.1:8000/x',
      'ftp://127.0.0.1',
      'http://u:p@127.0.0.1',
    ])
      expect(callPhp('serviceBaseUrl', [url])).toEqual({
        error: { status: 500, code: 'proxy_misconfigured' },
      });
    const closed = await freePort();
    expect(callPhp('openUpstream', [`http://127.0.0.1:${closed}/ephys/health`, 'x', {}])).toEqual({
      error: { status: 502, code: 'service_unavailable' },
    });
  });
});
