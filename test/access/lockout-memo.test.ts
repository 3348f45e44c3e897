/**
 * LORIS's lock-out is judged on every call, but LORIS's login history is counted again only when it may have
 * changed the answer (lib/service/lockout.ts): a new login-history row (seen through the newest row's key, looked up
 * at most once per NEWEST_ROW_REUSE_MS), a locked account, or a "not locked" older than the bound. Real MariaDB with
 * LORIS's schema, through the service's own pool and account; the statements the check runs are recorded on their
 * way to the database, and the clock the check reads is moved by the tests.
 */
import type { Db } from '../../lib/loris/db';
import { forgetLockouts, isLockedOut, NEWEST_ROW_REUSE_MS } from '../../lib/service/lockout';
import { createLorisTestDb, serviceDb, type LorisTestDb } from '../helpers/loris-db';

const USER = 'lock_memo';
const ADDRESS = '192.0.2.10';
const BOUND_MS = 5000;

describe('the lock-out check counts failures again only when the answer may have changed', () => {
  let testDb: LorisTestDb;
  let pool: Db;
  let ran: ('count' | 'newest')[];
  let db: Db;

  beforeAll(async () => {
    testDb = await createLorisTestDb();
    pool = serviceDb(testDb);
    db = {
      ...pool,
      rows: (sql, params) => {
        ran.push(sql.includes('COUNT(*)') ? 'count' : 'newest');
        return pool.rows(sql, params);
      },
    };
  });
  afterAll(async () => {
    await pool?.close();
    await testDb?.drop();
  });
  let now = 0;
  let clock: jest.SpyInstance<number, []> | undefined;
  beforeEach(async () => {
    forgetLockouts();
    ran = [];
    await testDb.root.execute('DELETE FROM user_login_history');
    now = Date.now();
    clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => clock?.mockRestore());
  const later = (ms: number) => {
    now += ms;
  };

  const login = async (user: string, success: 'Y' | 'N', count = 1, address = ADDRESS) => {
    for (let i = 0; i < count; i++) {
      await testDb.root.execute(
        `INSERT INTO user_login_history (userID, Success, Login_timestamp, IP_address)
           VALUES (?, ?, NOW() - INTERVAL 1 MINUTE, ?)`,
        [user, success, address],
      );
    }
  };
  const check = (ttl = BOUND_MS) => isLockedOut(db, USER, ADDRESS, ttl);

  it('counts once, then looks up the newest row at most once per reuse time while nobody logs in', async () => {
    await login(USER, 'N', 3);
    expect(await check()).toBe(false);
    expect(await check()).toBe(false);
    expect(await check()).toBe(false);
    expect(ran).toEqual(['count', 'newest']);
    later(NEWEST_ROW_REUSE_MS);
    expect(await check()).toBe(false);
    expect(await check()).toBe(false);
    expect(ran).toEqual(['count', 'newest', 'newest']);
  });

  it('shares the newest row between accounts', async () => {
    expect(await check()).toBe(false);
    expect(await isLockedOut(db, 'someone_else', ADDRESS, BOUND_MS)).toBe(false);
    expect(await check()).toBe(false);
    expect(await isLockedOut(db, 'someone_else', ADDRESS, BOUND_MS)).toBe(false);
    expect(ran).toEqual(['count', 'count', 'newest']);
  });

  it('counts again once a new login row is seen, and a lock-out begins within the reuse time', async () => {
    expect(await check()).toBe(false);
    expect(await check()).toBe(false);
    await login('someone_else', 'Y');
    expect(await check()).toBe(false);
    expect(ran).toEqual(['count', 'newest']); // the newest row looked up just before still stands
    later(NEWEST_ROW_REUSE_MS);
    expect(await check()).toBe(false);
    expect(ran).toEqual(['count', 'newest', 'newest', 'count']);
    await login(USER, 'N', 11);
    ran = [];
    later(NEWEST_ROW_REUSE_MS - 1);
    expect(await check()).toBe(false); // not yet seen
    expect(ran).toEqual([]);
    later(1);
    expect(await check()).toBe(true);
    expect(ran).toEqual(['newest', 'count']);
  });

  it('counts on every check while the account is locked, and frees it once the failures are gone', async () => {
    await login(USER, 'N', 11);
    expect(await check()).toBe(true);
    expect(await check()).toBe(true);
    expect(ran).toEqual(['count', 'count']);
    await testDb.root.execute('DELETE FROM user_login_history');
    expect(await check()).toBe(false);
  });

  it('keeps answers per address', async () => {
    await login(USER, 'N', 11, '198.51.100.7');
    expect(await check()).toBe(false);
    expect(await isLockedOut(db, USER, '198.51.100.7', BOUND_MS)).toBe(true);
    expect(await check()).toBe(false);
    expect(ran).toEqual(['count', 'count', 'newest']);
  });

  it('counts again once the bound has passed, and on every check with the bound 0', async () => {
    expect(await check(200)).toBe(false);
    later(250);
    expect(await check(200)).toBe(false);
    expect(ran).toEqual(['count', 'count']);
    ran = [];
    expect(await check(0)).toBe(false);
    expect(await check(0)).toBe(false);
    expect(ran).toEqual(['count', 'count']);
  });

  it('sees a lock-out within a bound shorter than the reuse time', async () => {
    expect(await check(200)).toBe(false);
    expect(await check(200)).toBe(false);
    later(150);
    expect(await check(200)).toBe(false);
    expect(ran).toEqual(['count', 'newest']);
    ran = [];
    await login(USER, 'N', 11);
    later(40); // the count and the newest row are 190 ms old: both still stand
    expect(await check(200)).toBe(false);
    later(10); // the count is 200 ms old: counted again, and the lock-out seen
    expect(await check(200)).toBe(true);
    expect(ran).toEqual(['count']);
  });
});
