/**
 * The LORIS query family against a real MariaDB loaded with LORIS's schema, through the service's own pool
 * and read-only account: users, files, settings (cache and overrides), config.xml, electrodes (LEFT JOINs keep
 * electrodes without type/material), landmarks, channels, events, head shape, parameters; and the pool's
 * error mapping (unreachable / refused login → 503, faulty statement → 500).
 */
import type { ResultSetHeader } from 'mysql2/promise';
import { mergeDbSettings, parseLorisConfigXml } from '../../lib/loris/config-xml';
import { createDb, DatabaseUnavailableError, type Db } from '../../lib/loris/db';
import { storedChannels } from '../../lib/loris/channels';
import { storedPositions } from '../../lib/loris/electrodes';
import { storedEvents } from '../../lib/loris/events';
import { findPhysiologicalFile, isModuleActive } from '../../lib/loris/files';
import { storedHeadShape } from '../../lib/loris/headshape';
import { fileParameter, fileParameters } from '../../lib/loris/parameters';
import { cachedSettings, readLorisSettings } from '../../lib/loris/settings';
import { findUserByUsername } from '../../lib/loris/users';
import { buildAccessWorld, type AccessWorld } from '../helpers/access-world';
import { freePort } from '../helpers/offline';
import { STRONG_KEY } from '../helpers/tokens';

