/**
 * Health checks of the access layer, registered on import: `database` (a round trip), `jwtKey` (present and
 * strong by LORIS's rule; the key itself is never shown) and `dataDir` (configured and a directory).
 */
import type { Config } from '../core/config';
import { isKeyStrong } from '../auth/key-strength';
import { errorCode } from '../loris/db';
import { assertStandaloneSafe, lorisRuntimeFor } from './access';
import { realDataDir } from './data-path';
import { registerHealthCheck, type CheckResult } from './health';

const notUsed: CheckResult = { ok: true, detail: 'not used in standalone mode' };

async function databaseCheck(config: Config): Promise<CheckResult> {
  if (config.mode === 'standalone') return notUsed;
  try {
    const { db } = await lorisRuntimeFor(config);
    await db.rows('SELECT 1 AS ok', []);
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: `unreachable (${errorCode(error)})` };
  }
}

async function jwtKeyCheck(config: Config): Promise<CheckResult> {
  if (config.mode === 'standalone') return { ok: true, detail: 'authentication is off in standalone mode' };
  const { settings } = await lorisRuntimeFor(config);
  const { jwtKey } = await settings();
  if (jwtKey === undefined) return { ok: false, detail: 'JWTKey is not set: every token is refused' };
  if (!isKeyStrong(jwtKey))
    return { ok: false, detail: "JWTKey fails LORIS's strength rule: every token is refused" };
  return { ok: true, detail: config.jwtKeyOverride ? 'from LORIS_JWT_KEY' : 'from the LORIS Config table' };
}

async function dataDirCheck(config: Config): Promise<CheckResult> {
  if (config.mode === 'standalone') {
    assertStandaloneSafe(config);
    await realDataDir(config.standaloneData);
    return { ok: true, detail: 'standalone data folder' };
  }
  const { settings } = await lorisRuntimeFor(config);
  await realDataDir((await settings()).dataDir);
  return {
    ok: true,
    detail: config.dataDirOverride ? 'from LORIS_DATA_DIR' : 'dataDirBasepath from the LORIS Config table',
  };
}

registerHealthCheck('database', databaseCheck);
registerHealthCheck('jwtKey', jwtKeyCheck);
registerHealthCheck('dataDir', dataDirCheck);
