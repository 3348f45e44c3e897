/**
 * `loris-ephys upload` end to end: the CLI (a child process, as a user runs it) logs in to a LORIS stand-in (LORIS's
 * API login, tokens signed with the test database's JWTKey), which forwards `/imaging_gateway/*` as LORIS's gateway
 * does to the real service under serverless-offline (LORIS mode, modules ephys,uploads, a real MariaDB with LORIS's
 * schema). Covers: a BIDS session directory packed, sent, checked and followed to its final state; a metadata
 * refusal at creation; report errors; a client killed mid-upload that resumes from the server's offset.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packDirectory } from '../../cli/upload/pack';
import { SETUP_TIMEOUT_MS, startService } from '../helpers/access-world';
import { createLorisTestDb, type LorisTestDb } from '../helpers/loris-db';
import type { OfflineService } from '../helpers/offline';
import { describeWithData } from '../helpers/testdata';
import { STRONG_KEY } from '../helpers/tokens';
import { makeBidsSession, type BidsSession } from './upload-bids';
import { startLorisStandIn, type LorisStandIn } from './upload-loris-standin';
import { runCli, startCli, startCliInTerminal } from './upload-run';

const PASSWORD = 'uploader password 2026';
const ARCHIVE = 'MTL001_300001_V1_bids.tar.gz';
const MiB = 1024 * 1024;

interface FinalStatus {
  id: string;
  state: string;
  filename: string;
  report: { ok: boolean; errors: string[]; recordings: unknown[] } | null;
  lorisUpload: { table: string; id: number; status: string } | null;
}

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describeWithData('upload through a LORIS stand-in to the real service', () => {
  let db: LorisTestDb;
  let loris: LorisStandIn;
  let service: OfflineService;
  let tmp: string;
  let incoming: string;
  let env: Record<string, string>;
  let session: BidsSession;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'loris-ephys-cli-service-'));
    incoming = join(tmp, 'incoming', 'eeg');
    mkdirSync(incoming, { recursive: true });
    db = await createLorisTestDb({ uploadGrants: true });
    const { seed } = db;
    const site = await seed.site('Montreal');
    const project = await seed.project('Pumpernickel');
    const candidate = await seed.candidate({ pscid: 'MTL001', candId: 300001, site, project });
    await seed.session({ candidate, site, project, visit: 'V1' });
    await seed.user({
      username: 'uploader',
      permissions: ['electrophysiology_browser_view_allsites', 'monitor_eeg_uploads'],
      projects: [project],
      sites: [site],
    });
    await seed.config('JWTKey', STRONG_KEY);
    await seed.config('EEGUploadIncomingPath', `${incoming}/`);
    await seed.moduleActive(true);
    loris = await startLorisStandIn(db.root, new Map([['uploader', PASSWORD]]));
    service = await startService({
      ...db.env(),
      LORIS_EPHYS_MODE: 'loris',
      LORIS_EPHYS_MODULES: 'ephys,uploads',
      LORIS_EPHYS_UPLOAD_DIR: join(tmp, 'staging'),
      LORIS_EPHYS_UPLOAD_RESERVE_BYTES: '0',
      LORIS_BASE_URL: loris.baseUrl,
      LORIS_EPHYS_LOG_LEVEL: 'warn',
    });
    loris.setUpstream(service.baseUrl);
    env = {
      LORIS_PASSWORD: PASSWORD,
      XDG_CONFIG_HOME: join(tmp, 'config'),
      XDG_CACHE_HOME: join(tmp, 'cache'),
    };
    session = await makeBidsSession(join(tmp, 'session'), 'MTL001', 'V1');
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await loris?.close();
    await db?.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const args = (source: string, extra: string[] = []) => [
    'upload',
    source,
    '--loris',
    loris.baseUrl,
    '--user',
    'uploader',
    '--kind',
    'eeg-bids',
    '--pscid',
    'MTL001',
    '--candid',
    '300001',
    '--visit',
    'V1',
    '--retries',
    '2',
    ...extra,
  ];
  const storedUploads = (): Record<string, { uploadUrl: string }> => {
    const file = join(tmp, 'config', 'loris-ephys', 'uploads.json');
    return existsSync(file)
      ? (JSON.parse(readFileSync(file, 'utf8') || '{}') as Record<string, { uploadUrl: string }>)
      : {};
  };
  const packsLeft = (): string[] => {
    const dir = join(tmp, 'cache', 'loris-ephys', 'packs');
    return existsSync(dir) ? readdirSync(dir).flatMap((d) => readdirSync(join(dir, d))) : [];
  };

  it('sends a BIDS session directory through the gateway and follows it to registration', async () => {
    const before = loris.requests.length;
    const result = await runCli(args(session.root, ['--json']), env);
    const status = JSON.parse(result.stdout) as FinalStatus;
    expect({ code: result.code, state: status.state }).toEqual({ code: 0, state: 'registered' });
    expect(status.filename).toBe(ARCHIVE);
    expect(status.report).toMatchObject({ ok: true, errors: [] });
    expect(status.report?.recordings).toHaveLength(1);
    expect(status.lorisUpload).toMatchObject({ table: 'electrophysiology_uploader' });
    // Through the gateway path, creation without a trailing slash, then PATCH and status polls.
    const seen = loris.requests.slice(before);
    expect(seen[0]).toBe('POST /api/v0.0.3/login');
    expect(seen[1]).toBe('POST /imaging_gateway/tus/upload');
    expect(seen).toContain(`PATCH /imaging_gateway/tus/upload/${status.id}`);
    expect(seen).toContain(`GET /imaging_gateway/uploads/${status.id}`);
    // Registered where LORIS looks: the very bytes the deterministic packing gives.
    const again = await packDirectory(session.root, ARCHIVE, join(tmp, 'check-cache'));
    expect(sha256(join(incoming, ARCHIVE))).toBe(sha256(again.path));
    // Nothing left behind on the client: no resume entry, no packed archive.
    expect(Object.keys(storedUploads())).toEqual([]);
    expect(packsLeft()).toEqual([]);
    expect(result.stderr).toContain('state: registered');
    expect(result.stderr + result.stdout).not.toContain(PASSWORD);
  });

  it('a target LORIS refuses is refused at creation, before any byte: exit 3 with the code', async () => {
    const before = loris.requests.length;
    const result = await runCli(
      args(session.root).map((a) => (a === '300001' ? '300009' : a)),
      env,
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('upload_candidate_not_found');
    expect(loris.requests.slice(before).filter((r) => r.startsWith('PATCH'))).toEqual([]);
  });

  it('an archive whose check finds errors ends refused, with the report: exit 3', async () => {
    const broken = await makeBidsSession(join(tmp, 'broken'), 'MTL001', 'V1');
    truncateSync(broken.recording, 4000);
    const result = await runCli(args(broken.root), env);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^report: errors; /);
    expect(result.stdout).toContain('unreadable_recording');
    expect(result.stdout).toMatch(/: refused\n/);
  });

  it('a client killed mid-upload resumes from the server offset and completes', async () => {
    // A session with a 24 MiB companion file, sent in 1 MiB chunks.
    const big = await makeBidsSession(join(tmp, 'big'), 'MTL001', 'V1');
    const noise = Buffer.alloc(24 * MiB);
    for (let i = 0; i < noise.length; i += 4) noise.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(
      join(big.root, 'sub-MTL001', 'ses-V1', 'eeg', 'sub-MTL001_ses-V1_task-rest_noise.bin'),
      noise,
    );
    const chunk = ['--chunk-size', '1MiB'];

    // First run: the 6th PATCH is held at the gateway, and the client is killed while it waits.
    let patches = 0;
    let release: (() => void) | undefined;
    const held = new Promise<void>((resolve) => {
      loris.setGatewayHook(async (method) => {
        if (method !== 'PATCH' || ++patches < 6) return;
        resolve();
        await new Promise<void>((_, reject) => (release = () => reject(new Error('client killed'))));
      });
    });
    const first = startCli(args(big.root, chunk), env);
    await Promise.race([held, first.done]);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    release?.();
    loris.setGatewayHook(null);
    expect(killed.signal).toBe('SIGKILL');

    // The server holds part of it: HEAD through the gateway, with a fresh token, says where.
    const stored = Object.values(storedUploads());
    expect(stored).toHaveLength(1);
    const uploadUrl = stored[0]?.uploadUrl ?? '';
    const login = await fetch(`${loris.baseUrl}/api/v0.0.3/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'uploader', password: PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const head = await fetch(uploadUrl, {
      method: 'HEAD',
      headers: { Authorization: `Bearer ${token}`, 'Tus-Resumable': '1.0.0' },
    });
    const offset = Number(head.headers.get('upload-offset'));
    const length = Number(head.headers.get('upload-length'));
    expect(offset).toBeGreaterThanOrEqual(5 * MiB);
    expect(offset).toBeLessThan(length);

    // Second run: same command, same archive bytes; it continues at the server's offset.
    const before = loris.requests.length;
    const second = await runCli(args(big.root, [...chunk, '--json']), env);
    expect(second.stderr).toContain(`resuming at ${offset} of ${length} bytes`);
    expect(second.stderr).toContain('reusing the packed');
    const seen = loris.requests.slice(before);
    expect(seen.filter((r) => r === 'POST /imaging_gateway/tus/upload')).toEqual([]);
    expect(seen.filter((r) => r.startsWith('PATCH'))).toHaveLength(Math.ceil((length - offset) / MiB));
    const status = JSON.parse(second.stdout) as FinalStatus;
    expect(uploadUrl.endsWith(`/imaging_gateway/tus/upload/${status.id}`)).toBe(true);
    expect({ code: second.code, state: status.state }).toEqual({ code: 0, state: 'registered' });
  });

  it('Ctrl-C during the transfer exits 130 saying how to resume, and the same command resumes', async () => {
    const dir = await makeBidsSession(join(tmp, 'interrupted'), 'MTL001', 'V1');
    const chunk = ['--chunk-size', '64KiB'];
    let patches = 0;
    let release: (() => void) | undefined;
    const held = new Promise<void>((resolve) => {
      loris.setGatewayHook(async (method) => {
        if (method !== 'PATCH' || ++patches < 3) return;
        resolve();
        await new Promise<void>((_, reject) => (release = () => reject(new Error('interrupted'))));
      });
    });
    const first = startCli(args(dir.root, chunk), env);
    await Promise.race([held, first.done]);
    first.child.kill('SIGINT');
    const interrupted = await first.done;
    release?.();
    loris.setGatewayHook(null);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain(
      'interrupted (SIGINT): run the same command again to resume the upload',
    );
    const second = await runCli(args(dir.root, chunk), env);
    expect(second.stderr).toMatch(/resuming at [1-9]\d* of \d+ bytes/);
    expect(second.code).toBe(0);
  });

  it('a service that stops answering mid-upload: idle requests are abandoned, retried, then exit 4', async () => {
    const dir = await makeBidsSession(join(tmp, 'stalled'), 'MTL001', 'V1');
    const releases: (() => void)[] = [];
    let held = 0;
    // Every PATCH is held at the gateway: no answer, no error.
    loris.setGatewayHook(async (method) => {
      if (method !== 'PATCH') return;
      held += 1;
      await new Promise<void>((_, reject) => releases.push(() => reject(new Error('released'))));
    });
    try {
      const result = await runCli(args(dir.root, ['--timeout', '1', '--retries', '1']), env);
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('no network activity for 1 s');
      expect(held).toBe(2);
    } finally {
      loris.setGatewayHook(null);
      for (const release of releases) release();
    }
  });

  it('--no-wait stops after the last byte and prints where to follow the upload', async () => {
    const result = await runCli(args(session.root, ['--no-wait']), env);
    expect(result.code).toBe(0);
    const url = result.stdout.trim();
    expect(url).toMatch(new RegExp(`^${loris.baseUrl}/imaging_gateway/uploads/[0-9a-f]+$`));
    expect(result.stderr).not.toContain('state:');
    const login = await fetch(`${loris.baseUrl}/api/v0.0.3/login`, {
      method: 'POST',
      body: JSON.stringify({ username: 'uploader', password: PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const status = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
    expect(status.status).toBe(200);
    expect(((await status.json()) as FinalStatus).filename).toBe(ARCHIVE);
  });

  it('on a terminal, shows a progress bar with bytes, rate and ETA', async () => {
    const running = startCliInTerminal(args(session.root, ['--chunk-size', '64KiB']), env);
    const result = await running.done;
    expect(result.stdout).toMatch(/upload \|[^|]*\| 100% ([\d.]+ KiB) \/ \1 {2}[\d.]+ [KMG]?i?B\/s {2}ETA /);
    expect(result.stdout).not.toContain('upload: 100%');
  });
});
