/**
 * A real, throw-away LORIS database for tests: a uniquely named MariaDB database loaded with
 * test/sql/loris-schema.sql, a read-only account for the service (SELECT only, with a password so it works
 * over TCP), seed builders, and `drop()` removing both. Admin work goes through root on the local socket.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection, type Connection, type ResultSetHeader } from 'mysql2/promise';
import { createDb, type Db } from '../../lib/loris/db';
import { uploadGrantStatements } from '../../lib/uploads/health';
import { projectRoot } from './testdata';

export const MARIADB_SOCKET = process.env.LORIS_EPHYS_TEST_DB_SOCKET ?? '/run/mysqld/mysqld.sock';
const SCHEMA = join(projectRoot, 'test', 'sql', 'loris-schema.sql');

export interface UserSeed {
  username: string;
  active?: 'Y' | 'N';
  pending?: 'Y' | 'N';
  /** Days from the database's today (negative = past); null or absent = no limit. */
  activeFromDays?: number | null;
  activeToDays?: number | null;
  permissions?: string[];
  sites?: number[];
  projects?: number[];
}

export interface FileSeed {
  session: number;
  filePath: string;
  fileType?: string | null;
  modality?: string;
  outputType?: string;
  headShapeFileId?: number | null;
}

export interface Seeder {
  site(name: string): Promise<number>;
  project(name: string): Promise<number>;
  candidate(s: {
    pscid: string;
    candId: number;
    site: number;
    project: number;
    active?: 'Y' | 'N';
  }): Promise<number>;
  session(s: {
    candidate: number;
    site: number;
    project: number;
    visit: string;
    active?: 'Y' | 'N';
  }): Promise<number>;
  user(u: UserSeed): Promise<number>;
  file(f: FileSeed): Promise<number>;
  config(name: string, value: string): Promise<void>;
  moduleActive(active: boolean): Promise<void>;
}

export interface LorisTestDb {
  name: string;
  user: string;
  password: string;
  /** Root connection to this database (seeding, inspection). */
  root: Connection;
  seed: Seeder;
  /** LORIS_DB_* variables reaching this database as the read-only account over TCP. */
  env(host?: string, port?: number): Record<string, string>;
  drop(): Promise<void>;
}

async function insert(root: Connection, sql: string, params: (string | number | null)[]): Promise<number> {
  const [result] = await root.execute<ResultSetHeader>(sql, params);
  return result.insertId;
}

