/**
 * LORIS mode end to end: a real EDF registered in a seeded MariaDB, with electrodes stored in LORIS's tables
 * (physiological_coord_system_electrode_rel → physiological_electrode → point_3d, a CapTrak system with
 * fiducials, millimetres), a channel marked bad in physiological_channel and task events in
 * physiological_task_event. The sensors and topomap routes must use the database first.
 */
import type { Connection, ResultSetHeader } from 'mysql2/promise';
import { type OfflineService } from '../helpers/offline';
import {
  addRecording,
  buildAccessWorld,
  SETUP_TIMEOUT_MS,
  startService,
  type AccessWorld,
} from '../helpers/access-world';
import { get } from '../helpers/offline';
import { describeWithData, testDataPath } from '../helpers/testdata';
import { bearer, lorisToken, STRONG_KEY } from '../helpers/tokens';
import { montagePositions, rasToNeuromagTrans, applyTrans } from '../../lib/readers/positions';

const FILE = 'bids_imports/ds/sub-DB/ses-V1/eeg/sub-DB_task-rest_eeg.bdf';
const NAMES = ['Fp1', 'Fz', 'Cz', 'Pz', 'Oz', 'C3', 'C4', 'T7', 'T8', 'O1', 'O2'];
// A made-up RAS digitisation in millimetres: standard positions moved and scaled, with fiducials.
const SHIFT = [3, -5, 12];
const toDigitiser = (r: readonly number[]): number[] => r.map((v, i) => v * 1000 * 1.02 + (SHIFT[i] ?? 0));

async function exec(root: Connection, sql: string, params: (string | number | null)[] = []): Promise<number> {
  const [result] = await root.execute<ResultSetHeader>(sql, params);
  return result.insertId;
}

