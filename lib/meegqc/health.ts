/** The MEEGqc module's health check: which table layout the LORIS database has (lib/loris/meegqc.ts). */
import { errorCode } from '../loris/db';
import { meegqcLayout } from '../loris/meegqc';
import { lorisRuntimeFor } from '../service/access';
import type { CheckResult } from '../service/health';
import type { Config } from '../core/config';

const DETAILS = {
  current: 'meegqc_file + meegqc_file_acquisition with bids_file/bids_dataset',
  legacy: 'older single-table meegqc_file (Path, Kind)',
  none: 'no MEEGqc tables: every recording lists no files',
} as const;

/**
 * A site without MEEGqc tables is healthy (it simply has no reports); the check fails only when the look-up does
 * (the database check says why).
 */
export async function meegqcLayoutCheck(config: Config): Promise<CheckResult> {
  if (config.mode === 'standalone')
    return { ok: true, detail: 'no database in standalone mode: no MEEGqc files' };
  try {
    const { db } = await lorisRuntimeFor(config);
    const layout = await meegqcLayout(db);
    return { ok: true, detail: `layout ${layout}: ${DETAILS[layout]}` };
  } catch (error) {
    return { ok: false, detail: `layout unknown (${errorCode(error)})` };
  }
}
