/**
 * Health checks of the access layer, registered on import: `database` (a round trip), `jwtKey` (present and
 * strong by LORIS's rule; the key itself is never shown) and `dataDir` (configured and a directory).
 */
import type { Config } from '../core/config';
import { isKeyStrong } from '../auth/key-strength';
import { errorCode } from '../loris/db';
import { isLoopbackAddress, peerAddress } from '../core/forwarded';
import { header, type HttpEvent } from '../core/http';
import { assertStandaloneSafe, identifyCaller, lorisRuntimeFor } from './access';
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

/**
 * Who sees the checks' details (which dependency failed and how): standalone mode, a client on this machine
 * that came directly (no front in between), or a caller with a valid LORIS token. Everyone else, e.g. the
 * public on AWS, gets the status alone. A bad or missing token is not an error here: it only hides details.
 */
export async function mayReadHealthDetails(event: HttpEvent, config: Config): Promise<boolean> {
  if (config.mode === 'standalone') return true;
  if (isLoopbackAddress(peerAddress(event)) && header(event, 'x-forwarded-for') === undefined) return true;
  if (header(event, 'authorization') === undefined) return false;
  try {
    const { db, settings } = await lorisRuntimeFor(config);
    await identifyCaller(event, db, await settings());
    return true;
  } catch {
    return false;
  }
}