describeWithData('LORIS mode: positions, bad channels and events from the database', () => {
  let world: AccessWorld;
  let service: OfflineService;
  let fileId: number;
  let headers: Record<string, string>;
  const montage = montagePositions('standard_1005', NAMES);

  beforeAll(async () => {
    world = await buildAccessWorld();
    fileId = await addRecording(world, FILE, testDataPath('edf', 'test.bdf'), 'bdf');
    await world.db.seed.user({
      username: 'viewer',
      permissions: ['electrophysiology_browser_view_allsites'],
      sites: [],
      projects: [world.projects.P1],
    });
    headers = bearer(await lorisToken(STRONG_KEY, 'viewer'));
    const root = world.db.root;
    const cs = await exec(
      root,
      `INSERT INTO physiological_coord_system (NameID, TypeID, UnitID, ModalityID, FilePath)
       SELECT n.PhysiologicalCoordSystemNameID, t.PhysiologicalCoordSystemTypeID, u.PhysiologicalCoordSystemUnitID, 2, 'x_coordsystem.json'
       FROM physiological_coord_system_name n, physiological_coord_system_type t, physiological_coord_system_unit u
       WHERE n.Name = 'CapTrak' AND t.Name = 'Fiducials' AND u.Symbol = 'mm'`,
    );
    for (const p of montage.positions) {
      const [x, y, z] = toDigitiser(p.r);
      const point = await exec(root, 'INSERT INTO point_3d (X, Y, Z) VALUES (?, ?, ?)', [
        x ?? 0,
        y ?? 0,
        z ?? 0,
      ]);
      const el = await exec(root, 'INSERT INTO physiological_electrode (Name, Point3DID) VALUES (?, ?)', [
        p.name,
        point,
      ]);
      await exec(
        root,
        'INSERT INTO physiological_coord_system_electrode_rel (PhysiologicalCoordSystemID, PhysiologicalElectrodeID, PhysiologicalFileID) VALUES (?, ?, ?)',
        [cs, el, fileId],
      );
    }
    const fid = montage.fiducials;
    if (!fid) throw new Error('standard_1005 has fiducials');
    for (const [name, r] of [
      ['NAS', fid.nasion],
      ['LPA', fid.lpa],
      ['RPA', fid.rpa],
    ] as const) {
      const [x, y, z] = toDigitiser(r);
      const point = await exec(root, 'INSERT INTO point_3d (X, Y, Z) VALUES (?, ?, ?)', [
        x ?? 0,
        y ?? 0,
        z ?? 0,
      ]);
      await exec(
        root,
        'INSERT INTO physiological_coord_system_point_3d_rel (PhysiologicalCoordSystemID, Point3DID, Name) VALUES (?, ?, ?)',
        [cs, point, name],
      );
    }
    await exec(
      root,
      `INSERT INTO physiological_channel (PhysiologicalFileID, PhysiologicalChannelTypeID, PhysiologicalStatusTypeID, Name, FilePath)
       SELECT ?, t.PhysiologicalChannelTypeID, s.PhysiologicalStatusTypeID, 'Oz', 'x_channels.tsv'
       FROM physiological_channel_type t, physiological_status_type s WHERE t.ChannelTypeName = 'EEG' AND s.ChannelStatus = 'bad'`,
      [fileId],
    );
    const eventFile = await exec(
      root,
      "INSERT INTO physiological_event_file (PhysiologicalFileID, FileType, FilePath) VALUES (?, 'tsv', 'x_events.tsv')",
      [fileId],
    );
    for (const onset of [0.3, 0.6]) {
      await exec(
        root,
        'INSERT INTO physiological_task_event (PhysiologicalFileID, EventFileID, Onset, Duration, EventType, EventValue) VALUES (?, ?, ?, 0, ?, ?)',
        [fileId, eventFile, onset, 'stimulus', 'tone'],
      );
    }
    service = await startService({
      ...world.db.env(),
      LORIS_EPHYS_MODE: 'loris',
      LORIS_EPHYS_LOG_LEVEL: 'warn',
    });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await service?.stop();
    await world?.cleanup();
  });

  it('uses the stored electrodes, converted to the head frame by their fiducials (mm, CapTrak)', async () => {
    const r = await get(`${service.baseUrl}/ephys/${fileId}/sensors?types=eeg`, headers);
    expect(r.status).toBe(200);
    const body = r.json() as {
      positionSource: string;
      channels: { name: string; position: number[] | null; status: string }[];
    };
    expect(body.positionSource).toBe('database');
    const fid = montage.fiducials as NonNullable<typeof montage.fiducials>;
    const trans = rasToNeuromagTrans({
      nasion: toDigitiser(fid.nasion).map((v) => v / 1000) as [number, number, number],
      lpa: toDigitiser(fid.lpa).map((v) => v / 1000) as [number, number, number],
      rpa: toDigitiser(fid.rpa).map((v) => v / 1000) as [number, number, number],
    });
    for (const p of montage.positions) {
      const ch = body.channels.find((c) => c.name === p.name);
      const expected = applyTrans(trans, toDigitiser(p.r).map((v) => v / 1000) as [number, number, number]);
      expect(ch?.position?.map((v, i) => Math.abs(v - (expected[i] ?? NaN))).every((d) => d < 1e-9)).toBe(
        true,
      );
    }
    // Channels LORIS has no electrode for have no position (the database source wins over the montage).
    expect(body.channels.find((c) => c.name === 'AF7')?.position).toBeNull();
    expect(body.channels.find((c) => c.name === 'Oz')?.status).toBe('bad');
  });

  it('leaves the database-bad channel out of maps and averages ERPs over the stored events', async () => {
    // Maps that need no events first: each map worker then holds the recording opened without LORIS's events
    // (a second PNG map is drawn in halves by both), which the ERP map must not take for one with them.
    for (const t of [0.1, 0.2]) {
      const plain = await get(`${service.baseUrl}/ephys/${fileId}/topographic-map?t=${t}`, headers);
      expect(plain.status).toBe(200);
    }
    const r = await get(
      `${service.baseUrl}/ephys/${fileId}/topographic-map?metric=erp&event=tone&tmin=-0.1&tmax=0.2&format=json&res=16`,
      headers,
    );
    expect(r.status).toBe(200);
    const body = r.json() as { channels: string[]; excluded: string[]; positionSource: string };
    expect(body.positionSource).toBe('database');
    expect(body.excluded).toContain('Oz');
    expect(body.channels.sort()).toEqual(NAMES.filter((n) => n !== 'Oz').sort());
  });

  it('describes the recording with its position source', async () => {
    const r = await get(`${service.baseUrl}/ephys/${fileId}`, headers);
    const body = r.json() as { description: { positionSource: string; eventCount: number; bads: string[] } };
    expect(body.description).toMatchObject({ positionSource: 'database', eventCount: 2, bads: ['Oz'] });
  });
});
