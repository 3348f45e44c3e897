/**
 * A LORIS stand-in for the upload client's tests, served by the test on a loopback port:
 * - `POST /api/v0.0.3/login` (and v0.0.4-dev) exactly as LORIS's login endpoint answers (reference contract §4):
 *   400 without a version or without username/password, 404 for other versions, `OPTIONS` → `Allow: POST`, 401
 *   for bad credentials, 500 "Unacceptable JWT key" for a weak JWTKey, else a real HS256 token signed with the
 *   JWTKey the test database holds (claims iss = aud = base URL, iat = nbf = now, exp = now + 24 h, user).
 * - `/imaging_gateway/*` forwarded to the real service like LORIS's imaging gateway (§5.2): anonymous requests get
 *   401, the path after the prefix and the query go upstream, hop-by-hop headers are dropped, X-Forwarded-Prefix
 *   is set, bodies stream both ways, and a path-absolute or upstream `Location` is rewritten to the public path.
 * Accounts are the test's (username → password); the usernames exist in the test database.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { lorisToken } from '../helpers/tokens';

export interface LorisStandIn {
  baseUrl: string;
  /** Requests seen, in order: `METHOD path` (gateway requests with their public path). */
  requests: string[];
  /** Login attempts, in order, as LORIS received them (tests check what a prompt sent). */
  logins: { username: string; password: string }[];
  /** Sets (or clears) the upstream the gateway forwards to. */
  setUpstream(url: string | null): void;
  /** Called before each forwarded request; resolving lets it go on (tests hold a PATCH to kill the client). */
  setGatewayHook(hook: ((method: string, path: string) => Promise<void>) | null): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'cookie',
  'set-cookie',
]);

/** LORIS's rule for a key it will sign with (login.class.inc): ≥ 20 chars, a letter, a digit and a special. */
export function isAcceptableJwtKey(key: string): boolean {
  return key.length >= 20 && /[a-z]/i.test(key) && /\d/.test(key) && /[!\\$^@#%&*()]/.test(key);
}

async function jwtKey(db: Connection): Promise<string> {
  const [rows] = await db.execute<RowDataPacket[]>(
    `SELECT c.Value FROM Config c JOIN ConfigSettings cs ON cs.ID = c.ConfigID WHERE cs.Name = 'JWTKey'`,
  );
  return String(rows[0]?.Value ?? '');
}

const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += (chunk as Buffer).toString('utf8');
    if (text.length > limit) break;
  }
  return text;
}

async function login(
  req: IncomingMessage,
  res: ServerResponse,
  version: string,
  baseUrl: string,
  db: Connection,
  accounts: Map<string, string>,
  logins: { username: string; password: string }[],
): Promise<void> {
  if (version !== 'v0.0.3' && version !== 'v0.0.4-dev')
    return sendJson(res, 404, { error: 'Unsupported version' });
  if (req.method === 'OPTIONS') {
    res.writeHead(200, { Allow: 'POST' });
    return void res.end();
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { Allow: 'POST' });
    return void res.end();
  }
  let body: { username?: unknown; password?: unknown } = {};
  try {
    body = JSON.parse(await readBody(req)) as typeof body;
  } catch {
    body = {};
  }
  if (
    typeof body.username !== 'string' ||
    typeof body.password !== 'string' ||
    !body.username ||
    !body.password
  )
    return sendJson(res, 400, { error: 'Missing username or password' });
  logins.push({ username: body.username, password: body.password });
  if (accounts.get(body.username) !== body.password)
    return sendJson(res, 401, { error: 'Incorrect username or password' });
  const key = await jwtKey(db);
  if (!isAcceptableJwtKey(key)) return sendJson(res, 500, { error: 'Unacceptable JWT key' });
  sendJson(res, 200, { token: await lorisToken(key, body.username, { iss: baseUrl, aud: baseUrl }) });
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: string,
  path: string,
  publicPrefix: string,
): void {
  const target = new URL(path, upstream);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined && !HOP_BY_HOP.has(name) && !name.startsWith('x-forwarded-'))
      headers[name] = value;
  headers['x-forwarded-prefix'] = publicPrefix;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-host'] = req.headers.host ?? '';
  const upstreamRequest = httpRequest(target, { method: req.method, headers }, (answer) => {
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      out[name] = value;
    }
    const location = answer.headers.location;
    if (location) {
      const resolved = new URL(location, target);
      if (location.startsWith('/') || resolved.origin === new URL(upstream).origin)
        out.location = `http://${req.headers.host ?? ''}${publicPrefix}${resolved.pathname}${resolved.search}`;
    }
    res.writeHead(answer.statusCode ?? 502, out);
    answer.pipe(res);
  });
  upstreamRequest.on('error', () => {
    if (!res.headersSent) sendJson(res, 502, { error: 'Unable to contact the internal imaging service.' });
    else res.destroy();
  });
  req.pipe(upstreamRequest);
}

export async function startLorisStandIn(
  db: Connection,
  accounts: Map<string, string>,
): Promise<LorisStandIn> {
  let upstream: string | null = null;
  let hook: ((method: string, path: string) => Promise<void>) | null = null;
  const requests: string[] = [];
  const logins: { username: string; password: string }[] = [];
  let baseUrl = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    requests.push(`${req.method} ${url.pathname}`);
    const handle = async (): Promise<void> => {
      const api = /^\/api\/([^/]+)\/login$/.exec(url.pathname);
      if (api) return login(req, res, api[1] ?? '', baseUrl, db, accounts, logins);
      if (url.pathname.startsWith('/api/'))
        return sendJson(res, 400, { error: 'You must specify a version of the API to use in the URL' });
      const prefix = '/imaging_gateway';
      if (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`)) {
        if (!/^Bearer \S/.test(req.headers.authorization ?? ''))
          return sendJson(res, 401, { error: 'Unauthorized' });
        if (!upstream)
          return sendJson(res, 502, { error: 'Unable to contact the internal imaging service.' });
        const path = url.pathname.slice(prefix.length) || '/';
        if (hook) await hook(req.method ?? 'GET', path);
        return forward(req, res, upstream, `${path}${url.search}`, prefix);
      }
      sendJson(res, 404, { error: 'not found' });
    };
    handle().catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'stand-in failure' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    requests,
    logins,
    setUpstream: (url) => {
      upstream = url;
    },
    setGatewayHook: (h) => {
      hook = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
