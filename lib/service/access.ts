/**
 * The one call handlers make before touching a recording: `authorizeRecording(event, physioFileIdParam)`.
 * LORIS mode: id → LORIS token → account → permission rule → file row → path inside the data directory.
 * Standalone mode (LORIS_EPHYS_MODE=standalone): no database and no authentication; recordings come from
 * the catalog of LORIS_EPHYS_DATA, and the service only runs on a loopback host.
 */
import { z } from 'zod';
import { ApiError } from '../core/errors';
import { isLoopbackHost, type Config } from '../core/config';
import { header, parseWith, type HttpEvent } from '../core/http';
import type { Logger } from '../core/log';
import { identify } from '../auth/identity';
import { isKeyStrong } from '../auth/key-strength';
import { canUseBrowser, canViewSession } from '../auth/permissions';
import { sharedDb, type Db } from '../loris/db';
import { mergeDbSettings, readLorisConfigXml } from '../loris/config-xml';
import { findPhysiologicalFile, isModuleActive, type PhysiologicalFileRecord } from '../loris/files';
import { cachedSettings, type LorisSettings, type SettingsSource } from '../loris/settings';
import { findUserByUsername, type LorisUser } from '../loris/users';
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
  presentOnDisk: boolean;
  kind: ResolvedPath['kind'];
  /** The LORIS account (null in standalone mode). */
  user: LorisUser | null;
  /** The LORIS row (null in standalone mode). */
  file: PhysiologicalFileRecord | null;
  /** The catalog entry (null in LORIS mode). */
  catalogEntry: CatalogEntry | null;
}

export const permissionDenied = (): ApiError =>
  new ApiError(403, 'permission_denied', 'You do not have permission to view this recording.');
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

export function parsePhysioFileId(value: unknown): number {
  return parseWith(z.object({ physioFileId: physioFileIdSchema }), { physioFileId: value }).physioFileId;
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
): Promise<LorisRuntime> {
  const xml = config.lorisConfigXml ? await readLorisConfigXml(config.lorisConfigXml) : undefined;
  const db = sharedDb(mergeDbSettings(config.db, xml, env));
  const settings = cachedSettings(db, { jwtKey: config.jwtKeyOverride, dataDir: config.dataDirOverride });
  return { db, settings };
}

/** The database and settings of LORIS mode (a failed start is retried on the next call). */
export function lorisRuntimeFor(
  config: Config,
  env: Record<string, string | undefined> = process.env,
): Promise<LorisRuntime> {
  lorisRuntime ??= openLorisRuntime(config, env).catch((error: unknown) => {
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

/** For tests that change configuration in-process. */
export function resetAccessStateForTests(): void {
  lorisRuntime = undefined;
  catalogCache = undefined;
}

// ---- the checks ----

/** The JWTKey if it passes LORIS's strength rule; 503 auth_misconfigured otherwise. */
export function usableJwtKey(settings: LorisSettings): string {
  if (settings.jwtKey === undefined || !isKeyStrong(settings.jwtKey)) throw authMisconfigured();
  return settings.jwtKey;
}

function assertMayView(
  user: LorisUser,
  file: PhysiologicalFileRecord | undefined,
  moduleActive: boolean,
): PhysiologicalFileRecord {
  if (!moduleActive || !canUseBrowser(user)) throw permissionDenied();
  // LORIS's browser lists only active sessions of active candidates.
  if (!file || !file.session.active || !file.candidate.active) throw recordingNotFound();
  if (!canViewSession(user, { centerId: file.session.site.id, projectId: file.session.project.id }))
    throw permissionDenied();
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
    return await resolveDataPath(root, filePath);
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

async function authorizeLoris(
  config: Config,
  event: HttpEvent,
  id: number,
  log?: Logger,
): Promise<AuthorizedRecording> {
  const { db, settings } = await lorisRuntimeFor(config);
  const current = await settings();
  const key = usableJwtKey(current);
  // The module and file lookups start once the token's signature holds (never for forged tokens) and run
  // alongside the account lookup; their results are only looked at after the account passed.
  let lookups: Promise<[boolean, PhysiologicalFileRecord | undefined]> | undefined;
  const user = await identify(header(event, 'authorization'), {
    key,
    findUser: (username) => {
      lookups = Promise.all([isModuleActive(db), findPhysiologicalFile(db, id)]);
      lookups.catch(() => undefined);
      return findUserByUsername(db, username);
    },
    onRefused: (reason) => log?.info('token refused', { reason }),
  });
  if (!lookups) throw new Error('identify returned without looking the user up');
  const [moduleActive, row] = await lookups;
  const file = assertMayView(user, row, moduleActive);
  const root = await realDataDir(current.dataDir);
  const resolved = await resolveOrLog(root, file.filePath, id, log, user.username);
  return {
    id,
    fileType: file.fileType,
    filePath: file.filePath,
    ...resolved,
    user,
    file,
    catalogEntry: null,
  };
}

async function authorizeStandalone(config: Config, id: number, log?: Logger): Promise<AuthorizedRecording> {
  assertStandaloneSafe(config);
  const root = await realDataDir(config.standaloneData);
  const entry = (await standaloneCatalog(root)).entries.find((e) => e.id === id);
  if (!entry) throw recordingNotFound();
  const resolved = await resolveOrLog(root, entry.path, id, log, 'standalone');
  return {
    id,
    fileType: entry.fileType,
    filePath: entry.path,
    ...resolved,
    user: null,
    file: null,
    catalogEntry: entry,
  };
}

/**
 * Authorises access to recording `physioFileIdParam` for the caller of `event`. Throws ApiErrors: 400 bad id,
 * 401 no/invalid token or account, 403 permission_denied / path_outside_data_dir, 404 recording_not_found,
 * 503 database_unavailable / auth_misconfigured / data_dir_unavailable.
 */
export async function authorizeRecording(
  event: HttpEvent,
  physioFileIdParam: unknown,
  options: { config?: Config; log?: Logger } = {},
): Promise<AuthorizedRecording> {
  const id = parsePhysioFileId(physioFileIdParam);
  const { config = getConfig(), log } = options;
  return config.mode === 'standalone'
    ? authorizeStandalone(config, id, log)
    : authorizeLoris(config, event, id, log);
}
