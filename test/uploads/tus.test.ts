/**
 * The tus front of the uploads module for real: the service under serverless-offline in LORIS mode (uploads
 * on) over MariaDB with LORIS's schema, a staging directory on disk, raw tus requests and tus-js-client in a
 * child process that is killed mid-upload; and the same through LORIS's PHP gateway (php -S, deploy/loris).
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { openSync, readFileSync, closeSync, readSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { formatUploadMetadata } from '../../lib/uploads/metadata';
import { freePort, startOffline, type OfflineService } from '../helpers/offline';
import { applyGatewaySql, startPhpGateway, type PhpGateway } from '../helpers/php-gateway';
import { projectRoot } from '../helpers/testdata';
import {
  createUploadsWorld,
  EEG_TARGET,
  idOf,
  tusClient,
  type TusAnswer,
  type UploadsWorld,
} from '../helpers/uploads-world';

const MiB = 1024 * 1024;
const MAX_CHUNK = 2 * MiB;
const MAX_BYTES = 2 ** 40;
const ALLOWED_ORIGIN = 'https://allowed.example';
const CLIENT = join(projectRoot, 'test', 'uploads', 'tus-client.cjs');

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64');
/** Large buffers are compared by digest: jest's deep equality on megabytes blocks the event loop for seconds. */
const digest = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
/** The error code of an answer (its raw text when it is not our JSON error, so a failure shows it). */
function errorCode(r: TusAnswer): unknown {
  try {
    return (r.json() as { error: { code: string } }).error.code;
  } catch {
    return r.text;
  }
}

interface ChildRun {
  lines: string[];
  /** Resolves when a line matching `test` was printed. */
  waitFor: (test: (line: string) => boolean) => Promise<string>;
  exited: Promise<number | null>;
  kill: () => void;
}

/** Runs tus-client.cjs with `env`; its output lines are collected as they come. */
function runClient(env: Record<string, string>): ChildRun {
  const child = spawn(process.execPath, [CLIENT], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let pending = '';
  child.stdout.on('data', (d: Buffer) => {
    pending += d.toString();
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.test(line))) w.resolve(line);
    }
  });
  child.stderr.on('data', (d: Buffer) => lines.push(`stderr ${d.toString()}`));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    lines,
    waitFor: (test) => {
      const seen = lines.find(test);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
    exited,
    kill: () => child.kill('SIGKILL'),
  };
}

