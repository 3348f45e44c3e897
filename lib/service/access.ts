/**
 * The one call handlers make before touching a recording: `authorizeRecording(event, physioFileIdParam)`.
 * LORIS mode: id → LORIS token → account → permission rule → file row → path inside the data directory.
 * Standalone mode (LORIS_EPHYS_MODE=standalone): no database and no authentication; recordings come from
 * the catalog of LORIS_EPHYS_DATA, and the service only runs on a loopback host.
 */
import { z } from 'zod';
import { ApiError, withLogReason } from '../core/errors';
import { isLoopbackHost, type Config } from '../core/config';
import { clientAddress } from '../core/forwarded';
import { header, parseWith, type HttpEvent } from '../core/http';
import type { Logger } from '../core/log';
import { identify } from '../auth/identity';
import { isKeyStrong } from '../auth/key-strength';
import { canUseBrowser, canViewSession } from '../auth/permissions';
import { sharedDb, type Db } from '../loris/db';
import { mergeDbSettings, readLorisConfigXml } from '../loris/config-xml';
import { parameterPasswords, withDbPassword, type ParameterPasswords } from '../loris/db-password';
import { findPhysiologicalFile, isModuleActive, type PhysiologicalFileRecord } from '../loris/files';
import { cachedSettings, type LorisSettings, type SettingsSource } from '../loris/settings';
import { findUserByUsername, type LorisUser } from '../loris/users';
import { forgetLockouts, isLockedOut } from './lockout';
import { createMemo } from './memo';
import { getConfig } from './runtime';
import { buildCatalog, MAX_RECORDING_ID, type Catalog, type CatalogEntry } from './catalog';
import { realDataDir, resolveDataPath, type ResolvedPath } from './data-path';

export interface AuthorizedRecording {
  id: number;
  fileType: string | null;
  /** The stored path, relative to the data directory. */
  filePath: string;
  /** Real path inside the data directory (only opened when presentOnDisk). */
  absolutePath: string;
  /** The data directory's real path: every file opened for this recording must lie inside it. */
  dataRoot: string;
  presentOnDisk: boolean;
  kind: ResolvedPath['kind'];
  /** The LORIS account (null in standalone mode). */
  user: LorisUser | null;
  /** The LORIS row (null in standalone mode). */
  file: PhysiologicalFileRecord | null;
  /** The catalog entry (null in LORIS mode). */
  catalogEntry: CatalogEntry | null;
}

export const recordingNotFound = (): ApiError =>
  new ApiError(404, 'recording_not_found', 'No such recording.');
export const authMisconfigured = (): ApiError =>
  new ApiError(
    503,
    'auth_misconfigured',
    'Authentication is not available: the LORIS JWT key is missing or too weak.',
  );

/** Path parameter: a canonical positive decimal integer that fits INT(10) UNSIGNED. */
export const physioFileIdSchema = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, 'must be a positive integer')
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_RECORDING_ID));

// Built once: a zod schema built per call is compiled again on its first parse (0.18 ms on every request).
const physioFileIdParams = z.object({ physio_file_id: physioFileIdSchema });

export function parsePhysioFileId(value: unknown): number {
  return parseWith(physioFileIdParams, { physio_file_id: value }).physio_file_id;
}

/** Query parameters a route accepts; any other name (or a repeated one) is a 400. */
export function parseQuery<T extends z.ZodRawShape>(event: HttpEvent, shape: T): z.infer<z.ZodObject<T>> {
  return parseWith(z.strictObject(shape), event.queryStringParameters ?? {}) as z.infer<z.ZodObject<T>>;
}

export function assertStandaloneSafe(config: Config): void {
  if (config.mode === 'standalone' && !isLoopbackHost(config.host)) {
    throw new ApiError(
      500,
      'config_invalid',
      'Invalid configuration: standalone mode has no authentication and only runs on a loopback host (LORIS_EPHYS_HOST).',
    );
  }
}

// ---- process state: one pool, one settings cache, one catalog cache per cold start ----

interface LorisRuntime {
  db: Db;
  settings: SettingsSource;
}
let lorisRuntime: Promise<LorisRuntime> | undefined;

async function openLorisRuntime(
  config: Config,
  env: Record<string, string | undefined>,
  passwords: ParameterPasswords,
): Promise<LorisRuntime> {
  const xml = config.lorisConfigXml ? await readLorisConfigXml(config.lorisConfigXml) : undefined;
  const merged = mergeDbSettings(config.db, xml, env);
  const source = { explicitPassword: config.db.password, parameter: config.dbPasswordParameter };
  const db = sharedDb(await withDbPassword(merged, source, passwords));
  const settings = cachedSettings(db, {
    jwtKey: config.jwtKeyOverride,
    dataDir: config.dataDirOverride,
    baseUrl: config.baseUrlOverride,
  });
  return { db, settings };
}

