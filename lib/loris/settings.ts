/**
 * LORIS settings this service needs, from `Config`/`ConfigSettings`: `JWTKey` (token signing key),
 * `dataDirBasepath` (root of every FilePath) and `url` (LORIS's base URL, the `iss`/`aud` of its tokens; older
 * LORIS releases have it, newer ones derive it from the request). LORIS_JWT_KEY / LORIS_DATA_DIR /
 * LORIS_BASE_URL override them, for sites that set them in config.xml (PHP reads config.xml first). Cached
 * briefly so a key rotation is seen within the TTL.
 */
import { z } from 'zod';
import { parseRows, type Db } from './db';

export interface LorisSettings {
  jwtKey: string | undefined;
  dataDir: string | undefined;
  baseUrl?: string;
}

export interface SettingsOverrides {
  jwtKey?: string;
  dataDir?: string;
  baseUrl?: string;
}

const SETTINGS_SQL = `SELECT cs.Name, c.Value FROM Config c JOIN ConfigSettings cs ON cs.ID = c.ConfigID
  WHERE cs.Name IN ('JWTKey', 'dataDirBasepath', 'url') ORDER BY c.ID`;

const settingRow = z.object({ Name: z.string(), Value: z.string().nullable() });

/** Reads the settings in one statement (first row wins for each; empty counts as unset). */
export async function readLorisSettings(db: Db): Promise<LorisSettings> {
  const rows = parseRows(settingRow, await db.rows(SETTINGS_SQL, []));
  const first = (name: string): string | undefined =>
    rows.find((r) => r.Name === name && r.Value !== null && r.Value !== '')?.Value ?? undefined;
  return { jwtKey: first('JWTKey'), dataDir: first('dataDirBasepath'), baseUrl: first('url') };
}

export const SETTINGS_TTL_MS = 30_000;

export type SettingsSource = () => Promise<LorisSettings>;

/**
 * A cached reader: the database is asked at most once per `ttlMs` (≤ 60 s); failures are not cached. With the key and
 * data directory overridden the database is never asked.
 */
export function cachedSettings(
  db: Db,
  overrides: SettingsOverrides,
  ttlMs: number = SETTINGS_TTL_MS,
  now: () => number = Date.now,
): SettingsSource {
  let cached: { value: LorisSettings; at: number } | undefined;
  const ttl = Math.min(Math.max(ttlMs, 0), 60_000);
  return async () => {
    if (overrides.jwtKey !== undefined && overrides.dataDir !== undefined) {
      return { jwtKey: overrides.jwtKey, dataDir: overrides.dataDir, baseUrl: overrides.baseUrl };
    }
    if (!cached || now() - cached.at >= ttl) {
      const fromDb = await readLorisSettings(db);
      cached = { value: fromDb, at: now() };
    }
    return {
      jwtKey: overrides.jwtKey ?? cached.value.jwtKey,
      dataDir: overrides.dataDir ?? cached.value.dataDir,
      baseUrl: overrides.baseUrl ?? cached.value.baseUrl,
    };
  };
}
