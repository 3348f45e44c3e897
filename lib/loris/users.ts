/**
 * LORIS accounts: the `users` row named by a login name (users.UserID), with its permission codes
 * (user_perm_rel + permissions), sites (user_psc_rel) and projects (user_project_rel).
 */
import { z } from 'zod';
import { parseRows, type Db } from './db';

export interface LorisUser {
  /** users.ID */
  id: number;
  /** users.UserID, the login name */
  username: string;
  active: string;
  pendingApproval: string | null;
  /** 'YYYY-MM-DD' or null */
  activeFrom: string | null;
  activeTo: string | null;
  /** The database's CURDATE(), 'YYYY-MM-DD', so date checks use the database's calendar. */
  today: string;
  permissions: string[];
  sites: number[];
  projects: number[];
}

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const userRow = z.object({
  ID: z.number().int().positive(),
  UserID: z.string(),
  Active: z.string(),
  Pending_approval: z.string().nullable(),
  active_from: date.nullable(),
  active_to: date.nullable(),
  today: date,
});
const grantRow = z.object({
  kind: z.enum(['perm', 'site', 'project']),
  value: z.union([z.string(), z.number()]),
});

const USER_SQL = `SELECT ID, UserID, Active, Pending_approval, active_from, active_to, CURDATE() AS today
  FROM users WHERE UserID = ?`;

/** One round trip for all three grant lists, by login name so it can run alongside the user row. */
const GRANTS_SQL = `SELECT 'perm' AS kind, p.code AS value
    FROM users u JOIN user_perm_rel upr ON upr.userID = u.ID JOIN permissions p ON p.permID = upr.permID
    WHERE u.UserID = ?
  UNION ALL SELECT 'site', CAST(upsc.CenterID AS CHAR)
    FROM users u JOIN user_psc_rel upsc ON upsc.UserID = u.ID WHERE u.UserID = ?
  UNION ALL SELECT 'project', CAST(uprj.ProjectID AS CHAR)
    FROM users u JOIN user_project_rel uprj ON uprj.UserID = u.ID WHERE u.UserID = ?`;

export async function findUserByUsername(db: Db, username: string): Promise<LorisUser | undefined> {
  const [rows, grantRows] = await Promise.all([
    db.rows(USER_SQL, [username]),
    db.rows(GRANTS_SQL, [username, username, username]),
  ]);
  // UserID is unique, so at most one row (its collation is case-insensitive, as in LORIS's own lookup).
  if (rows.length !== 1) return undefined;
  const [u] = parseRows(userRow, rows);
  if (!u) return undefined;
  const grants = parseRows(grantRow, grantRows);
  const values = (kind: string) => grants.filter((g) => g.kind === kind).map((g) => String(g.value));
  return {
    id: u.ID,
    username: u.UserID,
    active: u.Active,
    pendingApproval: u.Pending_approval,
    activeFrom: u.active_from,
    activeTo: u.active_to,
    today: u.today,
    permissions: values('perm'),
    sites: values('site').map(Number),
    projects: values('project').map(Number),
  };
}

/**
 * LORIS's login lock-out (SinglePointLogin::accountLocked): more than 10 failed logins from `address` in the last
 * 15 minutes, or more than 15 in the last 60, counted since the account's last successful login. LORIS applies
 * it to API tokens too. The statement also reads the newest row's key (`lastId`, in the same consistent read), so
 * a caller can tell later whether any login was recorded since (newestLoginId).
 */
const LOCKOUT_SQL = `SELECT
    (SELECT COALESCE(MAX(loginhistoryID), 0) FROM user_login_history) AS lastId,
    (SELECT COUNT(*) FROM user_login_history WHERE userID = ? AND IP_address = ? AND Success = 'N'
      AND Login_timestamp > (SELECT IF(MAX(Login_timestamp) > DATE_SUB(NOW(), INTERVAL 15 MINUTE),
        MAX(Login_timestamp), DATE_SUB(NOW(), INTERVAL 15 MINUTE))
        FROM user_login_history WHERE userID = ? AND Success = 'Y')) AS shortFailures,
    (SELECT COUNT(*) FROM user_login_history WHERE userID = ? AND IP_address = ? AND Success = 'N'
      AND Login_timestamp > (SELECT IF(MAX(Login_timestamp) > DATE_SUB(NOW(), INTERVAL 60 MINUTE),
        MAX(Login_timestamp), DATE_SUB(NOW(), INTERVAL 60 MINUTE))
        FROM user_login_history WHERE userID = ? AND Success = 'Y')) AS longFailures`;

/** The key of the newest login-history row (0 when there is none): one lookup in the primary key. */
const NEWEST_LOGIN_SQL = 'SELECT COALESCE(MAX(loginhistoryID), 0) AS lastId FROM user_login_history';

export const LOCKOUT = { shortThreshold: 10, longThreshold: 15 } as const;

const lockoutRow = z.object({
  lastId: z.coerce.number(),
  shortFailures: z.coerce.number(),
  longFailures: z.coerce.number(),
});
const newestRow = z.object({ lastId: z.coerce.number() });

export interface Lockout {
  locked: boolean;
  /** The newest login-history row when the counts were read (0: none). */
  lastId: number;
}

/** Whether `username` is locked out for `address`, counted in full (a scan of user_login_history). */
export async function readLockout(db: Db, username: string, address: string): Promise<Lockout> {
  const params = [username, address, username, username, address, username];
  const [counts] = parseRows(lockoutRow, await db.rows(LOCKOUT_SQL, params));
  if (!counts) return { locked: false, lastId: 0 };
  const locked = counts.shortFailures > LOCKOUT.shortThreshold || counts.longFailures > LOCKOUT.longThreshold;
  return { locked, lastId: counts.lastId };
}

/** The key of the newest login-history row, 0 when the table is empty. */
export async function newestLoginId(db: Db): Promise<number> {
  const [row] = parseRows(newestRow, await db.rows(NEWEST_LOGIN_SQL, []));
  return row?.lastId ?? 0;
}