/** The first `length` bytes of a file. */
function fileHead(path: string, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Polls GET /uploads/{id} until its state is no longer `checking`/`receiving` (or the test times out). */
async function settledState(
  client: ReturnType<typeof tusClient>,
  id: string,
): Promise<Record<string, unknown>> {
  for (;;) {
    const r = await client.status(id);
    const body = r.json() as Record<string, unknown>;
    if (r.status !== 200 || (body.state !== 'checking' && body.state !== 'receiving')) return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('tus uploads through serverless-offline and through the PHP gateway', () => {
  let world: UploadsWorld;
  let service: OfflineService;
  let php: PhpGateway;
  let uploader: ReturnType<typeof tusClient>;
  let other: ReturnType<typeof tusClient>;
  let uploaderToken: string;

  beforeAll(async () => {
    world = await createUploadsWorld();
    const phpPort = await freePort();
    const lorisBaseUrl = `http://127.0.0.1:${phpPort}/loris`;
    service = await startOffline(
      world.env(
        {
          LORIS_EPHYS_UPLOAD_MAX_BYTES: String(MAX_BYTES),
          LORIS_EPHYS_UPLOAD_MAX_CHUNK_BYTES: String(MAX_CHUNK),
          LORIS_EPHYS_UPLOAD_STRICT: 'true',
          LORIS_EPHYS_CORS_ORIGINS: ALLOWED_ORIGIN,
        },
        lorisBaseUrl,
      ),
    );
    await applyGatewaySql(world.db, service.baseUrl, { allow_uploads: 1 });
    php = await startPhpGateway(world.db, phpPort, world.tmp);
    uploaderToken = await world.token('uploader', lorisBaseUrl);
    uploader = tusClient(service.baseUrl, uploaderToken);
    other = tusClient(service.baseUrl, await world.token('other', lorisBaseUrl));
  }, 90000);

  afterAll(async () => {
    await php?.stop();
    await service?.stop();
    await world?.drop();
  });

  it('OPTIONS advertises tus 1.0 with creation, creation-with-upload, termination, expiration and checksum', async () => {
    const r = await fetch(`${service.baseUrl}/tus/upload`, { method: 'OPTIONS' });
    expect(r.status).toBe(204);
    expect(r.headers.get('tus-version')).toBe('1.0.0');
    expect((r.headers.get('tus-extension') ?? '').split(',').sort()).toEqual(
      ['checksum', 'creation', 'creation-with-upload', 'expiration', 'termination'].sort(),
    );
    expect(r.headers.get('tus-checksum-algorithm')).toBe('sha256');
    expect(r.headers.get('tus-max-size')).toBe(String(MAX_BYTES));
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('creates at /tus/upload (no trailing slash, no redirect) with a path-absolute Location and an expiry', async () => {
    const r = await uploader.create(EEG_TARGET, 1000);
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toMatch(/^\/tus\/upload\/[0-9a-f]{32}$/);
    expect(r.headers.get('tus-resumable')).toBe('1.0.0');
    expect(Date.parse(r.headers.get('upload-expires') ?? '')).toBeGreaterThan(Date.now());
    expect(world.stagedFiles()).toContain(`tus/${idOf(r.headers.get('location') ?? '')}`);
  });

  it('needs a LORIS token on every request but OPTIONS', async () => {
    const anonymous = await fetch(`${service.baseUrl}/tus/upload`, {
      method: 'POST',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Length': '10',
        'Upload-Metadata': formatUploadMetadata(EEG_TARGET),
      },
    });
    expect(anonymous.status).toBe(401);
    const created = await uploader.create(EEG_TARGET, 10);
    const location = created.headers.get('location') ?? '';
    const head = await fetch(`${service.baseUrl}${location}`, {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0' },
    });
    expect(head.status).toBe(401);
  });

  it('refuses bad metadata, deferred lengths, too large and too-large-for-the-disk uploads before storing a byte', async () => {
    const before = world.stagedFiles();
    const badKind = await uploader.create(
      formatUploadMetadata(EEG_TARGET).replace(/^kind [^,]+/, 'kind eA=='),
      10,
    );
    expect([badKind.status, errorCode(badKind)]).toEqual([400, 'invalid_metadata']);
    const noPscid = await uploader.create({ ...EEG_TARGET, pscid: '' }, 10);
    expect([noPscid.status, errorCode(noPscid)]).toEqual([400, 'invalid_metadata']);
    const notBase64 = await uploader.create('kind !!!', 10);
    expect([notBase64.status, errorCode(notBase64)]).toEqual([400, 'invalid_metadata']);
    const deferred = await uploader.create(EEG_TARGET, 10, {
      'Upload-Length': '',
      'Upload-Defer-Length': '1',
    });
    expect(deferred.status).toBe(400);
    const tooLarge = await uploader.create(EEG_TARGET, MAX_BYTES + 1);
    expect([tooLarge.status, errorCode(tooLarge)]).toEqual([413, 'upload_too_large']);
    // The staging file system has far less than 512 GiB free: refused before anything is written.
    const noSpace = await uploader.create(EEG_TARGET, 2 ** 39);
    expect([noSpace.status, errorCode(noSpace)]).toEqual([507, 'insufficient_storage']);
    expect(world.stagedFiles()).toEqual(before);
  });

  it("applies LORIS's rules at creation (validateUploadTarget), before storing a byte", async () => {
    const before = world.stagedFiles();
    const wrongName = await uploader.create({ ...EEG_TARGET, filename: 'MTL001_300001_V1.tar.gz' }, 10);
    expect(wrongName.status).toBeGreaterThanOrEqual(400);
    expect(wrongName.status).toBeLessThan(500);
    const unknownCandidate = await uploader.create(
      { ...EEG_TARGET, candid: '999999', filename: 'MTL001_999999_V1_bids.tar.gz' },
      10,
    );
    expect(unknownCandidate.status).toBeGreaterThanOrEqual(400);
    expect(unknownCandidate.status).toBeLessThan(500);
    expect(world.stagedFiles()).toEqual(before);
  });

  it('writes a body sent without Content-Length (chunked) as it arrives', async () => {
    const parts = [randomBytes(MiB), randomBytes(512 * 1024), randomBytes(MiB)];
    const data = Buffer.concat(parts);
    const created = await uploader.create(EEG_TARGET, data.length + 10);
    const location = created.headers.get('location') ?? '';
    // node:http writes each part as it comes, chunked (no Content-Length), on a connection of its own.
    const r = await new Promise<{ status: number; offset: string | undefined }>((resolve, reject) => {
      const req = request(
        `${service.baseUrl}${location}`,
        {
          method: 'PATCH',
          headers: {
            'Tus-Resumable': '1.0.0',
            Authorization: `Bearer ${uploaderToken}`,
            'Upload-Offset': '0',
            'Content-Type': 'application/offset+octet-stream',
          },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              offset: res.headers['upload-offset'] as string | undefined,
            }),
          );
        },
      );
      req.on('error', reject);
      for (const part of parts) req.write(part);
      req.end();
    });
    expect([r.status, r.offset]).toEqual([204, String(data.length)]);
    expect(digest(readFileSync(join(world.stagingDir, 'tus', idOf(location))))).toBe(digest(data));
  });

  it('stores chunks at the right offset: 409 for a wrong offset, 460 for a checksum mismatch, 400 for md5, 413 for a chunk too large', async () => {
    const data = randomBytes(3 * MiB);
    const created = await uploader.create(EEG_TARGET, data.length);
    const location = created.headers.get('location') ?? '';
    const first = data.subarray(0, MiB);
    const ok = await uploader.patch(location, 0, first, { 'Upload-Checksum': `sha256 ${sha256(first)}` });
    expect([ok.status, ok.headers.get('upload-offset')]).toEqual([204, String(MiB)]);
    const second = data.subarray(MiB, 2 * MiB);
    const wrongOffset = await uploader.patch(location, 0, second);
    expect([wrongOffset.status, errorCode(wrongOffset)]).toEqual([409, 'offset_conflict']);
    const mismatch = await uploader.patch(location, MiB, second, {
      'Upload-Checksum': `sha256 ${sha256(first)}`,
    });
    expect([mismatch.status, errorCode(mismatch)]).toEqual([460, 'checksum_mismatch']);
    const md5 = await uploader.patch(location, MiB, second, {
      'Upload-Checksum': 'md5 1B2M2Y8AsgTpgAmY7PhCfg==',
    });
    expect([md5.status, errorCode(md5)]).toEqual([400, 'unsupported_checksum_algorithm']);
    const overChunk = await uploader.patch(location, MiB, randomBytes(MAX_CHUNK + 1));
    expect([overChunk.status, errorCode(overChunk)]).toEqual([413, 'chunk_too_large']);
    // Over the HTTP front's limit on streamed bodies (64 MiB): the same answer, from the front.
    const huge = await uploader.patch(location, MiB, randomBytes(64 * MiB + 1));
    expect([huge.status, errorCode(huge)]).toEqual([413, 'chunk_too_large']);
    const head = await uploader.head(location);
    expect([head.status, head.headers.get('upload-offset'), head.headers.get('upload-length')]).toEqual([
      200,
      String(MiB),
      String(data.length),
    ]);
    // What is on disk is exactly the bytes acknowledged, binary intact.
    expect(digest(readFileSync(join(world.stagingDir, 'tus', idOf(location))))).toBe(digest(first));
  });

  it("answers anybody else's upload exactly as an unknown id (404), for every method", async () => {
    const created = await uploader.create(EEG_TARGET, 10);
    const location = created.headers.get('location') ?? '';
    const unknown = `/tus/upload/${'0'.repeat(32)}`;
    for (const [theirs, none] of [
      [await other.head(location), await other.head(unknown)],
      [await other.patch(location, 0, Buffer.from('x')), await other.patch(unknown, 0, Buffer.from('x'))],
      [await other.remove(location), await other.remove(unknown)],
      [await other.status(idOf(location)), await other.status('0'.repeat(32))],
    ] as const) {
      expect(theirs.status).toBe(404);
      expect([theirs.status, theirs.text]).toEqual([none.status, none.text]);
    }
    expect((await other.list()).json()).toEqual({ uploads: [] });
    const mine = (await uploader.list()).json() as { uploads: { id: string }[] };
    expect(mine.uploads.map((u) => u.id)).toContain(idOf(location));
    expect((await uploader.head(location)).status).toBe(200);
  });

  it('DELETE removes a partial upload (tus termination); it is then unknown', async () => {
    const created = await uploader.create(EEG_TARGET, 100);
    const location = created.headers.get('location') ?? '';
    await uploader.patch(location, 0, randomBytes(50));
    expect((await uploader.remove(location)).status).toBe(204);
    expect((await uploader.head(location)).status).toBe(404);
    expect((await uploader.status(idOf(location))).status).toBe(404);
    expect(world.stagedFiles().filter((f) => f.includes(idOf(location)))).toEqual([]);
  });

  it('takes a whole small upload in the creation request (creation-with-upload), then checks it in the background', async () => {
    const data = randomBytes(4096); // not an archive: the check refuses it
    const created = await uploader.create(
      EEG_TARGET,
      data.length,
      { 'Upload-Checksum': `sha256 ${sha256(data)}` },
      data,
    );
    expect([created.status, created.headers.get('upload-offset')]).toEqual([201, String(data.length)]);
    const id = idOf(created.headers.get('location') ?? '');
    const status = await settledState(uploader, id);
    expect(status).toEqual(
      expect.objectContaining({ id, state: 'refused', bytes: data.length, length: data.length }),
    );
    expect((status.report as { ok: boolean }).ok).toBe(false);
    // A refused archive is deleted (its report kept); nothing of it stays in the staging directory.
    expect(world.stagedFiles().filter((f) => f.includes(id))).toEqual([`state/${id}.json`]);
    const head = await uploader.head(`/tus/upload/${id}`);
    expect([head.status, head.headers.get('upload-offset')]).toEqual([200, String(data.length)]);
    const late = await uploader.patch(`/tus/upload/${id}`, data.length, Buffer.from('x'));
    expect([late.status, errorCode(late)]).toEqual([409, 'upload_complete']);
  });

  it('resumes after the client is killed mid-upload: HEAD gives the offset, the rest completes it', async () => {
    const file = join(world.tmp, 'resume.bin');
    const data = randomBytes(24 * MiB);
    writeFileSync(file, data);
    const env = {
      TUS_ENDPOINT: `${service.baseUrl}/tus/upload`,
      TUS_HEADERS: JSON.stringify({ Authorization: `Bearer ${uploaderToken}` }),
      TUS_FILE: file,
      TUS_METADATA: JSON.stringify({ ...EEG_TARGET, isPhantom: 'false' }),
      TUS_CHUNK_BYTES: String(MiB),
    };
    const first = runClient(env);
    const url = (await first.waitFor((l) => l.startsWith('url '))).slice(4);
    await first.waitFor((l) => l.startsWith('progress ') && Number(l.slice(9)) >= 4 * MiB);
    first.kill();
    await first.exited;
    const location = new URL(url, service.baseUrl).pathname;
    const head = await uploader.head(location);
    const offset = Number(head.headers.get('upload-offset'));
    expect(head.status).toBe(200);
    expect(offset).toBeGreaterThanOrEqual(4 * MiB);
    expect(offset).toBeLessThan(data.length);
    expect(digest(fileHead(join(world.stagingDir, 'tus', idOf(location)), offset + 1))).toBe(
      digest(data.subarray(0, offset)),
    );
    const second = runClient({ ...env, TUS_RESUME_URL: url });
    expect(await second.exited).toBe(0);
    expect(second.lines).toContain('done');
    const resumedAt = Number(second.lines.find((l) => l.startsWith('progress '))?.slice(9));
    expect(resumedAt).toBeGreaterThan(offset); // it continued, it did not start again
    const status = await settledState(uploader, idOf(location));
    expect(status).toEqual(expect.objectContaining({ bytes: data.length, length: data.length }));
  }, 120000);

  it('exposes the tus headers to an allowed origin only', async () => {
    const created = await uploader.create(EEG_TARGET, 10);
    const location = created.headers.get('location') ?? '';
    const allowed = await tusClient(service.baseUrl, uploaderToken, { Origin: ALLOWED_ORIGIN }).head(
      location,
    );
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(allowed.headers.get('access-control-expose-headers')).toMatch(/Upload-Offset/);
    const foreign = await tusClient(service.baseUrl, uploaderToken, { Origin: 'https://evil.example' }).head(
      location,
    );
    expect(foreign.status).toBe(200);
    expect([...foreign.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
    const preflight = await fetch(`${service.baseUrl}/tus/upload`, {
      method: 'OPTIONS',
      headers: { Origin: ALLOWED_ORIGIN, 'Access-Control-Request-Method': 'PATCH' },
    });
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/PATCH/);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Upload-Offset/);
  });

  describe('through the PHP gateway', () => {
    let cookie: string;
    let viaGateway: ReturnType<typeof tusClient>;

    beforeAll(async () => {
      cookie = await php.login('uploader');
      viaGateway = tusClient(php.gatewayUrl, '', { Cookie: cookie });
    });

    it('creates (POST /tus/upload, no slash), rewrites Location under the gateway, forwards every tus header', async () => {
      const data = randomBytes(3 * MiB);
      const created = await viaGateway.create(EEG_TARGET, data.length);
      expect(created.status).toBe(201);
      const location = created.headers.get('location') ?? '';
      expect(location).toMatch(new RegExp(`^${php.gatewayUrl}/tus/upload/[0-9a-f]{32}$`));
      const chunk = data.subarray(0, 2 * MiB);
      const patched = await viaGateway.patch(location, 0, chunk, {
        'Upload-Checksum': `sha256 ${sha256(chunk)}`,
      });
      expect([patched.status, patched.headers.get('upload-offset')]).toEqual([204, String(2 * MiB)]);
      const conflict = await viaGateway.patch(location, 0, data.subarray(2 * MiB));
      expect(conflict.status).toBe(409);
      const mismatch = await viaGateway.patch(location, 2 * MiB, data.subarray(2 * MiB), {
        'Upload-Checksum': `sha256 ${sha256(chunk)}`,
      });
      expect(mismatch.status).toBe(460);
      const head = await viaGateway.head(location);
      expect([head.status, head.headers.get('upload-offset'), head.headers.get('tus-resumable')]).toEqual([
        200,
        String(2 * MiB),
        '1.0.0',
      ]);
      const last = await viaGateway.patch(location, 2 * MiB, data.subarray(2 * MiB));
      expect([last.status, last.headers.get('upload-offset')]).toEqual([204, String(data.length)]);
      const status = await viaGateway.status(idOf(location));
      expect(status.status).toBe(200);
      expect((status.json() as { bytes: number }).bytes).toBe(data.length);
    });

    it('resumes through the gateway after the client is killed', async () => {
      const file = join(world.tmp, 'resume-gateway.bin');
      const data = randomBytes(12 * MiB);
      writeFileSync(file, data);
      const env = {
        TUS_ENDPOINT: `${php.gatewayUrl}/tus/upload`,
        TUS_HEADERS: JSON.stringify({ Cookie: cookie }),
        TUS_FILE: file,
        TUS_METADATA: JSON.stringify({ ...EEG_TARGET, isPhantom: 'false' }),
        TUS_CHUNK_BYTES: String(MiB),
      };
      const first = runClient(env);
      const url = (await first.waitFor((l) => l.startsWith('url '))).slice(4);
      await first.waitFor((l) => l.startsWith('progress ') && Number(l.slice(9)) >= 2 * MiB);
      first.kill();
      await first.exited;
      const offset = Number((await viaGateway.head(url)).headers.get('upload-offset'));
      expect(offset).toBeGreaterThanOrEqual(2 * MiB);
      const second = runClient({ ...env, TUS_RESUME_URL: url });
      expect(await second.exited).toBe(0);
      expect(second.lines).toContain('done');
      const head = await viaGateway.head(url);
      expect(head.headers.get('upload-offset')).toBe(String(data.length));
    }, 120000);

    it("keeps somebody else's upload hidden through the gateway too", async () => {
      const created = await uploader.create(EEG_TARGET, 10);
      const otherCookie = await php.login('other');
      const asOther = tusClient(php.gatewayUrl, '', { Cookie: otherCookie });
      const head = await asOther.head(`${php.gatewayUrl}${created.headers.get('location') ?? ''}`);
      expect(head.status).toBe(404);
    });
  });
});