/**
 * The database and settings of LORIS mode (a failed start, e.g. an unreadable SSM password, is retried on the
 * next call). `passwords` reads LORIS_DB_PASSWORD_PARAMETER (tests pass a fake SSM).
 */
export function lorisRuntimeFor(
  config: Config,
  env: Record<string, string | undefined> = process.env,
  passwords: ParameterPasswords = parameterPasswords,
): Promise<LorisRuntime> {
  lorisRuntime ??= openLorisRuntime(config, env, passwords).catch((error: unknown) => {
    lorisRuntime = undefined;
    throw error;
  });
  return lorisRuntime;
}

const CATALOG_TTL_MS = 30_000;
let catalogCache: { root: string; at: number; catalog: Promise<Catalog> } | undefined;

/** The standalone catalog, rescanned at most every 30 s. */
export function standaloneCatalog(root: string): Promise<Catalog> {
  if (!catalogCache || catalogCache.root !== root || Date.now() - catalogCache.at > CATALOG_TTL_MS) {
    const catalog = buildCatalog(root);
    catalogCache = { root, at: Date.now(), catalog };
    catalog.catch(() => (catalogCache = undefined));
  }
  return catalogCache.catalog;
}

// ---- authorisation memo (LORIS_EPHYS_AUTH_CACHE_MS, default 5 s, at most 30 s; 0 turns it off) ----
// What the checks read from LORIS: the account row with its grants, sites and projects (per username), the
// module's state, the file row with its session's and candidate's state (per id), and the data directory's
// real path, and the stored path resolved inside it. Each is reused for at most the bound after it was read, so a revoked grant, a deactivated
// account, module, session or candidate, or a moved data directory takes effect within it. The token is
// verified on every request, and LORIS's login lock-out is judged on every request (never taken from these memos;
// it begins within a second of the failed login that makes it, lib/service/lockout.ts).

const accountMemo = createMemo<LorisUser | undefined>(1024);
const fileMemo = createMemo<PhysiologicalFileRecord | undefined>(4096);
const moduleMemo = createMemo<boolean>(1);
const dataDirMemo = createMemo<string>(4);
const pathMemo = createMemo<ResolvedPath>(4096);

/** The data directory's real path (503 when unusable), re-resolved at most every `ttlMs`. */
export const cachedDataDir = (dataDir: string | undefined, ttlMs: number): Promise<string> =>
  dataDirMemo.get(dataDir ?? '', ttlMs, () => realDataDir(dataDir));

/** For tests that change configuration in-process. */
export function resetAccessStateForTests(): void {
  lorisRuntime = undefined;
  catalogCache = undefined;
  for (const memo of [accountMemo, fileMemo, moduleMemo, dataDirMemo, pathMemo]) memo.clear();
  forgetLockouts();
}

// ---- the checks ----

/** The JWTKey if it passes LORIS's strength rule; 503 auth_misconfigured otherwise. */
export function usableJwtKey(settings: LorisSettings): string {
  if (settings.jwtKey === undefined || !isKeyStrong(settings.jwtKey)) throw authMisconfigured();
  return settings.jwtKey;
}

/** Why a recording is hidden from this user (logged; the answer is always 404 recording_not_found). */
export function hiddenReason(
  user: LorisUser,
  file: PhysiologicalFileRecord | undefined,
  moduleActive: boolean,
): string | undefined {
  if (!moduleActive) return 'module_inactive';
  if (!canUseBrowser(user)) return 'permission_denied';
  if (!file) return 'no_such_recording';
  // LORIS's browser lists only active sessions of active candidates.
  if (!file.session.active) return 'session_inactive';
  if (!file.candidate.active) return 'candidate_inactive';
  if (!canViewSession(user, { centerId: file.session.site.id, projectId: file.session.project.id }))
    return 'outside_sites_or_projects';
  return undefined;
}

/** A recording the user may not see answers exactly as one that does not exist (no id enumeration). */
function assertMayView(
  user: LorisUser,
  file: PhysiologicalFileRecord | undefined,
  moduleActive: boolean,
): PhysiologicalFileRecord {
  const reason = hiddenReason(user, file, moduleActive);
  if (reason !== undefined || !file) throw withLogReason(recordingNotFound(), reason ?? 'no_such_recording');
  return file;
}

async function resolveOrLog(
  root: string,
  filePath: string,
  id: number,
  log: Logger | undefined,
  who: string,
) {
  try {
    // Memoised within the authorisation bound: every file a reader opens is checked again against the root
    // (rootedSourceFs), and the recording cache notices a deleted or replaced file on every request.
    return await pathMemo.get(`${root}\0${filePath}`, getConfig().authCacheMs, () =>
      resolveDataPath(root, filePath),
    );
  } catch (error) {
    if (error instanceof ApiError && error.code === 'path_outside_data_dir') {
      log?.warn('refused a recording path outside the data directory', {
        physioFileId: id,
        filePath,
        user: who,
      });
    }
    throw error;
  }
}

