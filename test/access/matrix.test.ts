/**
 * The permission matrix over HTTP (serverless-offline, real MariaDB, real LORIS tokens): every user kind ×
 * recordings in two sites × two projects, the module switch, inactive sessions/candidates, unknown ids. What a
 * user may not see answers exactly like what does not exist (404 recording_not_found, same body and headers);
 * the log line keeps the real reason.
 * The service reaches the database through a LORIS config.xml (its <database> section), as a site would.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAccessWorld, SETUP_TIMEOUT_MS, startService, type AccessWorld } from '../helpers/access-world';
import { get, type OfflineService } from '../helpers/offline';
import { bearer, lorisToken, STRONG_KEY } from '../helpers/tokens';

const ALL = 'electrophysiology_browser_view_allsites';
const SITE = 'electrophysiology_browser_view_site';
type Cell = 'A1' | 'B1' | 'A2' | 'B2';
const CELLS: Cell[] = ['A1', 'B1', 'A2', 'B2'];

interface UserCase {
  username: string;
  permissions: string[];
  sites: ('A' | 'B')[];
  projects: ('P1' | 'P2')[];
  active?: 'Y' | 'N';
  pending?: 'Y' | 'N';
  activeFromDays?: number;
  activeToDays?: number;
  /** Expected status for A1, B1, A2, B2. */
  expect: [number, number, number, number];
}

const USERS: UserCase[] = [
  {
    username: 'no_permission',
    permissions: [],
    sites: ['A', 'B'],
    projects: ['P1', 'P2'],
    expect: [404, 404, 404, 404],
  },
  {
    username: 'site_a',
    permissions: [SITE],
    sites: ['A'],
    projects: ['P1', 'P2'],
    expect: [200, 404, 200, 404],
  },
  {
    username: 'site_a_p1',
    permissions: [SITE],
    sites: ['A'],
    projects: ['P1'],
    expect: [200, 404, 404, 404],
  },
  {
    username: 'site_without_site',
    permissions: [SITE],
    sites: [],
    projects: ['P1', 'P2'],
    expect: [404, 404, 404, 404],
  },
  { username: 'allsites_p1', permissions: [ALL], sites: [], projects: ['P1'], expect: [200, 200, 404, 404] },
  {
    username: 'allsites_both',
    permissions: [ALL],
    sites: ['B'],
    projects: ['P1', 'P2'],
    expect: [200, 200, 200, 200],
  },
  {
    username: 'allsites_no_project',
    permissions: [ALL],
    sites: ['A', 'B'],
    projects: [],
    expect: [404, 404, 404, 404],
  },
  {
    username: 'super_p1',
    permissions: ['superuser'],
    sites: [],
    projects: ['P1'],
    expect: [200, 200, 404, 404],
  },
  {
    username: 'super_no_project',
    permissions: ['superuser'],
    sites: ['A', 'B'],
    projects: [],
    expect: [404, 404, 404, 404],
  },
  {
    username: 'annotations_only',
    permissions: ['electrophysiology_browser_edit_annotations'],
    sites: ['A', 'B'],
    projects: ['P1', 'P2'],
    expect: [404, 404, 404, 404],
  },
  {
    username: 'other_module',
    permissions: ['access_all_profiles'],
    sites: ['A', 'B'],
    projects: ['P1', 'P2'],
    expect: [404, 404, 404, 404],
  },
  {
    username: 'inactive',
    permissions: [ALL],
    sites: [],
    projects: ['P1', 'P2'],
    active: 'N',
    expect: [401, 401, 401, 401],
  },
  {
    username: 'pending',
    permissions: [ALL],
    sites: [],
    projects: ['P1', 'P2'],
    pending: 'Y',
    expect: [401, 401, 401, 401],
  },
  {
    username: 'expired',
    permissions: [ALL],
    sites: [],
    projects: ['P1', 'P2'],
    activeToDays: -1,
    expect: [401, 401, 401, 401],
  },
  // LORIS's login refuses from the first moment of the active_to day (PHP: now > strtotime(active_to)).
  {
    username: 'ends_today',
    permissions: [ALL],
    sites: [],
    projects: ['P1', 'P2'],
    activeToDays: 0,
    expect: [401, 401, 401, 401],
  },
  {
    username: 'ends_tomorrow',
    permissions: [ALL],
    sites: [],
    projects: ['P1', 'P2'],
    activeToDays: 1,
    expect: [200, 200, 200, 200],
  },
  {
    username: 'starts_tomorrow',
    permissions: [ALL],
    sites: [],
    projects: ['P1', 'P2'],
    activeFromDays: 1,
    expect: [401, 401, 401, 401],
  },
  {
    username: 'started_today',
    permissions: [ALL],
    sites: [],
    projects: ['P1', 'P2'],
    activeFromDays: 0,
    expect: [200, 200, 200, 200],
  },
];

