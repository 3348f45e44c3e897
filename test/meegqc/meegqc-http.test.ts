/**
 * The MEEGqc module over HTTP (serverless-offline, real MariaDB with LORIS's schema and the MEEGqc/BIDS tables,
 * real report files in a temporary data directory): listing, single files (types, CSP, ETag/304, Range), the
 * archive (read back and compared, categories, name collisions), the permission matrix (what a user may not see
 * answers exactly like what does not exist), path escapes, and the module switch (LORIS_EPHYS_MODULES=ephys).
 */
import { randomBytes } from 'node:crypto';
import JSZip from 'jszip';
import { buildAccessWorld, SETUP_TIMEOUT_MS, writeDataFile, type AccessWorld } from '../helpers/access-world';
import {
  DATASET,
  HTML_REPORT,
  JSON_REPORT,
  loadLayout,
  plantSymlink,
  pngBytes,
  seedCurrent,
  startLorisService,
  TSV_REPORT,
  type Seeded,
} from '../helpers/meegqc-world';
import { get, type FetchResult, type OfflineService } from '../helpers/offline';
import { bearer, lorisToken, STRONG_KEY } from '../helpers/tokens';

const ALL = 'electrophysiology_browser_view_allsites';
const SITE = 'electrophysiology_browser_view_site';
const MQ = 'derivatives/MEEGqc';

let world: AccessWorld;
let service: OfflineService;
let reports: Seeded[];
let escapeRecording: number;
let escapes: Seeded[];
const big = randomBytes(700 * 1024);
const tokens = new Map<string, string>();

const byPath = (suffix: string): Seeded => {
  const found = reports.find((r) => r.path.endsWith(suffix));
  if (!found) throw new Error(`no report ${suffix}`);
  return found;
};
const as = (user: string): Record<string, string> => bearer(tokens.get(user) ?? '');
const url = (path: string) => `${service.baseUrl}${path}`;
/** The error answer without per-request parts. */
const errorShape = (r: FetchResult) => ({
  status: r.status,
  body: r.json(),
  type: r.headers.get('content-type'),
});

beforeAll(async () => {
  world = await buildAccessWorld();
  await loadLayout(world, 'current');
  const users: [string, string[], number[], number[]][] = [
    ['admin', [ALL], [], [world.projects.P1, world.projects.P2]],
    ['site_a_p1', [SITE], [world.sites.A], [world.projects.P1]],
    ['site_b', [SITE], [world.sites.B], [world.projects.P1, world.projects.P2]],
    ['nobody', [], [world.sites.A, world.sites.B], [world.projects.P1, world.projects.P2]],
  ];
  for (const [username, permissions, sites, projects] of users) {
    await world.db.seed.user({ username, permissions, sites, projects });
    tokens.set(username, await lorisToken(STRONG_KEY, username));
  }
  const { A1, B1 } = world.files;
  reports = await seedCurrent(world, [
    {
      path: `${MQ}/reports/sub-A1_task-rest_desc-report_meg.html`,
      category: 'reports',
      recordings: [A1],
      content: HTML_REPORT,
    },
    {
      path: `${MQ}/sub-A1_task-rest_desc-STDs_meg.tsv`,
      category: 'root',
      recordings: [A1, B1],
      content: TSV_REPORT,
    },
    {
      path: `${MQ}/calculation/sub-A1_task-rest_desc-summary_meg.json`,
      category: 'calculation',
      recordings: [A1],
      content: JSON_REPORT,
    },
    {
      path: `${MQ}/reports/sub-A1_task-rest_desc-psd_meg.png`,
      category: 'reports',
      recordings: [A1],
      content: await pngBytes(),
    },
    { path: `${MQ}/reports/report.html`, category: 'reports', recordings: [A1], content: '<p>reports</p>' },
    {
      path: `${MQ}/summary_reports/report.html`,
      category: 'summary_reports',
      recordings: [A1],
      content: '<p>summary</p>',
    },
    { path: `${MQ}/calculation/sub-A1_raw.bin`, category: 'calculation', recordings: [A1], content: big },
    {
      path: `${MQ}/reports/sub-B1_desc-report_meg.html`,
      category: 'reports',
      recordings: [B1],
      content: HTML_REPORT,
    },
  ]);
  // A recording whose report rows point outside the data directory (never to be read).
  escapeRecording = await world.db.seed.file({
    session: world.sessions.A1,
    filePath: `${DATASET}/sub-A1/ses-V1/eeg/sub-A1_task-escape_eeg.edf`,
  });
  writeDataFile(world.dataDir, `${DATASET}/sub-A1/ses-V1/eeg/sub-A1_task-escape_eeg.edf`);
  plantSymlink(world, `${DATASET}/${MQ}/reports/linked-out.html`, world.sentinelPath);
  escapes = await seedCurrent(world, [
    {
      path: '../../../outside/secret.edf',
      category: 'reports',
      recordings: [escapeRecording],
      content: false,
    },
    {
      path: `${MQ}/reports/linked-out.html`,
      category: 'reports',
      recordings: [escapeRecording],
      content: false,
    },
    {
      path: `${MQ}/reports/not-on-disk.html`,
      category: 'reports',
      recordings: [escapeRecording],
      content: false,
    },
  ]);
  service = await startLorisService(world);
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await service?.stop();
  await world?.cleanup();
});

