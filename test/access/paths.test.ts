/**
 * File resolution over HTTP: physiological_file.FilePath rows that escape the data directory (relative `..`,
 * absolute, symlinks out, dangling symlinks) are refused with 403 path_outside_data_dir and logged; the
 * sentinel file outside the data directory never reaches a response. Missing files, FIFOs and plain
 * directories are reported as not present; CTF `.ds` folders and symlinks that stay inside are served.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildAccessWorld,
  writeDataFile,
  SETUP_TIMEOUT_MS,
  startService,
  type AccessWorld,
} from '../helpers/access-world';
import { get, type OfflineService } from '../helpers/offline';
import { bearer, lorisToken, STRONG_KEY } from '../helpers/tokens';

const USER = 'reader';

describe('file resolution inside the data directory, over HTTP', () => {
  let world: AccessWorld;
  let service: OfflineService;
  let token: Record<string, string>;

  const addFile = (filePath: string, fileType: string | null = 'edf') =>
    world.db.seed.file({ session: world.sessions.A1, filePath, fileType });

  beforeAll(async () => {
    world = await buildAccessWorld();
    await world.db.seed.user({ username: USER, permissions: ['superuser'], projects: [world.projects.P1] });
    token = bearer(await lorisToken(STRONG_KEY, USER));
    const data = world.dataDir;
    mkdirSync(join(data, 'links'));
    symlinkSync(world.sentinelPath, join(data, 'links', 'escape.edf'));
    symlinkSync(join(world.tmp, 'outside'), join(data, 'links', 'outdir'));
    symlinkSync(join(world.tmp, 'outside', 'gone.edf'), join(data, 'links', 'dangling.edf'));
    writeDataFile(data, 'real/inside.edf');
    symlinkSync(join(data, 'real', 'inside.edf'), join(data, 'links', 'inside.edf'));
    writeDataFile(data, 'meg/sub-01_task-rest_meg.ds/sub-01_task-rest_meg.res4');
    mkdirSync(join(data, 'plain-directory.edf'));
    execFileSync('mkfifo', [join(data, 'pipe.edf')]);
    service = await startService({
      LORIS_EPHYS_MODE: 'loris',
      ...world.db.env(),
      LORIS_EPHYS_LOG_LEVEL: 'warn',
    });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await world?.cleanup();
  });

  const fetchFile = async (id: number) => get(`${service.baseUrl}/ephys/${id}`, token);

  it.each([
    ['a relative path climbing out', () => '../outside/secret.edf'],
    ['a path climbing out from inside', () => 'bids_imports/../../outside/secret.edf'],
    ['an absolute path to the sentinel', () => world.sentinelPath],
    ['an absolute path inside the data directory', () => join(world.dataDir, 'real', 'inside.edf')],
    ['a symlink to the sentinel', () => 'links/escape.edf'],
    ['a path through a symlinked directory', () => 'links/outdir/secret.edf'],
    ['a dangling symlink', () => 'links/dangling.edf'],
    ['an empty path', () => ''],
    ['a path with a NUL byte', () => 'real/inside.edf\u0000../../outside/secret.edf'],
  ])('refuses %s with 403 path_outside_data_dir', async (_, filePath) => {
    const r = await fetchFile(await addFile(filePath()));
    expect(r.status).toBe(403);
    expect(r.json()).toEqual({
      error: { code: 'path_outside_data_dir', message: expect.any(String) },
    });
    expect(r.text).not.toContain(world.sentinelContent);
    expect(r.text).not.toContain(world.tmp);
  });

  it('logs each refusal', () => {
    expect(service.output()).toContain('refused a recording path outside the data directory');
    expect(service.output()).not.toContain(world.sentinelContent);
  });

  it.each([
    ['a regular file', 'real/inside.edf', 'edf', true],
    ['a symlink that stays inside', 'links/inside.edf', 'edf', true],
    ['a CTF .ds folder', 'meg/sub-01_task-rest_meg.ds', 'ctf', true],
    ['a missing file', 'bids_imports/never/written.edf', 'edf', false],
    ['a FIFO (never opened)', 'pipe.edf', 'edf', false],
    ['a directory that is not a .ds', 'plain-directory.edf', 'edf', false],
  ])('serves the metadata of %s (presentOnDisk as expected)', async (_, filePath, fileType, present) => {
    const r = await fetchFile(await addFile(filePath, fileType));
    expect(r.status).toBe(200);
    const body = r.json() as { fileName: string; presentOnDisk: boolean; fileType: string };
    expect(body.presentOnDisk).toBe(present);
    expect(body.fileType).toBe(fileType);
    expect(body.fileName).toBe(filePath.split('/').pop());
  });
});
