/**
 * LORIS's extras for a recording (stored electrodes, channel status, events) are looked up beside the
 * authorisation lookups, once the token's signature holds, so a first request waits for one round of queries
 * instead of two (issue 13). In process, with a real MariaDB: the lookup starts before authorisation has
 * resolved, never for a forged token, its result is only handed out with an authorised recording, and the
 * source built from it equals the one looked up afterwards.
 */
import { authorizeRecording, lorisRuntimeFor, resetAccessStateForTests } from '../../lib/service/access';
import type { HttpEvent } from '../../lib/core/http';
import { getConfig, resetConfigForTests } from '../../lib/service/runtime';
import { authorizeWithExtras, lorisExtras, recordingSource } from '../../lib/service/requested-recording';
import { buildAccessWorld, SETUP_TIMEOUT_MS, type AccessWorld } from '../helpers/access-world';
import { lorisToken, STRONG_KEY } from '../helpers/tokens';

const VIEW_ALL = 'electrophysiology_browser_view_allsites';

function eventFor(id: number, token: string): HttpEvent {
  return {
    headers: { authorization: `Bearer ${token}` },
    pathParameters: { physio_file_id: String(id) },
    requestContext: { requestId: 'req-1', http: { method: 'GET', path: `/ephys/${id}` } },
  } as unknown as HttpEvent;
}

describe('LORIS extras looked up beside the authorisation', () => {
  let world: AccessWorld;
  const saved = { ...process.env };
  let viewer: string;
  let outsider: string;

  beforeAll(async () => {
    world = await buildAccessWorld();
    await world.db.seed.user({
      username: 'x_viewer',
      permissions: [VIEW_ALL],
      projects: [world.projects.P1],
    });
    await world.db.seed.user({ username: 'x_other', permissions: [VIEW_ALL], projects: [world.projects.P2] });
    const insert = `INSERT INTO physiological_channel (PhysiologicalFileID, PhysiologicalChannelTypeID, PhysiologicalStatusTypeID, Name, SamplingFrequency, Unit)
      VALUES (?, (SELECT PhysiologicalChannelTypeID FROM physiological_channel_type WHERE ChannelTypeName = 'EEG'),
              (SELECT PhysiologicalStatusTypeID FROM physiological_status_type WHERE ChannelStatus = 'bad'), 'Fp2', 512, 'uV')`;
    await world.db.root.execute(insert, [world.files.A1]);
    viewer = await lorisToken(STRONG_KEY, 'x_viewer');
    outsider = await lorisToken(STRONG_KEY, 'x_other');
    Object.assign(process.env, {
      LORIS_EPHYS_MODE: 'loris',
      ...world.db.env(),
      LORIS_EPHYS_AUTH_CACHE_MS: '0', // every call reads the database: nothing here comes from a memo
    });
    resetConfigForTests();
    resetAccessStateForTests();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await (await lorisRuntimeFor(getConfig())).db.close();
    process.env = saved;
    resetConfigForTests();
    resetAccessStateForTests();
    await world?.cleanup();
  });

  it('starts the extra work before authorisation resolves, with the recording id, once per request', async () => {
    const calls: { id: number; authorised: boolean }[] = [];
    let authorised = false;
    const access = await authorizeRecording(eventFor(world.files.A1, viewer), String(world.files.A1), {
      alongside: (_db, id) => calls.push({ id, authorised }),
    }).then((a) => ((authorised = true), a));
    expect(access.id).toBe(world.files.A1);
    expect(calls).toEqual([{ id: world.files.A1, authorised: false }]);
  });

  it('never starts it for a token whose signature fails', async () => {
    const forged = await lorisToken('Another-strong-key_2026#with$symbols&9', 'x_viewer');
    const calls: number[] = [];
    await expect(
      authorizeRecording(eventFor(world.files.A1, forged), String(world.files.A1), {
        alongside: (_db, id) => calls.push(id),
      }),
    ).rejects.toMatchObject({ status: 401 });
    expect(calls).toEqual([]);
  });

  it('hands the extras out only with an authorised recording (404 for a recording the caller may not see)', async () => {
    await expect(authorizeWithExtras(eventFor(world.files.A1, outsider))).rejects.toMatchObject({
      status: 404,
      code: 'recording_not_found',
    });
    const { access, extras } = await authorizeWithExtras(eventFor(world.files.A1, viewer));
    expect(extras).toBeDefined();
    const prefetched = await recordingSource(access, { prefetched: extras });
    const looked = await recordingSource(access);
    expect(prefetched).toEqual(looked);
    const { db } = await lorisRuntimeFor(getConfig());
    expect(prefetched.extras).toEqual(await lorisExtras(db, world.files.A1));
    expect(prefetched.extras.badChannels).toEqual(['Fp2']);
  });

  it("leaves LORIS's events out when asked (a map that reads none), under a key of their own", async () => {
    const { access, extras } = await authorizeWithExtras(eventFor(world.files.A1, viewer), undefined, {
      events: false,
    });
    const lean = await recordingSource(access, { prefetched: extras, events: false });
    expect(await recordingSource(access, { events: false })).toEqual(lean);
    const full = await recordingSource(access);
    expect(full.extras.events).toBeDefined();
    expect(lean.extras.events).toBeUndefined();
    expect(lean.extras.badChannels).toEqual(full.extras.badChannels);
    expect(lean.extras.electrodes).toEqual(full.extras.electrodes);
    expect(lean.extrasKey).not.toBe(full.extrasKey);
  });
});