describe('listing', () => {
  it('lists the files of a recording ordered by category then path, with their LORIS hashes', async () => {
    const r = await get(url(`/meegqc/${world.files.A1}/files`), as('admin'));
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('private, no-cache');
    const files = (
      r.json() as { files: { id: number; name: string; category: string; blake2b_hash: string }[] }
    ).files;
    expect(files.map((f) => `${f.category}/${f.name}`)).toEqual([
      'calculation/sub-A1_raw.bin',
      'calculation/sub-A1_task-rest_desc-summary_meg.json',
      'reports/report.html',
      'reports/sub-A1_task-rest_desc-psd_meg.png',
      'reports/sub-A1_task-rest_desc-report_meg.html',
      'root/sub-A1_task-rest_desc-STDs_meg.tsv',
      'summary_reports/report.html',
    ]);
    const html = byPath('desc-report_meg.html');
    expect(files.find((f) => f.id === html.id)).toEqual({
      id: html.id,
      name: 'sub-A1_task-rest_desc-report_meg.html',
      category: 'reports',
      blake2b_hash: html.hash,
    });
  });

  it('answers {"files":[]} for a visible recording without reports', async () => {
    const r = await get(url(`/meegqc/${world.files.A2}/files`), as('admin'));
    expect([r.status, r.json()]).toEqual([200, { files: [] }]);
  });

  it('is shown by the demo page (the page carries the MEEGqc base)', async () => {
    const page = await get(url(`/demo?id=${world.files.A1}`));
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-meegqc-base="/meegqc"');
    expect(page.text).toContain('id="meegqc"');
  });

  it('is listed in /openapi.json', async () => {
    const doc = (await get(url('/openapi.json'))).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/meegqc/{physio_file_id}/files',
        '/meegqc/{physio_file_id}/files/archive',
        '/meegqc/{physio_file_id}/files/{meegqc_file_id}',
      ]),
    );
  });
});

