/**
 * The uploads module's grants check against real MariaDB accounts: the test account with exactly the documented
 * grants passes; without them, or with one revoked, it fails naming what is missing; a grant beyond the need is
 * reported; the module's HealthCheck reaches the database through the service's own runtime (LORIS_DB_* settings).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../lib/core/config';
import { closePool, type Db } from '../../lib/loris/db';
import { resetAccessStateForTests } from '../../lib/service/access';
import {
  checkUploadGrants,
  UPLOAD_WRITE_GRANTS,
  uploadGrantStatements,
  uploadsGrantsCheck,
} from '../../lib/uploads/health';
import { createLorisTestDb, serviceDb, type LorisTestDb } from '../helpers/loris-db';
import { projectRoot } from '../helpers/testdata';

const opened: { testDb: LorisTestDb; db: Db }[] = [];
async function account(uploadGrants: boolean): Promise<{ testDb: LorisTestDb; db: Db }> {
  const testDb = await createLorisTestDb({ uploadGrants });
  const entry = { testDb, db: serviceDb(testDb) };
  opened.push(entry);
  return entry;
}

afterAll(async () => {
  for (const { testDb, db } of opened) {
    await db.close();
    await testDb.drop();
  }
  await closePool();
});

describe('uploads grants check', () => {
  it('passes with exactly the documented grants', async () => {
    const { db } = await account(true);
    expect(await checkUploadGrants(db)).toEqual({
      ok: true,
      detail: 'INSERT/UPDATE grants for registration present',
    });
  });

  it('fails on the read-only account, naming every missing grant', async () => {
    const { db } = await account(false);
    const result = await checkUploadGrants(db);
    expect(result.ok).toBe(false);
    const wanted = Object.entries(UPLOAD_WRITE_GRANTS).flatMap(([t, ps]) => ps.map((p) => `${p} on ${t}`));
    expect(wanted).toHaveLength(9);
    expect(result.detail).toBe(`missing grants: ${wanted.join(', ')}`);
  });

  it('fails when one is revoked, and reports a grant beyond the need', async () => {
    const { testDb, db } = await account(true);
    for (const host of ['localhost', '127.0.0.1']) {
      await testDb.root.query(
        `REVOKE UPDATE ON \`${testDb.name}\`.\`server_processes\` FROM '${testDb.user}'@'${host}'`,
      );
      await testDb.root.query(`GRANT INSERT ON \`${testDb.name}\`.\`users\` TO '${testDb.user}'@'${host}'`);
    }
    expect(await checkUploadGrants(db)).toEqual({
      ok: false,
      detail: 'missing grants: UPDATE on server_processes; more than needed: INSERT on users',
    });
    for (const host of ['localhost', '127.0.0.1'])
      await testDb.root.query(
        `GRANT UPDATE ON \`${testDb.name}\`.\`server_processes\` TO '${testDb.user}'@'${host}'`,
      );
    expect(await checkUploadGrants(db)).toEqual({
      ok: true,
      detail: 'INSERT/UPDATE grants for registration present; more than needed: INSERT on users',
    });
  });

  it('counts a database-wide grant, and says it is more than needed', async () => {
    const { testDb, db } = await account(false);
    for (const host of ['localhost', '127.0.0.1'])
      await testDb.root.query(`GRANT INSERT, UPDATE ON \`${testDb.name}\`.* TO '${testDb.user}'@'${host}'`);
    expect(await checkUploadGrants(db)).toEqual({
      ok: true,
      detail:
        'INSERT/UPDATE grants for registration present; more than needed: INSERT on every table, UPDATE on every table',
    });
  });

  it('runs as a HealthCheck through the service runtime', async () => {
    const { testDb } = await account(false);
    resetAccessStateForTests();
    const config = parseConfig(testDb.env());
    expect(await uploadsGrantsCheck(config)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^missing grants: INSERT on electrophysiology_uploader/),
    });
    resetAccessStateForTests();
    expect(
      await uploadsGrantsCheck(parseConfig({ LORIS_EPHYS_MODE: 'standalone', LORIS_EPHYS_DATA: '/tmp' })),
    ).toMatchObject({ ok: true });
  });

  it('matches the GRANT statements documented in deploy/loris/README.md', () => {
    const readme = readFileSync(join(projectRoot, 'deploy', 'loris', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Uploads module: database grants'));
    const documented = section.split('\n').filter((line) => line.startsWith('GRANT INSERT'));
    expect(documented).toEqual(uploadGrantStatements('<LORIS database>', "'<service account>'@'localhost'"));
  });
});
