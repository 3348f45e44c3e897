/**
 * LORIS's PHP imaging gateway (deploy/loris) for real, in front of the service: `php -S` with the test router
 * of test/deploy/fixtures (LORIS under /loris, a PHP-session login at /__test/login), the gateway settings of
 * deploy/loris/sql/imaging_gateway.sql. PHP (php-cli) and its MySQL extension (php-mysql) are required: without
 * them the tests using this fail, they never skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { MARIADB_SOCKET, type LorisTestDb } from './loris-db';
import { projectRoot } from './testdata';

const FIXTURES = join(projectRoot, 'test', 'deploy', 'fixtures');
const GATEWAY_SQL = join(projectRoot, 'deploy', 'loris', 'sql', 'imaging_gateway.sql');
export const GATEWAY_PATH = '/loris/imaging_gateway';

export interface PhpGateway {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  /** The public gateway URL: <baseUrl>/loris/imaging_gateway */
  gatewayUrl: string;
  /** LORIS's base URL as the gateway's tokens name it (iss = aud). */
  lorisBaseUrl: string;
  /** A PHP session cookie for `user` (LORIS's login). */
  login: (user: string) => Promise<string>;
  log: () => string;
  stop: () => Promise<void>;
}

export function requirePhp(): void {
  const modules = spawnSync('php', ['-m'], { encoding: 'utf8' });
  if (modules.error || modules.status !== 0) {
    throw new Error('`php` is not installed (Debian: apt-get install php-cli php-mysql)');
  }
  if (!/^pdo_mysql$/m.test(modules.stdout)) {
    throw new Error('PHP has no pdo_mysql (Debian: apt-get install php-mysql)');
  }
}

/** Applies the gateway SQL with `upstreamUrl` and the given switches (e.g. `{ allow_uploads: 1 }`). */
export async function applyGatewaySql(
  db: LorisTestDb,
  upstreamUrl: string,
  switches: Record<string, 0 | 1> = {},
): Promise<void> {
  let sql = readFileSync(GATEWAY_SQL, 'utf8').replace(
    /SET @upstream_url = '[^']*';/,
    `SET @upstream_url = '${upstreamUrl}';`,
  );
  for (const [name, value] of Object.entries(switches)) {
    sql = sql.replace(new RegExp(`SET @${name} = [01];`), `SET @${name} = ${value};`);
  }
  const connection = await createConnection({
    socketPath: MARIADB_SOCKET,
    user: 'root',
    database: db.name,
    multipleStatements: true,
  });
  await connection.query(sql);
  await connection.end();
}

/** LORIS's config.xml naming the test database (the gateway reads its settings from it). */
function writeConfigXml(db: LorisTestDb, path: string): void {
  writeFileSync(
    path,
    `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<config>\n  <database>\n    <host>127.0.0.1</host>\n` +
      `    <username>${db.user}</username>\n    <password>${db.password}</password>\n` +
      `    <database>${db.name}</database>\n    <name>Test database</name>\n  </database>\n</config>\n`,
  );
}

/** Starts php -S on `port` (pick it with freePort() first: the service must know LORIS's URL). */
export async function startPhpGateway(db: LorisTestDb, port: number, tmp: string): Promise<PhpGateway> {
  requirePhp();
  const sessionDir = join(tmp, 'php-sessions');
  mkdirSync(sessionDir, { recursive: true });
  const configXml = join(tmp, 'config.xml');
  writeConfigXml(db, configXml);
  const php = await startPhpServer(
    port,
    {
      LORIS_CONFIG_XML: configXml,
      LORIS_IMAGING_GATEWAY_IDENTITY: join(FIXTURES, 'session-identity.php'),
    },
    sessionDir,
  );
  const { baseUrl } = php;
  return {
    baseUrl,
    gatewayUrl: `${baseUrl}${GATEWAY_PATH}`,
    lorisBaseUrl: `${baseUrl}/loris`,
    login: async (user) => {
      const response = await fetch(`${baseUrl}/__test/login?user=${user}`);
      await response.arrayBuffer();
      return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    },
    log: php.log,
    stop: php.stop,
  };
}

export interface PhpServer {
  baseUrl: string;
  process: ChildProcess;
  log: () => string;
  stop: () => Promise<void>;
}

/** php -S with the test router; several workers so one request cannot block the next. */
export async function startPhpServer(
  port: number,
  env: Record<string, string>,
  sessionDir: string,
): Promise<PhpServer> {
  let log = '';
  const child = spawn(
    'php',
    ['-d', `session.save_path=${sessionDir}`, '-S', `127.0.0.1:${port}`, join(FIXTURES, 'router.php')],
    {
      env: { ...process.env, PHP_CLI_SERVER_WORKERS: '4', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so stop() ends the workers too
    },
  );
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`php -S exited early:\n${log}`);
    const up = await fetch(`${baseUrl}/__test/none`).then(
      async (r) => (await r.arrayBuffer(), true),
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`php -S did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  // 'close' comes once every worker (sharing the output pipes) has gone too.
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  const stop = async (): Promise<void> => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    await closed;
  };
  return { baseUrl, process: child, log: () => log, stop };
}
