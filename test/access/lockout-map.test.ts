/**
 * LORIS's login lock-out on the topomap route, where maps also come from the answer cache and as 304s: a locked
 * account gets nothing but its 401 (not a new map, not a repeated one, not a 304), and that 401 comes before the 404
 * of a recording the account may not see. A lock-out begins within NEWEST_ROW_REUSE_MS of the failures that make it
 * (lib/service/lockout.ts): the tests wait that long after adding them.
 */
import { NEWEST_ROW_REUSE_MS } from '../../lib/service/lockout';
import {
  addRecording,
  buildAccessWorld,
  SETUP_TIMEOUT_MS,
  startService,
  type AccessWorld,
} from '../helpers/access-world';
import { get, type FetchResult, type OfflineService } from '../helpers/offline';
import { describeWithData, testDataPath } from '../helpers/testdata';
import { bearer, lorisToken, STRONG_KEY } from '../helpers/tokens';

const FILE = 'bids_imports/ds/sub-LO/ses-V1/eeg/sub-LO_task-rest_eeg.bdf';
const QUERY = 'tmin=0.1&tmax=0.3&size=256';
const codeOf = (r: FetchResult) => (r.json() as { error?: { code: string } }).error?.code;

describeWithData('lock-out on the topomap route', () => {
  let world: AccessWorld;
  let service: OfflineService;
  let fileId: number;
  let viewer: Record<string, string>;
  let stranger: Record<string, string>;

  beforeAll(async () => {
    world = await buildAccessWorld();
    fileId = await addRecording(world, FILE, testDataPath('edf', 'test.bdf'), 'bdf');
    for (const [username, projects] of [
      ['lock_viewer', [world.projects.P1]],
      ['lock_stranger', [world.projects.P2]],
    ] as const) {
      await world.db.seed.user({
        username,
        permissions: ['electrophysiology_browser_view_site'],
        sites: [world.sites.A],
        projects: [...projects],
      });
    }
    viewer = bearer(await lorisToken(STRONG_KEY, 'lock_viewer'));
    stranger = bearer(await lorisToken(STRONG_KEY, 'lock_stranger'));
    service = await startService({
      LORIS_EPHYS_MODE: 'loris',
      ...world.db.env(),
      LORIS_EPHYS_LOG_LEVEL: 'info',
    });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await world?.cleanup();
  });

  const lockOut = async (username: string) => {
    for (let i = 0; i < 11; i++) {
      await world.db.root.execute(
        `INSERT INTO user_login_history (userID, Success, Login_timestamp, IP_address)
           VALUES (?, 'N', NOW() - INTERVAL 1 MINUTE, '127.0.0.1')`,
        [username],
      );
    }
    await new Promise((r) => setTimeout(r, NEWEST_ROW_REUSE_MS + 100));
  };
  const mapUrl = (query = QUERY) => `${service.baseUrl}/ephys/${fileId}/topographic-map?${query}`;
  const expectLockedOut = (r: FetchResult) => {
    expect(r.status).toBe(401);
    expect(codeOf(r)).toBe('invalid_token');
    expect(r.headers.get('content-type')).toContain('json');
  };

  it('refuses a new map, a repeated one and a 304 to a locked account, and maps again once it is unlocked', async () => {
    const first = await get(mapUrl(), viewer);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/png');
    const etag = first.headers.get('etag') as string;
    expect((await get(mapUrl(), { ...viewer, 'If-None-Match': etag })).status).toBe(304);
    try {
      await lockOut('lock_viewer');
      expectLockedOut(await get(mapUrl(), viewer)); // from the answer cache otherwise
      expectLockedOut(await get(mapUrl('tmin=0.2&tmax=0.4&size=256'), viewer)); // a new map
      expectLockedOut(await get(mapUrl(), { ...viewer, 'If-None-Match': etag }));
      expect(service.output()).toContain('"reason":"account_locked"');
    } finally {
      await world.db.root.execute('DELETE FROM user_login_history');
    }
    expect((await get(mapUrl('tmin=0.3&tmax=0.5&size=256'), viewer)).status).toBe(200);
  }, 60_000);

  it('answers a locked account 401 before the 404 of a recording it may not see', async () => {
    const refused = await get(mapUrl(), stranger);
    expect(refused.status).toBe(404);
    expect(codeOf(refused)).toBe('recording_not_found');
    try {
      await lockOut('lock_stranger');
      expectLockedOut(await get(mapUrl(), stranger));
      expectLockedOut(await get(`${service.baseUrl}/ephys/${fileId}`, stranger));
    } finally {
      await world.db.root.execute('DELETE FROM user_login_history');
    }
  }, 60_000);
});
