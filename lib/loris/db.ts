/**
 * The LORIS database: one bounded mysql2 pool per process, prepared statements only (`execute`), connect and
 * per-query timeouts. Any failure to reach the database becomes 503 `database_unavailable`; the pool opens
 * fresh connections on the next request, so the service recovers by itself when the database returns.
 */
import { createPool, type Pool, type PoolOptions } from 'mysql2/promise';
import type { ZodType } from 'zod';
import { ApiError } from '../core/errors';

export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

export interface DbSettings {
  host: string;
  port: number;
  socketPath?: string;
  user?: string;
  password?: string;
  database?: string;
}

export interface DbLimits {
  connectionLimit: number;
  /** Requests waiting for a connection beyond this are refused rather than queued. */
  queueLimit: number;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
}

export const DEFAULT_DB_LIMITS: DbLimits = {
  connectionLimit: 4,
  queueLimit: 64,
  connectTimeoutMs: 3000,
  queryTimeoutMs: 5000,
};

/** What a write statement did (mysql2's ResultSetHeader, reduced). */
export interface WriteResult {
  insertId: number;
  affectedRows: number;
}

export interface Db {
  /** Runs one prepared statement and returns its rows. */
  rows(sql: string, params: readonly SqlValue[]): Promise<Row[]>;
  /**
   * Runs one prepared INSERT/UPDATE (only the uploads module writes, with the grants deploy/loris/README.md lists).
   * Never retried: a lost connection may have applied it.
   */
  write(sql: string, params: readonly SqlValue[]): Promise<WriteResult>;
  close(): Promise<void>;
}

/** Error codes meaning "the database cannot be reached or refused us", as opposed to a faulty statement. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT',
  'EPIPE',
  'EACCES',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
  'ER_STATEMENT_TIMEOUT',
  'POOL_CLOSED',
  'POOL_ENQUEUELIMIT',
]);

/** A lost connection is worth one retry on a fresh one (all statements here are reads). */
const RETRYABLE_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'EPIPE',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
]);

interface ErrorWithCode {
  code?: unknown;
  fatal?: unknown;
  message?: unknown;
}

export function errorCode(error: unknown): string {
  if (error instanceof DatabaseUnavailableError) return error.driverCode;
  const e = error as ErrorWithCode | null;
  if (e && typeof e.code === 'string') return e.code;
  if (e && typeof e.message === 'string' && /closed state|Pool is closed/i.test(e.message))
    return 'POOL_CLOSED';
  if (e && typeof e.message === 'string' && /Queue limit reached/i.test(e.message))
    return 'POOL_ENQUEUELIMIT';
  return 'UNKNOWN';
}

export function isUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  return UNAVAILABLE_CODES.has(errorCode(error)) || (error as ErrorWithCode | null)?.fatal === true;
}

/** 503 database_unavailable; `driverCode` (e.g. ECONNREFUSED) is for logs and health, never sent to clients. */
export class DatabaseUnavailableError extends ApiError {
  readonly driverCode: string;
  constructor(driverCode: string) {
    super(503, 'database_unavailable', 'The LORIS database is unavailable; try again shortly.', undefined, {
      'Retry-After': '5',
    });
    this.driverCode = driverCode;
  }
}

/** Maps a driver error to an ApiError: unreachable → 503; anything else → 500 without details. */
export function toDbError(error: unknown): ApiError {
  if (isUnavailable(error)) return new DatabaseUnavailableError(errorCode(error));
  return new ApiError(500, 'database_error', 'The LORIS database returned an unexpected error.');
}

function poolOptions(settings: DbSettings, limits: DbLimits): PoolOptions {
  const where = settings.socketPath
    ? { socketPath: settings.socketPath }
    : { host: settings.host, port: settings.port };
  return {
    ...where,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    connectionLimit: limits.connectionLimit,
    maxIdle: limits.connectionLimit,
    idleTimeout: 60000,
    queueLimit: limits.queueLimit,
    connectTimeout: limits.connectTimeoutMs,
    enableKeepAlive: true,
    dateStrings: true,
    supportBigNumbers: true,
    charset: 'utf8mb4',
  };
}

async function executeOnce(
  pool: Pool,
  sql: string,
  params: readonly SqlValue[],
  timeout: number,
): Promise<Row[]> {
  const [rows] = await pool.execute({ sql, timeout }, params as SqlValue[]);
  if (!Array.isArray(rows)) throw new ApiError(500, 'database_error', 'A query returned no rows.');
  return rows as Row[];
}

async function writeOnce(
  pool: Pool,
  sql: string,
  params: readonly SqlValue[],
  timeout: number,
): Promise<WriteResult> {
  const [result] = await pool.execute({ sql, timeout }, params as SqlValue[]);
  if (Array.isArray(result) || typeof result !== 'object')
    throw new ApiError(500, 'database_error', 'A write statement returned rows.');
  return { insertId: result.insertId, affectedRows: result.affectedRows };
}

/** Opens a pool (lazily: no connection is made until the first statement). */
export function createDb(settings: DbSettings, limits: DbLimits = DEFAULT_DB_LIMITS): Db {
  const pool = createPool(poolOptions(settings, limits));
  // A pooled connection dropped by the server reports here; the pool discards it and opens another later.
  pool.pool.on('connection', (connection) => connection.on('error', () => undefined));
  return {
    async rows(sql, params) {
      try {
        return await executeOnce(pool, sql, params, limits.queryTimeoutMs);
      } catch (error) {
        if (!RETRYABLE_CODES.has(errorCode(error))) throw toDbError(error);
      }
      try {
        return await executeOnce(pool, sql, params, limits.queryTimeoutMs);
      } catch (error) {
        throw toDbError(error);
      }
    },
    async write(sql, params) {
      try {
        return await writeOnce(pool, sql, params, limits.queryTimeoutMs);
      } catch (error) {
        throw toDbError(error);
      }
    },
    close: () => pool.end(),
  };
}

const shared = new Map<string, Db>();

/** The process-wide pool for these settings (one per distinct configuration). */
export function sharedDb(settings: DbSettings, limits: DbLimits = DEFAULT_DB_LIMITS): Db {
  const key = JSON.stringify([settings, limits]);
  let db = shared.get(key);
  if (!db) {
    db = createDb(settings, limits);
    shared.set(key, db);
  }
  return db;
}

/** Closes every shared pool (tests, shutdown). */
export async function closePool(): Promise<void> {
  const pools = [...shared.values()];
  shared.clear();
  await Promise.all(pools.map((db) => db.close().catch(() => undefined)));
}

/** Validates rows read from LORIS; a mismatch is a 500 (the schema is not what this service expects), never a 400. */
export function parseRows<T>(schema: ZodType<T>, rows: readonly Row[]): T[] {
  return rows.map((row) => {
    const result = schema.safeParse(row);
    if (!result.success)
      throw new ApiError(500, 'database_error', 'The LORIS database returned an unexpected row.');
    return result.data;
  });
}
