/**
 * The local HTTP front (serverless-offline + deploy/offline/origin-guard.cjs) over real HTTP:
 * - no web page of another origin gets CORS permission (no Access-Control-* headers, preflights refused)
 *   unless LORIS_EPHYS_CORS_ORIGINS lists it, and never with credentials;
 * - standalone mode (no authentication) answers only requests addressed to a loopback host (DNS rebinding)
 *   and arriving on a loopback address, whatever address the server was started on.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { get, type OfflineService } from '../helpers/offline';
import { projectRoot } from '../helpers/testdata';
import { SETUP_TIMEOUT_MS, startService } from '../helpers/access-world';

const VIEWER = 'https://viewer.example.org';
const EVIL = 'https://evil.example';

const accessControl = (headers: Headers) =>
  [...headers.keys()].filter((k) => k.startsWith('access-control-'));

/** A raw request, so the Host header can be anything (fetch always sends the URL's host). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('origin guard of the local HTTP front', () => {
  let dataDir: string;
  let service: OfflineService;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'loris-origin-guard-'));
    service = await startService({
      LORIS_EPHYS_MODE: 'standalone',
      LORIS_EPHYS_DATA: dataDir,
      LORIS_EPHYS_LOG_LEVEL: 'warn',
      LORIS_EPHYS_CORS_ORIGINS: VIEWER,
    });
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await service?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives a page of another origin no CORS header at all, on answers and errors', async () => {
    for (const path of ['/ephys/recordings', '/health', '/ephys/12345', '/openapi.json']) {
      const r = await get(`${service.baseUrl}${path}`, { Origin: EVIL });
      expect({ path, headers: accessControl(r.headers) }).toEqual({ path, headers: [] });
    }
  });

  it("refuses another origin's preflight (403, no CORS header)", async () => {
    const r = await fetch(`${service.baseUrl}/ephys/recordings`, {
      method: 'OPTIONS',
      headers: {
        Origin: EVIL,
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization',
      },
    });
    expect(r.status).toBe(403);
    expect(accessControl(r.headers)).toEqual([]);
  });

  it('lets a listed origin read answers, without credentials', async () => {
    const r = await get(`${service.baseUrl}/ephys/recordings`, { Origin: VIEWER });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe(VIEWER);
    expect(r.headers.get('access-control-allow-credentials')).toBeNull();
    const preflight = await fetch(`${service.baseUrl}/ephys/recordings`, {
      method: 'OPTIONS',
      headers: { Origin: VIEWER, 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(VIEWER);
  });

  it('answers standalone requests only when Host names a loopback host (421 otherwise)', async () => {
    const url = `${service.baseUrl}/ephys/recordings`;
    for (const host of [`127.0.0.1:${service.port}`, `localhost:${service.port}`, 'localhost']) {
      expect({ host, status: (await rawGet(url, { Host: host })).status }).toEqual({ host, status: 200 });
    }
    for (const host of [
      'evil.example',
      `evil.example:${service.port}`,
      '127.0.0.1.evil.example',
      '10.1.2.3',
    ]) {
      const r = await rawGet(url, { Host: host });
      expect({ host, status: r.status }).toEqual({ host, status: 421 });
      expect(JSON.parse(r.body)).toEqual({
        error: { code: 'host_not_allowed', message: expect.any(String) },
      });
    }
  });

  it('refuses standalone requests that arrive on an address other than loopback, whatever --host says', () => {
    // A private network namespace where 192.0.2.1 (a documentation address) is this namespace's own.
    const script = join(projectRoot, 'test', 'access', 'fixtures', 'bound-address.mjs');
    const out = spawnSync(
      'unshare',
      [
        '-n',
        'bash',
        '-c',
        'ip link set lo up && ip addr add 192.0.2.1/32 dev lo && exec "$0" "$@"',
        process.execPath,
        script,
        projectRoot,
        dataDir,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (out.error || out.status !== 0) throw new Error(`unshare failed: ${out.error ?? ''} ${out.stderr}`);
    const result = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}');
    expect(result).toEqual({
      loopback: 200,
      other: { status: 403, body: expect.stringContaining('"code":"not_loopback"') },
    });
  }, 150_000);
});