describe('LORIS queries on a real database', () => {
  let world: AccessWorld;
  let db: Db;
  const exec = async (sql: string, params: (string | number | null)[] = []) =>
    (await world.db.root.execute<ResultSetHeader>(sql, params))[0].insertId;

  beforeAll(async () => {
    world = await buildAccessWorld();
    const env = world.db.env();
    db = createDb({
      host: '127.0.0.1',
      port: 3306,
      user: env.LORIS_DB_USER,
      password: env.LORIS_DB_PASSWORD,
      database: env.LORIS_DB_NAME,
    });
  });
  afterAll(async () => {
    await db?.close();
    await world?.cleanup();
  });

  it('reads a user with permission codes, sites and projects', async () => {
    await world.db.seed.user({
      username: 'grants',
      permissions: ['superuser', 'electrophysiology_browser_view_site'],
      sites: [world.sites.A, world.sites.B],
      projects: [world.projects.P2],
      activeToDays: 10,
    });
    const u = await findUserByUsername(db, 'grants');
    expect(u).toMatchObject({ username: 'grants', active: 'Y', pendingApproval: 'N', activeFrom: null });
    expect(u?.permissions.sort()).toEqual(['electrophysiology_browser_view_site', 'superuser']);
    expect(u?.sites.sort()).toEqual([world.sites.A, world.sites.B].sort());
    expect(u?.projects).toEqual([world.projects.P2]);
    expect(u?.today).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(u?.activeTo && u.activeTo > u.today).toBe(true);
    expect(await findUserByUsername(db, 'no such user')).toBeUndefined();
  });

  it('reads a file with its session, site, project, candidate, modality and output type', async () => {
    const f = await findPhysiologicalFile(db, world.files.B2);
    expect(f).toMatchObject({
      id: world.files.B2,
      fileType: 'edf',
      modality: 'eeg',
      outputType: 'raw',
      headShapeFileId: null,
      session: {
        id: world.sessions.B2,
        visitLabel: 'VB2',
        active: true,
        site: { id: world.sites.B, name: 'Site Beta' },
      },
      candidate: { pscid: 'PSCB2', active: true },
    });
    expect(f?.session.project).toEqual({ id: world.projects.P2, name: 'Project Two' });
    expect(await findPhysiologicalFile(db, 987654)).toBeUndefined();
    expect(await isModuleActive(db)).toBe(true);
    expect(await isModuleActive(db, 'no_such_module')).toBe(false);
  });

  it('reads JWTKey and dataDirBasepath; caches them for the TTL; overrides win', async () => {
    expect(await readLorisSettings(db)).toEqual({ jwtKey: STRONG_KEY, dataDir: `${world.dataDir}/` });
    let clock = 0;
    const settings = cachedSettings(db, {}, 30000, () => clock);
    expect((await settings()).jwtKey).toBe(STRONG_KEY);
    await world.db.seed.config('JWTKey', 'Rotated-key_2026#abcdef1');
    clock = 29999;
    expect((await settings()).jwtKey).toBe(STRONG_KEY);
    clock = 30000;
    expect((await settings()).jwtKey).toBe('Rotated-key_2026#abcdef1');
    const overridden = cachedSettings(db, { jwtKey: 'From-env_key#2026abcdef', dataDir: '/srv/data' });
    expect(await overridden()).toEqual({ jwtKey: 'From-env_key#2026abcdef', dataDir: '/srv/data' });
    await world.db.seed.config('JWTKey', STRONG_KEY);
  });

  it("parses config.xml's <database> and lets set LORIS_DB_* variables win", () => {
    const xml = parseLorisConfigXml(
      '<?xml version="1.0"?><config><database><host>db.example</host><username>lorisuser</username>' +
        '<password>0123</password><database>LORIS</database><adminUser>root</adminUser></database></config>',
    );
    expect(xml).toEqual({ host: 'db.example', username: 'lorisuser', password: '0123', database: 'LORIS' });
    const base = { host: '127.0.0.1', port: 3306, user: undefined, password: undefined, database: undefined };
    expect(mergeDbSettings(base, xml, {})).toEqual({
      host: 'db.example',
      port: 3306,
      user: 'lorisuser',
      password: '0123',
      database: 'LORIS',
    });
    expect(mergeDbSettings({ ...base, user: 'envuser' }, xml, { LORIS_DB_USER: 'envuser' }).user).toBe(
      'envuser',
    );
    expect(() => parseLorisConfigXml('<config><dev/></config>')).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
    expect(() => parseLorisConfigXml('<!DOCTYPE x [<!ENTITY a "b">]><config/>')).toThrow(
      expect.objectContaining({ code: 'config_invalid' }),
    );
  });

  it('reads stored electrode positions, keeping electrodes without type or material, and the landmarks', async () => {
    const csName = 'CapTrak';
    const cs = await exec(
      `INSERT INTO physiological_coord_system (NameID, TypeID, UnitID, ModalityID, FilePath)
       SELECT n.PhysiologicalCoordSystemNameID, t.PhysiologicalCoordSystemTypeID, u.PhysiologicalCoordSystemUnitID, 2, 'x_coordsystem.json'
       FROM physiological_coord_system_name n, physiological_coord_system_type t, physiological_coord_system_unit u
       WHERE n.Name = ? AND t.Name = 'Fiducials' AND u.Symbol = 'm'`,
      [csName],
    );
    const typeId = await exec("INSERT INTO physiological_electrode_type (ElectrodeType) VALUES ('cup')");
    const matId = await exec(
      "INSERT INTO physiological_electrode_material (ElectrodeMaterial) VALUES ('Ag/AgCl')",
    );
    const electrodes: [string, number, number, number, number | null, number | null][] = [
      ['Fp1', -0.03, 0.08, 0.02, typeId, matId],
      ['Cz', 0, 0, 0.1, null, null],
      ['O2', 0.03, -0.08, 0.02, typeId, null],
    ];
    for (const [name, x, y, z, t, m] of electrodes) {
      const point = await exec('INSERT INTO point_3d (X, Y, Z) VALUES (?, ?, ?)', [x, y, z]);
      const el = await exec(
        'INSERT INTO physiological_electrode (PhysiologicalElectrodeTypeID, PhysiologicalElectrodeMaterialID, Name, Point3DID) VALUES (?, ?, ?, ?)',
        [t, m, name, point],
      );
      await exec(
        'INSERT INTO physiological_coord_system_electrode_rel (PhysiologicalCoordSystemID, PhysiologicalElectrodeID, PhysiologicalFileID) VALUES (?, ?, ?)',
        [cs, el, world.files.A1],
      );
    }
    for (const [name, x, y, z] of [
      ['NAS', 0, 0.1, 0],
      ['LPA', -0.07, 0, 0],
      ['RPA', 0.07, 0, 0],
    ] as const) {
      const point = await exec('INSERT INTO point_3d (X, Y, Z) VALUES (?, ?, ?)', [x, y, z]);
      await exec(
        'INSERT INTO physiological_coord_system_point_3d_rel (PhysiologicalCoordSystemID, Point3DID, Name) VALUES (?, ?, ?)',
        [cs, point, name],
      );
    }
    const positions = await storedPositions(db, world.files.A1);
    const coordSystem = { id: cs, name: 'CapTrak', orientation: 'RAS', type: 'Fiducials' };
    expect(positions.electrodes).toEqual([
      {
        name: 'Fp1',
        x: -0.03,
        y: 0.08,
        z: 0.02,
        unit: 'm',
        coordSystem,
        electrodeType: 'cup',
        material: 'Ag/AgCl',
      },
      { name: 'Cz', x: 0, y: 0, z: 0.1, unit: 'm', coordSystem, electrodeType: null, material: null },
      {
        name: 'O2',
        x: 0.03,
        y: -0.08,
        z: 0.02,
        unit: 'm',
        coordSystem,
        electrodeType: 'cup',
        material: null,
      },
    ]);
    expect(positions.landmarks.map((l) => [l.name, l.x, l.y, l.z, l.unit])).toEqual([
      ['NAS', 0, 0.1, 0, 'm'],
      ['LPA', -0.07, 0, 0, 'm'],
      ['RPA', 0.07, 0, 0, 'm'],
    ]);
    expect((await storedPositions(db, world.files.A1, 2)).electrodes).toHaveLength(2);
    expect(await storedPositions(db, world.files.B1)).toEqual({ electrodes: [], landmarks: [] });
  });

  it('reads channels with type and status', async () => {
    const insert = `INSERT INTO physiological_channel (PhysiologicalFileID, PhysiologicalChannelTypeID, PhysiologicalStatusTypeID, Name, SamplingFrequency, Unit)
      VALUES (?, (SELECT PhysiologicalChannelTypeID FROM physiological_channel_type WHERE ChannelTypeName = ?),
              (SELECT PhysiologicalStatusTypeID FROM physiological_status_type WHERE ChannelStatus = ?), ?, 512, ?)`;
    await exec(insert, [world.files.A1, 'EEG', 'good', 'Fp1', 'uV']);
    await exec(insert, [world.files.A1, 'EEG', 'bad', 'Fp2', 'uV']);
    await exec(insert, [world.files.A1, 'TRIG', null, 'Status', null]);
    expect(await storedChannels(db, world.files.A1)).toEqual([
      {
        name: 'Fp1',
        type: 'EEG',
        status: 'good',
        statusDescription: null,
        samplingFrequency: 512,
        unit: 'uV',
      },
      {
        name: 'Fp2',
        type: 'EEG',
        status: 'bad',
        statusDescription: null,
        samplingFrequency: 512,
        unit: 'uV',
      },
      {
        name: 'Status',
        type: 'TRIG',
        status: null,
        statusDescription: null,
        samplingFrequency: 512,
        unit: null,
      },
    ]);
  });

  it('reads task events in onset order with exact decimals', async () => {
    const eventFile = await exec(
      "INSERT INTO physiological_event_file (PhysiologicalFileID, FileType, FilePath) VALUES (?, 'tsv', 'x_events.tsv')",
      [world.files.A1],
    );
    const insert = `INSERT INTO physiological_task_event (PhysiologicalFileID, EventFileID, Onset, Duration, EventValue, EventSample, EventType, TrialType)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
    await exec(insert, [world.files.A1, eventFile, '2.500000', '0', 'S 1', 1280, 'stimulus', 'face']);
    await exec(insert, [world.files.A1, eventFile, '0.123456', '0.5', null, null, null, null]);
    expect(await storedEvents(db, world.files.A1)).toEqual([
      {
        onset: 0.123456,
        duration: 0.5,
        eventType: null,
        eventValue: null,
        trialType: null,
        eventSample: null,
      },
      {
        onset: 2.5,
        duration: 0,
        eventType: 'stimulus',
        eventValue: 'S 1',
        trialType: 'face',
        eventSample: 1280,
      },
    ]);
  });

  it('reads the CTF head shape of a MEG recording, in cm', async () => {
    const hs = await exec(
      "INSERT INTO meg_ctf_head_shape_file (Path, Blake2bHash) VALUES ('meg/sub-01_headshape.pos', 'abc')",
    );
    for (const [name, x, y, z] of [
      ['NAS', '10.5', '0', '0'],
      ['LPA', '0', '7.25', '0'],
      ['1', '-1.125', '2.5', '9.75'],
    ] as const) {
      await exec('INSERT INTO meg_ctf_head_shape_point (FileID, Name, X, Y, Z) VALUES (?, ?, ?, ?, ?)', [
        hs,
        name,
        x,
        y,
        z,
      ]);
    }
    const meg = await world.db.seed.file({
      session: world.sessions.A1,
      filePath: 'meg/sub-01.ds',
      fileType: 'ctf',
      modality: 'meg',
      headShapeFileId: hs,
    });
    expect(await storedHeadShape(db, meg)).toEqual({
      path: 'meg/sub-01_headshape.pos',
      unit: 'cm',
      points: [
        { name: 'NAS', x: 10.5, y: 0, z: 0 },
        { name: 'LPA', x: 0, y: 7.25, z: 0 },
        { name: '1', x: -1.125, y: 2.5, z: 9.75 },
      ],
    });
    expect(await storedHeadShape(db, world.files.A1)).toBeUndefined();
  });

  it('reads file parameters by parameter_type name', async () => {
    const fdt = await exec(
      "INSERT INTO parameter_type (Name, Type, SourceFrom) VALUES ('fdt_file', 'text', 'physiological_parameter_file')",
    );
    const sf = await exec(
      "INSERT INTO parameter_type (Name, Type, SourceFrom) VALUES ('SamplingFrequency', 'text', 'physiological_parameter_file')",
    );
    await exec(
      'INSERT INTO physiological_parameter_file (PhysiologicalFileID, ParameterTypeID, Value) VALUES (?, ?, ?)',
      [world.files.A1, fdt, 'eeg/x.fdt'],
    );
    await exec(
      'INSERT INTO physiological_parameter_file (PhysiologicalFileID, ParameterTypeID, Value) VALUES (?, ?, ?)',
      [world.files.A1, sf, '512'],
    );
    expect(await fileParameter(db, world.files.A1, 'fdt_file')).toBe('eeg/x.fdt');
    expect(await fileParameter(db, world.files.B1, 'fdt_file')).toBeUndefined();
    expect(
      Object.fromEntries(await fileParameters(db, world.files.A1, ['fdt_file', 'SamplingFrequency', 'nope'])),
    ).toEqual({
      fdt_file: 'eeg/x.fdt',
      SamplingFrequency: '512',
    });
  });

  it('maps an unreachable database and a refused login to 503, a faulty statement to 500', async () => {
    const closed = createDb({
      host: '127.0.0.1',
      port: await freePort(),
      user: 'x',
      password: 'y',
      database: 'z',
    });
    await expect(closed.rows('SELECT 1', [])).rejects.toBeInstanceOf(DatabaseUnavailableError);
    await expect(closed.rows('SELECT 1', [])).rejects.toMatchObject({
      status: 503,
      driverCode: 'ECONNREFUSED',
    });
    await closed.close();
    const env = world.db.env();
    const wrong = createDb({
      host: '127.0.0.1',
      port: 3306,
      user: env.LORIS_DB_USER,
      password: 'wrong',
      database: env.LORIS_DB_NAME,
    });
    await expect(wrong.rows('SELECT 1', [])).rejects.toMatchObject({
      status: 503,
      code: 'database_unavailable',
      driverCode: 'ER_ACCESS_DENIED_ERROR',
    });
    await wrong.close();
    await expect(db.rows('SELECT * FROM no_such_table', [])).rejects.toMatchObject({
      status: 500,
      code: 'database_error',
    });
    // A statement that runs past the per-query timeout is abandoned (503), not waited for.
    const env2 = world.db.env();
    const impatient = createDb(
      {
        host: '127.0.0.1',
        port: 3306,
        user: env2.LORIS_DB_USER,
        password: env2.LORIS_DB_PASSWORD,
        database: env2.LORIS_DB_NAME,
      },
      { connectionLimit: 1, queueLimit: 1, connectTimeoutMs: 2000, queryTimeoutMs: 300 },
    );
    const started = Date.now();
    await expect(impatient.rows('SELECT SLEEP(5) AS s', [])).rejects.toMatchObject({
      status: 503,
      driverCode: 'PROTOCOL_SEQUENCE_TIMEOUT',
    });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await impatient.rows('SELECT 1 AS ok', [])).toEqual([{ ok: 1 }]);
    await impatient.close();
    // The read-only account cannot write, whatever a statement tries.
    await expect(db.rows('DELETE FROM users', [])).rejects.toMatchObject({ status: 503 });
  });
});