/**
 * Work to start beside the authorisation lookups (LORIS mode), once the token's signature holds: e.g. what LORIS
 * knows about the recording, which a first request then need not wait for after authorisation. Its result must
 * only be looked at once authorizeRecording has resolved (the caller may view the recording).
 */
export type AlongsideAuthorization = (db: Db, id: number) => void;

async function authorizeLoris(
  config: Config,
  event: HttpEvent,
  id: number,
  log?: Logger,
  extra?: AlongsideAuthorization,
): Promise<AuthorizedRecording> {
  const { db, settings } = await lorisRuntimeFor(config);
  const current = await settings();
  const ttl = config.authCacheMs;
  // The module, file and lock-out lookups start once the token's signature holds (never for forged tokens) and
  // run alongside the account lookup; their results are only looked at after the account passed.
  let lookups: Promise<[boolean, PhysiologicalFileRecord | undefined]> | undefined;
  const user = await identifyCaller(
    event,
    db,
    current,
    log,
    () => {
      lookups = Promise.all([
        moduleMemo.get('module', ttl, () => isModuleActive(db)),
        fileMemo.get(String(id), ttl, () => findPhysiologicalFile(db, id)),
      ]);
      lookups.catch(() => undefined);
      extra?.(db, id);
    },
    ttl,
  );
  if (!lookups) throw new Error('identify returned without looking the user up');
  const [moduleActive, row] = await lookups;
  const file = assertMayView(user, row, moduleActive);
  const root = await cachedDataDir(current.dataDir, ttl);
  const resolved = await resolveOrLog(root, file.filePath, id, log, user.username);
  return {
    id,
    fileType: file.fileType,
    filePath: file.filePath,
    ...resolved,
    dataRoot: root,
    user,
    file,
    catalogEntry: null,
  };
}

/**
 * The LORIS account behind the request's token (401 otherwise): signature, claims (iss = aud = LORIS's base
 * URL when known), the account's state and LORIS's login lock-out for the client's address. `alongside` runs
 * when the token's signature has held, next to the account lookup. The account row may be reused for
 * `accountCacheMs` (the authorisation memo); the claims and the lock-out are checked on every call (the lock-out
 * from LORIS's login history in full only when a login was recorded since, seen within a second,
 * lib/service/lockout.ts; the signature of a token that passed is kept, lib/auth/jwt.ts).
 */
export async function identifyCaller(
  event: HttpEvent,
  db: Db,
  current: LorisSettings,
  log?: Logger,
  alongside?: () => void,
  accountCacheMs = 0,
): Promise<LorisUser> {
  const key = usableJwtKey(current);
  const address = clientAddress(event);
  let locked: Promise<boolean> | undefined;
  return identify(header(event, 'authorization'), {
    key,
    baseUrl: current.baseUrl,
    findUser: (username) => {
      alongside?.();
      locked = isLockedOut(db, username, address ?? '', accountCacheMs);
      locked.catch(() => undefined);
      return accountMemo.get(username, accountCacheMs, () => findUserByUsername(db, username));
    },
    isLocked: async () => (locked ? locked : false),
    onRefused: (reason) => log?.info('token refused', { reason }),
  });
}

async function authorizeStandalone(config: Config, id: number, log?: Logger): Promise<AuthorizedRecording> {
  assertStandaloneSafe(config);
  const root = await cachedDataDir(config.standaloneData, config.authCacheMs);
  const entry = (await standaloneCatalog(root)).entries.find((e) => e.id === id);
  if (!entry) throw recordingNotFound();
  const resolved = await resolveOrLog(root, entry.path, id, log, 'standalone');
  return {
    id,
    fileType: entry.fileType,
    filePath: entry.path,
    ...resolved,
    dataRoot: root,
    user: null,
    file: null,
    catalogEntry: entry,
  };
}

/**
 * Authorises access to recording `physioFileIdParam` for the caller of `event`. Throws ApiErrors: 400 bad id,
 * 401 no/invalid token or account, 403 path_outside_data_dir, 404 recording_not_found (also for a recording
 * the caller may not see, the reason only logged),
 * 503 database_unavailable / auth_misconfigured / data_dir_unavailable. `alongside` (LORIS mode) starts with the
 * module and file lookups, never for a token whose signature fails.
 */
export async function authorizeRecording(
  event: HttpEvent,
  physioFileIdParam: unknown,
  options: { config?: Config; log?: Logger; alongside?: AlongsideAuthorization } = {},
): Promise<AuthorizedRecording> {
  const id = parsePhysioFileId(physioFileIdParam);
  const { config = getConfig(), log } = options;
  return config.mode === 'standalone'
    ? authorizeStandalone(config, id, log)
    : authorizeLoris(config, event, id, log, options.alongside);
}