const ERROR_CODES: Record<number, string[]> = {
  401: ['invalid_token'],
  404: ['recording_not_found'],
};

describe('permission matrix over HTTP', () => {
  let world: AccessWorld;
  let service: OfflineService;
  const tokens = new Map<string, string>();
  let checked = 0;

  const fetchAs = async (username: string, fileId: number) => {
    const token = tokens.get(username);
    if (!token) throw new Error(`no token for ${username}`);
    return get(`${service.baseUrl}/ephys/${fileId}`, bearer(token));
  };

  beforeAll(async () => {
    world = await buildAccessWorld();
    for (const u of USERS) {
      await world.db.seed.user({
        username: u.username,
        permissions: u.permissions,
        sites: u.sites.map((s) => world.sites[s]),
        projects: u.projects.map((p) => world.projects[p]),
        active: u.active,
        pending: u.pending,
        activeFromDays: u.activeFromDays,
        activeToDays: u.activeToDays,
      });
      tokens.set(u.username, await lorisToken(STRONG_KEY, u.username));
    }
    const configXml = join(world.tmp, 'config.xml');
    writeFileSync(
      configXml,
      `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<config>\n  <database>\n    <host>127.0.0.1</host>\n` +
        `    <username>${world.db.user}</username>\n    <password>${world.db.password}</password>\n` +
        `    <database>${world.db.name}</database>\n    <name>Test database</name>\n  </database>\n</config>\n`,
    );
    service = await startService({
      LORIS_EPHYS_MODE: 'loris',
      LORIS_CONFIG_XML: configXml,
      LORIS_EPHYS_LOG_LEVEL: 'info',
      // The module switch below takes effect on the next request only without the authorisation memo; its
      // bound (a change seen within LORIS_EPHYS_AUTH_CACHE_MS) is tested in auth-cache.test.ts.
      LORIS_EPHYS_AUTH_CACHE_MS: '0',
    });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await world?.cleanup();
    console.log(`permission matrix: ${checked} cells checked over HTTP`);
  });

  it.each(USERS.map((u) => [u.username, u] as const))(
    '%s gets the expected status for each site × project',
    async (_, u) => {
      const results = [];
      for (const cell of CELLS) {
        const r = await fetchAs(u.username, world.files[cell]);
        results.push(r.status);
        checked++;
        if (r.status !== 200) {
          const body = r.json() as { error: Record<string, unknown> };
          expect(Object.keys(body)).toEqual(['error']);
          expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
          expect(ERROR_CODES[r.status]).toContain(body.error.code);
          if (r.status === 401) expect(r.headers.get('www-authenticate')).toMatch(/^Bearer /);
        }
      }
      expect(results).toEqual(u.expect);
    },
  );

  it('returns the LORIS metadata of a permitted recording', async () => {
    const r = await fetchAs('site_a', world.files.A1);
    checked++;
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('private, no-cache');
    // The recording's own description follows the metadata (null with descriptionError when the file is
    // not a readable recording, as the seeded placeholder files are not).
    expect(r.json()).toMatchObject({
      id: world.files.A1,
      fileType: 'edf',
      modality: 'eeg',
      outputType: 'raw',
      session: {
        id: world.sessions.A1,
        visitLabel: 'VA1',
        site: { id: world.sites.A, name: 'Site Alpha' },
        project: { id: world.projects.P1, name: 'Project One' },
      },
      candidate: { pscid: 'PSCA1' },
      fileName: 'sub-A1_task-rest_eeg.edf',
      presentOnDisk: true,
    });
    expect(Object.keys(r.json() as object)).toContain('description');
  });

  it('hides recordings of inactive sessions and candidates (404), as the browser list does', async () => {
    for (const id of [world.files.inactiveSession, world.files.inactiveCandidate]) {
      const r = await fetchAs('allsites_both', id);
      checked++;
      expect(r.status).toBe(404);
      expect((r.json() as { error: { code: string } }).error.code).toBe('recording_not_found');
    }
  });

  /** Status, body and headers of an answer, without what differs per request. */
  const shape = (r: Awaited<ReturnType<typeof fetchAs>>) => ({
    status: r.status,
    body: r.text,
    headers: [...r.headers.entries()].filter(([k]) => !['date', 'x-request-id'].includes(k)),
  });

  it('answers a forbidden recording exactly as an unknown id (status, body, headers), for every kind of refusal', async () => {
    const unknown = 4294967295;
    const reference = shape(await fetchAs('allsites_both', unknown));
    expect(reference.status).toBe(404);
    const hidden: [string, number][] = [
      ['no_permission', world.files.A1], // no browser permission
      ['no_permission', unknown],
      ['site_a', world.files.B1], // another site
      ['site_a_p1', world.files.A2], // another project
      ['allsites_both', world.files.inactiveSession],
      ['allsites_both', world.files.inactiveCandidate],
    ];
    for (const [username, id] of hidden) {
      expect({ username, id, ...shape(await fetchAs(username, id)) }).toEqual({ username, id, ...reference });
      checked++;
    }
  });

  it('logs the real reason behind each 404', async () => {
    const log = service.output();
    for (const reason of [
      'permission_denied',
      'outside_sites_or_projects',
      'session_inactive',
      'candidate_inactive',
      'no_such_recording',
    ]) {
      expect(log).toContain(`"reason":"${reason}"`);
    }
  });

  it('takes about as long to refuse a forbidden recording as an unknown one (medians printed)', async () => {
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;
    const time = async (username: string, id: number) => {
      const samples: number[] = [];
      for (let i = 0; i < 15; i++) {
        const t0 = performance.now();
        await fetchAs(username, id);
        samples.push(performance.now() - t0);
      }
      return median(samples);
    };
    const unknown = await time('site_a', 4294967295);
    const forbidden = await time('site_a', world.files.B1);
    console.log(
      `404 timing medians: unknown id ${unknown.toFixed(2)} ms, forbidden ${forbidden.toFixed(2)} ms`,
    );
    // Same queries either way; only a gross difference (a lookup skipped or added) could show on a busy machine.
    expect(Math.abs(forbidden - unknown)).toBeLessThan(250);
  });

  it('hides every recording, from superusers too, while the electrophysiology_browser module is inactive', async () => {
    await world.db.seed.moduleActive(false);
    try {
      for (const username of ['allsites_both', 'super_p1', 'site_a']) {
        const r = await fetchAs(username, world.files.A1);
        checked++;
        expect(r.status).toBe(404);
        expect((r.json() as { error: { code: string } }).error.code).toBe('recording_not_found');
      }
      expect(service.output()).toContain('"reason":"module_inactive"');
    } finally {
      await world.db.seed.moduleActive(true);
    }
    expect((await fetchAs('allsites_both', world.files.A1)).status).toBe(200);
  });

  it('reports database, jwtKey and dataDir as healthy', async () => {
    const r = await get(`${service.baseUrl}/health`);
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({
      status: 'ok',
      checks: { database: { ok: true }, jwtKey: { ok: true }, dataDir: { ok: true } },
    });
  });

  it('has no recording list in LORIS mode (404 not_available)', async () => {
    const r = await get(`${service.baseUrl}/ephys/recordings`, bearer(tokens.get('allsites_both') ?? ''));
    expect(r.status).toBe(404);
    expect((r.json() as { error: { code: string } }).error.code).toBe('not_available');
  });
});