function seeder(root: Connection): Seeder {
  return {
    site: (name) =>
      insert(root, 'INSERT INTO psc (Name, Alias, MRI_alias) VALUES (?, ?, ?)', [name, name.slice(0, 3), '']),
    project: (name) =>
      insert(root, 'INSERT INTO Project (Name, Alias) VALUES (?, ?)', [name, name.slice(0, 4)]),
    candidate: (c) =>
      insert(
        root,
        'INSERT INTO candidate (CandID, PSCID, RegistrationCenterID, RegistrationProjectID, Active) VALUES (?, ?, ?, ?, ?)',
        [c.candId, c.pscid, c.site, c.project, c.active ?? 'Y'],
      ),
    session: (s) =>
      insert(
        root,
        'INSERT INTO session (CandidateID, CenterID, ProjectID, Visit_label, Active) VALUES (?, ?, ?, ?, ?)',
        [s.candidate, s.site, s.project, s.visit, s.active ?? 'Y'],
      ),
    user: async (u) => {
      const id = await insert(
        root,
        `INSERT INTO users (UserID, Email, Active, Pending_approval, active_from, active_to)
         VALUES (?, ?, ?, ?, IF(? IS NULL, NULL, DATE_ADD(CURDATE(), INTERVAL ? DAY)),
                 IF(? IS NULL, NULL, DATE_ADD(CURDATE(), INTERVAL ? DAY)))`,
        [
          u.username,
          `${u.username}@example.org`,
          u.active ?? 'Y',
          u.pending ?? 'N',
          u.activeFromDays ?? null,
          u.activeFromDays ?? null,
          u.activeToDays ?? null,
          u.activeToDays ?? null,
        ],
      );
      for (const code of u.permissions ?? []) {
        await root.execute(
          'INSERT INTO user_perm_rel (userID, permID) SELECT ?, permID FROM permissions WHERE code = ?',
          [id, code],
        );
      }
      for (const site of u.sites ?? [])
        await root.execute('INSERT INTO user_psc_rel (UserID, CenterID) VALUES (?, ?)', [id, site]);
      for (const p of u.projects ?? [])
        await root.execute('INSERT INTO user_project_rel (UserID, ProjectID) VALUES (?, ?)', [id, p]);
      return id;
    },
    file: (f) =>
      insert(
        root,
        `INSERT INTO physiological_file (PhysiologicalModalityID, PhysiologicalOutputTypeID, SessionID, FileType,
           InsertedByUser, FilePath, HeadShapeFileID)
         VALUES ((SELECT PhysiologicalModalityID FROM physiological_modality WHERE PhysiologicalModality = ?),
                 (SELECT PhysiologicalOutputTypeID FROM physiological_output_type WHERE OutputTypeName = ?),
                 ?, ?, 'lorisadmin', ?, ?)`,
        [
          f.modality ?? 'eeg',
          f.outputType ?? 'raw',
          f.session,
          f.fileType === undefined ? 'edf' : f.fileType,
          f.filePath,
          f.headShapeFileId ?? null,
        ],
      ),
    config: async (name, value) => {
      await root.execute(
        'DELETE c FROM Config c JOIN ConfigSettings cs ON cs.ID = c.ConfigID WHERE cs.Name = ?',
        [name],
      );
      await root.execute(
        'INSERT INTO Config (ConfigID, Value) SELECT ID, ? FROM ConfigSettings WHERE Name = ?',
        [value, name],
      );
    },
    moduleActive: async (active) => {
      await root.execute("UPDATE modules SET Active = ? WHERE Name = 'electrophysiology_browser'", [
        active ? 'Y' : 'N',
      ]);
    },
  };
}

export interface LorisTestDbOptions {
  /** Also give the account the uploads module's write grants (deploy/loris/README.md), exactly those. */
  uploadGrants?: boolean;
}

/** Creates the database, loads the schema and creates the read-only account (plus the upload grants if asked). */
export async function createLorisTestDb(options: LorisTestDbOptions = {}): Promise<LorisTestDb> {
  const tag = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const name = `loris_ephys_test_${tag}`;
  const user = `ephys_t_${tag}`.slice(0, 32);
  const password = `Pw-${randomBytes(12).toString('hex')}`;
  const admin = await createConnection({
    socketPath: MARIADB_SOCKET,
    user: 'root',
    multipleStatements: true,
  });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8`);
  await admin.query(`USE \`${name}\``);
  await admin.query(readFileSync(SCHEMA, 'utf8'));
  for (const host of ['localhost', '127.0.0.1']) {
    await admin.query(`CREATE USER '${user}'@'${host}' IDENTIFIED BY '${password}'`);
    await admin.query(`GRANT SELECT ON \`${name}\`.* TO '${user}'@'${host}'`);
    if (options.uploadGrants)
      for (const grant of uploadGrantStatements(name, `'${user}'@'${host}'`)) await admin.query(grant);
  }
  await admin.end();
  const root = await createConnection({
    socketPath: MARIADB_SOCKET,
    user: 'root',
    database: name,
    dateStrings: true,
  });
  return {
    name,
    user,
    password,
    root,
    seed: seeder(root),
    env: (host = '127.0.0.1', port = 3306) => ({
      LORIS_DB_HOST: host,
      LORIS_DB_PORT: String(port),
      LORIS_DB_USER: user,
      LORIS_DB_PASSWORD: password,
      LORIS_DB_NAME: name,
    }),
    drop: async () => {
      await root.query(`DROP DATABASE IF EXISTS \`${name}\``);
      for (const host of ['localhost', '127.0.0.1'])
        await root.query(`DROP USER IF EXISTS '${user}'@'${host}'`);
      await root.end();
    },
  };
}

/** The service's own pool on `testDb`, as its account (over TCP, like the service). */
export function serviceDb(testDb: LorisTestDb): Db {
  return createDb({
    host: '127.0.0.1',
    port: 3306,
    user: testDb.user,
    password: testDb.password,
    database: testDb.name,
  });
}
