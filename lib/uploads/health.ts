/**
 * The uploads module's health check: whether the service's database account holds the write grants registration
 * needs (deploy/loris/README.md, "Uploads module: database grants"), and says so when it holds more.
 */
import type { Config } from '../core/config';
import { errorCode, type Db } from '../loris/db';
import { accountWritePrivileges, type WritePrivilege } from '../loris/uploads';
import { lorisRuntimeFor } from '../service/access';
import type { CheckResult } from '../service/health';

/** Exactly the writes registration makes, per LORIS table (SELECT on the database is the service's usual grant). */
export const UPLOAD_WRITE_GRANTS: Readonly<Record<string, readonly ('INSERT' | 'UPDATE')[]>> = {
  electrophysiology_uploader: ['INSERT', 'UPDATE'],
  mri_upload: ['INSERT', 'UPDATE'],
  server_processes: ['INSERT', 'UPDATE'],
  mri_upload_server_processes_rel: ['INSERT'],
  notification_spool: ['INSERT', 'UPDATE'],
};

/** `GRANT …` statements giving `account` (e.g. `'loris_ephys'@'localhost'`) exactly those writes on `database`. */
export function uploadGrantStatements(database: string, account: string): string[] {
  return Object.entries(UPLOAD_WRITE_GRANTS).map(
    ([table, privileges]) => `GRANT ${privileges.join(', ')} ON \`${database}\`.\`${table}\` TO ${account};`,
  );
}

const covers = (held: readonly WritePrivilege[], table: string, privilege: string): boolean =>
  held.some((h) => h.privilege === privilege && (h.table === '*' || h.table === table));

/** Compares the account's INSERT/UPDATE grants with UPLOAD_WRITE_GRANTS. */
export async function checkUploadGrants(db: Db): Promise<CheckResult> {
  const held = await accountWritePrivileges(db);
  const missing = Object.entries(UPLOAD_WRITE_GRANTS).flatMap(([table, privileges]) =>
    privileges.filter((p) => !covers(held, table, p)).map((p) => `${p} on ${table}`),
  );
  const extra = held
    .filter((h) => !(UPLOAD_WRITE_GRANTS[h.table] ?? []).some((p) => p === h.privilege))
    .map((h) => `${h.privilege} on ${h.table === '*' ? 'every table' : h.table}`);
  const beyond = extra.length > 0 ? `; more than needed: ${[...new Set(extra)].sort().join(', ')}` : '';
  if (missing.length > 0) return { ok: false, detail: `missing grants: ${missing.join(', ')}${beyond}` };
  return { ok: true, detail: `INSERT/UPDATE grants for registration present${beyond}` };
}

/** HealthCheck (lib/service/health.ts) of the uploads module. */
export async function uploadsGrantsCheck(config: Config): Promise<CheckResult> {
  if (config.mode === 'standalone')
    return { ok: true, detail: 'no database in standalone mode: uploads are off' };
  try {
    const { db } = await lorisRuntimeFor(config);
    return await checkUploadGrants(db);
  } catch (error) {
    return { ok: false, detail: `grants unknown (${errorCode(error)})` };
  }
}
