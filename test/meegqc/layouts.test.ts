/**
 * The MEEGqc table layouts over HTTP: the older single-table `meegqc_file` (Path relative to the data directory,
 * Kind as category) is read like the current one; a site without MEEGqc tables lists no files (never a 500);
 * /health says which layout it found. Also: a body larger than a Lambda answer streams on premises.
 */
import { randomBytes } from 'node:crypto';
import JSZip from 'jszip';
import { buildAccessWorld, SETUP_TIMEOUT_MS, type AccessWorld } from '../helpers/access-world';
import {
  HTML_REPORT,
  loadLayout,
  seedLegacy,
  startLorisService,
  TSV_REPORT,
  type Seeded,
} from '../helpers/meegqc-world';
import { get, type OfflineService } from '../helpers/offline';
import { bearer, lorisToken, STRONG_KEY } from '../helpers/tokens';

type Checks = { checks: Record<string, { ok: boolean; detail?: string }> };

async function setUp(
  layout: 'legacy' | 'none',
): Promise<{ world: AccessWorld; headers: Record<string, string> }> {
  const world = await buildAccessWorld();
  await loadLayout(world, layout);
  await world.db.seed.user({
    username: 'admin',
    permissions: ['electrophysiology_browser_view_allsites'],
    projects: [world.projects.P1, world.projects.P2],
  });
  return { world, headers: bearer(await lorisToken(STRONG_KEY, 'admin')) };
}

describe('older single-table layout', () => {
  let world: AccessWorld;
  let service: OfflineService;
  let headers: Record<string, string>;
  let reports: Seeded[];
  const large = randomBytes(6 * 1024 * 1024 + 123);

  beforeAll(async () => {
    ({ world, headers } = await setUp('legacy'));
    const qc = 'bids_imports/ds/derivatives/Meg_QC';
    reports = await seedLegacy(world, [
      {
        path: `${qc}/reports/sub-A1_report.html`,
        category: 'reports',
        recordings: [world.files.A1],
        content: HTML_REPORT,
      },
      {
        path: `${qc}/calculation/sub-A1_stds.tsv`,
        category: 'calculation',
        recordings: [world.files.A1],
        content: TSV_REPORT,
      },
      {
        path: `${qc}/calculation/sub-A1_big.fif`,
        category: 'calculation',
        recordings: [world.files.A1],
        content: large,
      },
    ]);
    service = await startLorisService(world);
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await service?.stop();
    await world?.cleanup();
  });

  it('lists, serves and zips the files of the Kind/Path table', async () => {
    const list = await get(`${service.baseUrl}/meegqc/${world.files.A1}/files`, headers);
    expect(list.status).toBe(200);
    const [html, tsv, big] = reports;
    expect(list.json()).toEqual({
      files: [
        { id: big?.id, name: 'sub-A1_big.fif', category: 'calculation', blake2b_hash: big?.hash },
        { id: tsv?.id, name: 'sub-A1_stds.tsv', category: 'calculation', blake2b_hash: tsv?.hash },
        { id: html?.id, name: 'sub-A1_report.html', category: 'reports', blake2b_hash: html?.hash },
      ],
    });
    const file = await get(`${service.baseUrl}/meegqc/${world.files.A1}/files/${tsv?.id}`, headers);
    expect([file.status, file.text, file.headers.get('content-type')]).toEqual([
      200,
      TSV_REPORT,
      'text/plain; charset=utf-8',
    ]);
    const zip = await get(
      `${service.baseUrl}/meegqc/${world.files.A1}/files/archive?category=reports`,
      headers,
    );
    expect(zip.status).toBe(200);
    expect(Object.keys((await JSZip.loadAsync(zip.bytes)).files)).toEqual(['sub-A1_report.html']);
  });

  it('streams a file larger than a Lambda answer may be (6 MB) on premises', async () => {
    const big = reports[2];
    const r = await get(`${service.baseUrl}/meegqc/${world.files.A1}/files/${big?.id}`, headers);
    expect(r.status).toBe(200);
    expect(r.bytes.equals(large)).toBe(true);
  });

  it('says in /health which layout it found', async () => {
    const health = (await get(`${service.baseUrl}/health`, headers)).json() as Checks;
    expect(health.checks['meegqc.layout']).toEqual(
      expect.objectContaining({ ok: true, detail: expect.stringMatching(/^layout legacy/) }),
    );
  });
});

describe('no MEEGqc tables', () => {
  let world: AccessWorld;
  let service: OfflineService;
  let headers: Record<string, string>;

  beforeAll(async () => {
    ({ world, headers } = await setUp('none'));
    service = await startLorisService(world);
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await service?.stop();
    await world?.cleanup();
  });

  it('lists no files (200), and the file and archive routes 404', async () => {
    const list = await get(`${service.baseUrl}/meegqc/${world.files.A1}/files`, headers);
    expect([list.status, list.json()]).toEqual([200, { files: [] }]);
    const file = await get(`${service.baseUrl}/meegqc/${world.files.A1}/files/1`, headers);
    expect([file.status, (file.json() as { error: { code: string } }).error.code]).toEqual([
      404,
      'meegqc_file_not_found',
    ]);
    const zip = await get(`${service.baseUrl}/meegqc/${world.files.A1}/files/archive`, headers);
    expect(zip.status).toBe(404);
    const health = await get(`${service.baseUrl}/health`, headers);
    expect(health.status).toBe(200);
    expect((health.json() as Checks).checks['meegqc.layout']?.detail).toMatch(/^layout none/);
  });
});
