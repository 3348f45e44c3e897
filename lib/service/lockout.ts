/**
 * LORIS's login lock-out, judged on every request without scanning LORIS's login history every time.
 *
 * LORIS's schema has no index on user_login_history.userID, so counting an account's failures scans the whole
 * table: 51 ms per request at 200,000 rows (measured), and a site adds a row for every login. But LORIS only ever
 * appends to that table, and with no new row no lock-out can begin: the failures counted only fall as time passes
 * (they leave the 15 and 60 minute windows; the last-success cut-off only moves forward). So an account found not
 * locked is not locked as long as the table's newest row is the one it was counted with: one lookup in the
 * primary key, made at most once per NEWEST_ROW_REUSE_MS for every account at once. Any new row (a login
 * anywhere), a locked account, or an answer older than `ttlMs` (the authorisation memo's bound, so even a table
 * changed in ways LORIS never does is read again within it) counts the failures again; so does a row whose insert
 * committed after a later one's (two logins at the same instant), within the bound at the latest. A lock-out thus
 * begins within NEWEST_ROW_REUSE_MS of the failure that makes it (or `ttlMs`, if lower); `ttlMs` 0 counts the
 * failures on every call.
 */
import type { Db } from '../loris/db';
import { newestLoginId, readLockout } from '../loris/users';

/** Accounts (with the client's address) found not locked: the newest login row then, and when. */
const MAX_KEPT = 1024;
const notLocked = new Map<string, { lastId: number; at: number }>();

/**
 * How long the newest login row's key, once looked up, stands for the table (per database, for every account and
 * address). Its round trip to MariaDB was the largest part of a warm map's authorisation: reused for a second, warm
 * maps through LORIS took about 1 ms less (bench:topomap, two interleaved pairs, 2026-12-07: demo EDF 11.3 / 11.3
 * against 12.8 / 12.4 ms, BrainVision 8.6 / 7.9 against 9.9 / 9.4).
 */
export const NEWEST_ROW_REUSE_MS = 1000;
let newestRows = new WeakMap<Db, { id: number; at: number }>();

/** The newest login row's key, looked up again once the last lookup (from its start) is `maxAgeMs` old. */
async function recentNewestRow(db: Db, maxAgeMs: number): Promise<number> {
  const kept = newestRows.get(db);
  if (kept && Date.now() - kept.at < maxAgeMs) return kept.id;
  const at = Date.now();
  const id = await newestLoginId(db);
  newestRows.set(db, { id, at });
  return id;
}

export async function isLockedOut(
  db: Db,
  username: string,
  address: string,
  ttlMs: number,
): Promise<boolean> {
  const key = `${username}\0${address}`;
  const kept = notLocked.get(key);
  if (
    kept &&
    ttlMs > 0 &&
    Date.now() - kept.at < ttlMs &&
    (await recentNewestRow(db, Math.min(ttlMs, NEWEST_ROW_REUSE_MS))) === kept.lastId
  ) {
    return false;
  }
  const at = Date.now();
  const { locked, lastId } = await readLockout(db, username, address);
  notLocked.delete(key);
  if (!locked && ttlMs > 0) {
    if (notLocked.size >= MAX_KEPT) notLocked.delete(notLocked.keys().next().value as string); // the oldest
    notLocked.set(key, { lastId, at });
  }
  return locked;
}

/** For tests that change the database under a running process. */
export function forgetLockouts(): void {
  notLocked.clear();
  newestRows = new WeakMap();
}
