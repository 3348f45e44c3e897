/**
 * `upload`'s LORIS login against a stand-in that answers as LORIS's API login does, with the JWTKey of a real
 * test database: refusals exit 3 with LORIS's message, a weak key is explained, an unreachable LORIS or imaging
 * service exits 4, and the password never appears in the output.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { createLorisTestDb, type LorisTestDb } from '../helpers/loris-db';
import { freePort } from '../helpers/offline';
import { STRONG_KEY } from '../helpers/tokens';
import { startLorisStandIn, type LorisStandIn } from './upload-loris-standin';
import { runCli, startCliInTerminal, waitForOutput } from './upload-run';

const PASSWORD = 'correct horse battery staple';

let db: LorisTestDb;
let loris: LorisStandIn;
let tmp: string;

beforeAll(async () => {
  db = await createLorisTestDb();
  await db.seed.user({ username: 'uploader' });
  await db.seed.config('JWTKey', STRONG_KEY);
  loris = await startLorisStandIn(db.root, new Map([['uploader', PASSWORD]]));
  tmp = mkdtempSync(join(tmpdir(), 'loris-ephys-cli-login-'));
  // An empty zip: a phantom DICOM archive needs no name rule, and nothing here reaches the check.
  writeFileSync(join(tmp, 'phantom.zip'), Buffer.from([0x50, 0x4b, 5, 6, ...new Array<number>(18).fill(0)]));
}, 60_000);
afterAll(async () => {
  await loris?.close();
  await db?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

const upload = (password: string, lorisUrl = loris.baseUrl) =>
  runCli(
    [
      'upload',
      join(tmp, 'phantom.zip'),
      '--loris',
      lorisUrl,
      '--kind',
      'dicom',
      '--phantom',
      '--user',
      'uploader',
      '--retries',
      '1',
    ],
    { LORIS_PASSWORD: password, XDG_CONFIG_HOME: join(tmp, 'config'), XDG_CACHE_HOME: join(tmp, 'cache') },
  );

describe('the stand-in answers as LORIS login does', () => {
  it('issues a HS256 token with LORIS claims, signed with the database JWTKey', async () => {
    const response = await fetch(`${loris.baseUrl}/api/v0.0.3/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'uploader', password: PASSWORD }),
    });
    const { token } = (await response.json()) as { token: string };
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(STRONG_KEY));
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ user: 'uploader', iss: loris.baseUrl, aud: loris.baseUrl });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(86400);
    const missing = await fetch(`${loris.baseUrl}/api/v0.0.3/login`, { method: 'POST', body: '{}' });
    expect([missing.status, await missing.json()]).toEqual([400, { error: 'Missing username or password' }]);
    const version = await fetch(`${loris.baseUrl}/api/v0.0.2/login`, { method: 'POST', body: '{}' });
    expect(version.status).toBe(404);
  });
});

describe('upload logging in to LORIS', () => {
  it('a wrong password exits 3 with LORIS message, and nothing is sent', async () => {
    const before = loris.requests.length;
    const result = await upload('wrong password');
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('LORIS refused the login of uploader: Incorrect username or password');
    expect(loris.requests.slice(before)).toEqual(['POST /api/v0.0.3/login']);
  });

  it('a weak JWTKey (500 "Unacceptable JWT key") exits 3 with what the administrator must do', async () => {
    await db.seed.config('JWTKey', 'S3cret');
    try {
      const result = await upload(PASSWORD);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('Unacceptable JWT key');
      expect(result.stderr).toContain('at least 20 characters');
    } finally {
      await db.seed.config('JWTKey', STRONG_KEY);
    }
  });

  it('a URL that is not LORIS base exits 3 and says so', async () => {
    const result = await upload(PASSWORD, `${loris.baseUrl}/not-loris`);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('is --loris the base URL of LORIS?');
  });

  it('an unreachable LORIS exits 4 after the retries', async () => {
    const port = await freePort();
    const result = await upload(PASSWORD, `http://127.0.0.1:${port}`);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`cannot reach LORIS at http://127.0.0.1:${port}`);
  });

  it('logged in, an imaging service that cannot be reached exits 4 after the retries', async () => {
    loris.setUpstream(null);
    const before = loris.requests.length;
    const result = await upload(PASSWORD);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('logged in to');
    expect(result.stderr).toContain('HTTP 502');
    // The creation request was tried twice (one retry), through the gateway path without a trailing slash.
    expect(loris.requests.slice(before)).toEqual([
      'POST /api/v0.0.3/login',
      'POST /imaging_gateway/tus/upload',
      'POST /imaging_gateway/tus/upload',
    ]);
    expect(result.stderr + result.stdout).not.toContain(PASSWORD);
  });

  it('at a terminal, asks for the password without echoing it, and sends exactly what was typed', async () => {
    const typed = 'typed-secret-Xq7';
    const before = loris.logins.length;
    const running = startCliInTerminal(
      [
        'upload',
        join(tmp, 'phantom.zip'),
        '--loris',
        loris.baseUrl,
        '--kind',
        'dicom',
        '--phantom',
        '--user',
        'uploader',
        '--retries',
        '0',
      ],
      { XDG_CONFIG_HOME: join(tmp, 'config'), XDG_CACHE_HOME: join(tmp, 'cache') },
    );
    await waitForOutput(running, `LORIS password for uploader at ${loris.baseUrl}: `);
    running.child.stdin?.write(`${typed}\r`);
    const result = await running.done;
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('Incorrect username or password');
    expect(result.stdout).not.toContain(typed);
    expect(loris.logins.slice(before)).toEqual([{ username: 'uploader', password: typed }]);
  });
});
