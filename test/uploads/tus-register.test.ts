/**
 * From the last tus byte to LORIS's rows, for real: an EEG BIDS session built from ../shared/data, packed as
 * LORIS names it, uploaded in chunks through serverless-offline, checked by our readers in the background and
 * registered as LORIS's electrophysiology_uploader registers it; a session with a broken recording is refused
 * (nothing reaches LORIS); the upload's state then follows LORIS's row.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packTarGz, writeBidsSession, type SessionSpec } from '../helpers/bids-session';
import { startOffline, type OfflineService } from '../helpers/offline';
import { describeWithData } from '../helpers/testdata';
import { createUploadsWorld, EEG_TARGET, idOf, tusClient, type UploadsWorld } from '../helpers/uploads-world';

const CHUNK = 256 * 1024;
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describeWithData('a tus upload checked and registered in LORIS', () => {
  let world: UploadsWorld;
  let service: OfflineService;
  let client: ReturnType<typeof tusClient>;
  let cases = 0;

  beforeAll(async () => {
    world = await createUploadsWorld();
    service = await startOffline(world.env());
    client = tusClient(service.baseUrl, await world.token('uploader'));
  }, 60000);

  afterAll(async () => {
    await service?.stop();
    await world?.drop();
  });

  async function archive(spec: Partial<SessionSpec> = {}): Promise<Buffer> {
    cases += 1;
    const dir = join(world.tmp, `case${cases}`);
    mkdirSync(dir);
    await writeBidsSession(join(dir, 'src'), { subject: 'MTL001', session: 'V1', ...spec });
    const out = join(dir, EEG_TARGET.filename);
    await packTarGz(join(dir, 'src'), out);
    return readFileSync(out);
  }

  /** Uploads `data` in chunks; answers the upload id. */
  async function upload(data: Buffer): Promise<string> {
    const created = await client.create(EEG_TARGET, data.length);
    expect(created.status).toBe(201);
    const location = created.headers.get('location') ?? '';
    for (let offset = 0; offset < data.length; offset += CHUNK) {
      const r = await client.patch(location, offset, data.subarray(offset, offset + CHUNK));
      expect(r.status).toBe(204);
    }
    return idOf(location);
  }

  async function settled(id: string): Promise<Record<string, unknown>> {
    for (;;) {
      const body = (await client.status(id)).json() as Record<string, unknown>;
      if (body.state !== 'receiving' && body.state !== 'checking') return body;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('registers a valid session where LORIS looks, with its report, and follows LORIS’s row', async () => {
    const data = await archive();
    const id = await upload(data);
    const status = await settled(id);
    expect(status).toEqual(
      expect.objectContaining({
        state: 'registered',
        bytes: data.length,
        lorisUpload: expect.objectContaining({ table: 'electrophysiology_uploader', status: 'Not Started' }),
        process: null,
      }),
    );
    expect((status.report as { ok: boolean; recordings: unknown[] }).ok).toBe(true);
    expect((status.report as { recordings: unknown[] }).recordings).toHaveLength(2);
    // The archive is in EEGUploadIncomingPath byte for byte, and nothing of it is left in staging.
    const registered = join(world.eegIncoming, EEG_TARGET.filename);
    expect(sha256(readFileSync(registered))).toBe(sha256(data));
    expect(world.stagedFiles().filter((f) => f.includes(id))).toEqual([`state/${id}.json`]);
    const uploadId = (status.lorisUpload as { id: number }).id;
    const [rows] = await world.db.root.query(
      'SELECT UploadedBy, UploadLocation, Status FROM electrophysiology_uploader WHERE UploadID = ?',
      [uploadId],
    );
    expect(rows).toEqual([
      { UploadedBy: 'uploader', UploadLocation: EEG_TARGET.filename, Status: 'Not Started' },
    ]);
    // LORIS's pipeline moves the row on: the upload's state follows.
    await world.db.root.query(
      "UPDATE electrophysiology_uploader SET Status = 'Extracted' WHERE UploadID = ?",
      [uploadId],
    );
    expect(((await client.status(id)).json() as { state: string }).state).toBe('processing');
    await world.db.root.query(
      "UPDATE electrophysiology_uploader SET Status = 'Complete' WHERE UploadID = ?",
      [uploadId],
    );
    const done = (await client.status(id)).json() as { state: string; lorisUpload: { status: string } };
    expect([done.state, done.lorisUpload.status]).toEqual(['done', 'Complete']);
    const listed = (await client.list()).json() as { uploads: { id: string; state: string }[] };
    expect(listed.uploads.find((u) => u.id === id)?.state).toBe('done');
  });

  it('refuses a session with a broken recording: report kept, archive deleted, nothing in LORIS', async () => {
    const [before] = await world.db.root.query('SELECT COUNT(*) AS n FROM electrophysiology_uploader');
    const data = await archive({ truncateEdfTo: 3000 });
    const id = await upload(data);
    const status = await settled(id);
    expect(status.state).toBe('refused');
    const report = status.report as { ok: boolean; errors: string[] };
    expect(report.ok).toBe(false);
    expect(report.errors.length).toBeGreaterThan(0);
    expect(status.lorisUpload).toBeNull();
    expect(world.stagedFiles().filter((f) => f.includes(id))).toEqual([`state/${id}.json`]);
    const [after] = await world.db.root.query('SELECT COUNT(*) AS n FROM electrophysiology_uploader');
    expect(after).toEqual(before);
    expect(existsSync(join(world.eegIncoming, 'archives'))).toBe(false);
  });
});
