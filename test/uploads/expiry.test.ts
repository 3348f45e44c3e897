/**
 * Stale partial uploads expire (LORIS_EPHYS_UPLOAD_EXPIRY_HOURS, here 1.8 s): the partial file, its tus info
 * and its record are removed, and the upload is then unknown (404). A complete upload is not expired.
 */
import { randomBytes } from 'node:crypto';
import { startOffline, type OfflineService } from '../helpers/offline';
import { createUploadsWorld, EEG_TARGET, idOf, tusClient, type UploadsWorld } from '../helpers/uploads-world';

const EXPIRY_HOURS = 0.0005;

describe('expiry of partial uploads', () => {
  let world: UploadsWorld;
  let service: OfflineService;

  beforeAll(async () => {
    world = await createUploadsWorld();
    service = await startOffline(world.env({ LORIS_EPHYS_UPLOAD_EXPIRY_HOURS: String(EXPIRY_HOURS) }));
  }, 60000);

  afterAll(async () => {
    await service?.stop();
    await world?.drop();
  });

  it('removes a partial upload once it has expired, and keeps a complete one', async () => {
    const client = tusClient(service.baseUrl, await world.token('uploader'));
    const partial = await client.create(EEG_TARGET, 1000);
    const location = partial.headers.get('location') ?? '';
    const expires = Date.parse(partial.headers.get('upload-expires') ?? '');
    expect((await client.patch(location, 0, randomBytes(400))).status).toBe(204);
    const data = randomBytes(100);
    const complete = await client.create(EEG_TARGET, data.length, {}, data);
    const completeId = idOf(complete.headers.get('location') ?? '');
    expect(world.stagedFiles()).toEqual(expect.arrayContaining([`tus/${idOf(location)}`]));

    // Upload-Expires is a whole second (RFC 7231 date): wait past it and past the sweep interval.
    while (Date.now() < expires + 1500) await new Promise((r) => setTimeout(r, 200));

    const head = await client.head(location);
    expect(head.status).toBe(404);
    expect(world.stagedFiles().filter((f) => f.includes(idOf(location)))).toEqual([]);
    const list = (await client.list()).json() as { uploads: { id: string }[] };
    expect(list.uploads.map((u) => u.id)).toEqual([completeId]);
    expect((await client.status(completeId)).status).toBe(200);
  });
});