describe('single files', () => {
  const file = (report: Seeded, recording = world.files.A1, headers: Record<string, string> = {}) =>
    get(url(`/meegqc/${recording}/files/${report.id}`), { ...as('admin'), ...headers });

  it('serves HTML inline and sandboxed, TSV as text, JSON and PNG with their types', async () => {
    const html = await file(byPath('desc-report_meg.html'));
    expect(html.status).toBe(200);
    expect(html.text).toBe(HTML_REPORT);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('content-security-policy')).toBe('sandbox allow-scripts');
    expect(html.headers.get('content-disposition')).toMatch(
      /^inline; filename="sub-A1_task-rest_desc-report_meg\.html"/,
    );
    expect(html.headers.get('x-content-type-options')).toBe('nosniff');
    expect(html.headers.get('x-loris-ephys-stream')).toBeNull();

    const tsv = await file(byPath('STDs_meg.tsv'));
    expect([tsv.status, tsv.text, tsv.headers.get('content-type')]).toEqual([
      200,
      TSV_REPORT,
      'text/plain; charset=utf-8',
    ]);
    expect(tsv.headers.get('content-security-policy')).toBeNull();

    const json = await file(byPath('summary_meg.json'));
    expect([json.status, json.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
    expect(json.json()).toEqual(JSON.parse(JSON_REPORT));

    const png = await file(byPath('psd_meg.png'));
    expect([png.status, png.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect(png.bytes.equals(await pngBytes())).toBe(true);
  });

  it('streams a larger file whole, with its length', async () => {
    const r = await file(byPath('sub-A1_raw.bin'), world.files.A1, { 'Accept-Encoding': 'identity' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    expect(r.headers.get('content-length')).toBe(String(big.length));
    expect(r.bytes.equals(big)).toBe(true);
  });

  it('answers 304 to its ETag and honours one byte range (206, 416, If-Range)', async () => {
    const report = byPath('sub-A1_raw.bin');
    const first = await file(report);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"mq-[\w-]+"$/);
    const again = await file(report, world.files.A1, { 'If-None-Match': etag });
    expect([again.status, again.bytes.length, again.headers.get('etag')]).toEqual([304, 0, etag]);

    const part = await file(report, world.files.A1, { Range: 'bytes=1000-1999' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${big.length}`);
    expect(part.bytes.equals(big.subarray(1000, 2000))).toBe(true);

    const tail = await file(report, world.files.A1, { Range: 'bytes=-10' });
    expect([tail.status, tail.bytes.equals(big.subarray(big.length - 10))]).toEqual([206, true]);

    const beyond = await file(report, world.files.A1, { Range: `bytes=${big.length}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${big.length}`);
    expect((beyond.json() as { error: { code: string } }).error.code).toBe('range_not_satisfiable');

    const stale = await file(report, world.files.A1, { Range: 'bytes=0-9', 'If-Range': '"other"' });
    expect([stale.status, stale.bytes.length]).toEqual([200, big.length]);
  });

  it('404s a file that is not linked to the recording, and a malformed id is 400', async () => {
    const r = await file(byPath('desc-report_meg.html'), world.files.B1);
    expect(r.status).toBe(404);
    expect((r.json() as { error: { code: string } }).error.code).toBe('meegqc_file_not_found');
    const bad = await get(url(`/meegqc/${world.files.A1}/files/01`), as('admin'));
    expect(bad.status).toBe(400);
  });

  it('never serves a path outside the data directory: .. and a symlink out are refused, never read', async () => {
    const [dotdot, symlink, missing] = escapes;
    for (const report of [dotdot, symlink]) {
      const r = await get(url(`/meegqc/${escapeRecording}/files/${report?.id}`), as('admin'));
      expect(r.status).toBe(403);
      expect((r.json() as { error: { code: string } }).error.code).toBe('path_outside_data_dir');
      expect(r.text).not.toContain(world.sentinelContent);
    }
    const gone = await get(url(`/meegqc/${escapeRecording}/files/${missing?.id}`), as('admin'));
    expect([gone.status, (gone.json() as { error: { code: string } }).error.code]).toEqual([
      404,
      'meegqc_file_missing',
    ]);
    const archive = await get(url(`/meegqc/${escapeRecording}/files/archive`), as('admin'));
    expect(archive.status).toBe(403);
    expect(archive.bytes.includes(Buffer.from(world.sentinelContent))).toBe(false);
    expect(service.output()).toContain('refused a MEEGqc file path outside the data directory');
  });
});

describe('archive', () => {
  const unzip = async (r: FetchResult) => {
    const zip = await JSZip.loadAsync(r.bytes);
    const entries: Record<string, Buffer> = {};
    for (const [name, entry] of Object.entries(zip.files)) entries[name] = await entry.async('nodebuffer');
    return entries;
  };

  it('zips every file by bare name, prefixing the category where two names collide', async () => {
    const r = await get(url(`/meegqc/${world.files.A1}/files/archive`), as('admin'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/zip');
    expect(r.headers.get('content-disposition')).toMatch(
      /^attachment; filename="sub-A1_task-rest_eeg_meegqc\.zip"/,
    );
    expect(r.headers.get('content-length')).toBe(String(r.bytes.length));
    const entries = await unzip(r);
    expect(Object.keys(entries).sort()).toEqual(
      [
        'sub-A1_raw.bin',
        'sub-A1_task-rest_desc-summary_meg.json',
        'reports_report.html',
        'sub-A1_task-rest_desc-psd_meg.png',
        'sub-A1_task-rest_desc-report_meg.html',
        'sub-A1_task-rest_desc-STDs_meg.tsv',
        'summary_reports_report.html',
      ].sort(),
    );
    expect(entries['sub-A1_raw.bin']?.equals(big)).toBe(true);
    expect(entries['sub-A1_task-rest_desc-report_meg.html']?.toString()).toBe(HTML_REPORT);
    expect(entries['reports_report.html']?.toString()).toBe('<p>reports</p>');
    expect(entries['summary_reports_report.html']?.toString()).toBe('<p>summary</p>');
    expect(entries['sub-A1_task-rest_desc-psd_meg.png']?.equals(await pngBytes())).toBe(true);
  });

  it('zips one category, named after it, and 404s when no file matches', async () => {
    const r = await get(url(`/meegqc/${world.files.A1}/files/archive?category=reports`), as('admin'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toMatch(
      /filename="sub-A1_task-rest_eeg_meegqc_reports\.zip"/,
    );
    expect(Object.keys(await unzip(r)).sort()).toEqual(
      ['report.html', 'sub-A1_task-rest_desc-psd_meg.png', 'sub-A1_task-rest_desc-report_meg.html'].sort(),
    );
    const none = await get(url(`/meegqc/${world.files.A1}/files/archive?category=nothing`), as('admin'));
    expect([none.status, (none.json() as { error: { code: string } }).error.code]).toEqual([
      404,
      'meegqc_files_not_found',
    ]);
    const empty = await get(url(`/meegqc/${world.files.A2}/files/archive`), as('admin'));
    expect(empty.status).toBe(404);
    const unknownParam = await get(url(`/meegqc/${world.files.A1}/files/archive?kind=reports`), as('admin'));
    expect(unknownParam.status).toBe(400);
  });
});

describe('access: what a user may not see answers exactly like what does not exist', () => {
  const routes = (id: number, fileId: number) => [
    `/meegqc/${id}/files`,
    `/meegqc/${id}/files/${fileId}`,
    `/meegqc/${id}/files/archive`,
  ];

  it('admits exactly the users the recording admits, on all three routes', async () => {
    const tsv = byPath('STDs_meg.tsv'); // linked to A1 and B1
    const unknown = await get(url(`/meegqc/4000000000/files`), as('admin'));
    expect(unknown.status).toBe(404);
    const cases: [string, number, number][] = [
      ['admin', world.files.A1, 200],
      ['admin', world.files.B1, 200],
      ['site_a_p1', world.files.A1, 200],
      ['site_a_p1', world.files.B1, 404],
      ['site_b', world.files.A1, 404],
      ['site_b', world.files.B1, 200],
      ['nobody', world.files.A1, 404],
      ['admin', world.files.inactiveSession, 404],
      ['admin', world.files.inactiveCandidate, 404],
    ];
    for (const [user, recording, status] of cases) {
      for (const path of routes(recording, tsv.id)) {
        const r = await get(url(path), as(user));
        const expected = status === 404 && path.endsWith('/files') ? 404 : status;
        if (
          recording === world.files.inactiveSession ||
          recording === world.files.inactiveCandidate ||
          status === 404
        ) {
          expect([user, path, errorShape(r)]).toEqual([user, path, { ...errorShape(unknown) }]);
        } else {
          expect([user, path, r.status]).toEqual([user, path, expected]);
        }
      }
    }
  });

  it('needs a token: none is 401', async () => {
    const r = await get(url(`/meegqc/${world.files.A1}/files`));
    expect(r.status).toBe(401);
  });
});

describe('module switch', () => {
  let ephysOnly: OfflineService;
  beforeAll(async () => {
    ephysOnly = await startLorisService(world, { LORIS_EPHYS_MODULES: 'ephys' });
  }, SETUP_TIMEOUT_MS);
  afterAll(async () => ephysOnly?.stop());

  it('with LORIS_EPHYS_MODULES=ephys the MEEGqc routes answer 404 like an unknown route, and leave the document', async () => {
    const unknownRoute = await get(`${ephysOnly.baseUrl}/no/such/route`, as('admin'));
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.json()).toEqual({ error: { code: 'not_found', message: 'No such route.' } });
    const id = byPath('STDs_meg.tsv').id;
    for (const path of [
      `/meegqc/${world.files.A1}/files`,
      `/meegqc/${world.files.A1}/files/${id}`,
      `/meegqc/${world.files.A1}/files/archive`,
    ]) {
      const r = await get(`${ephysOnly.baseUrl}${path}`, as('admin'));
      expect([path, errorShape(r)]).toEqual([path, errorShape(unknownRoute)]);
    }
    const doc = (await get(`${ephysOnly.baseUrl}/openapi.json`)).json() as {
      paths: Record<string, unknown>;
      tags: { name: string }[];
    };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/meegqc'))).toEqual([]);
    expect(doc.tags.map((t) => t.name)).not.toContain('meegqc');
    expect(Object.keys(doc.paths)).toContain('/ephys/{physio_file_id}/topographic-map');
    expect((await get(`${ephysOnly.baseUrl}/demo`)).text).not.toContain('data-meegqc-base');
    const recording = await get(`${ephysOnly.baseUrl}/ephys/${world.files.A1}`, as('admin'));
    expect(recording.status).toBe(200);
  });
});
