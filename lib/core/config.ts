/**
 * Service configuration, parsed once per cold start from the environment with zod. The caller passes the
 * environment, so tests can parse any configuration without touching process.env; the only other input is the CPU
 * count, for the default heavy-request cap (mapWorkerCount).
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ApiError } from './errors';
import { DEFAULT_MODULES, parseModuleList, type ModuleName } from './modules';

/** 8 M samples × channels: a window's Float64 samples stay at 64 MB, half of the ~128 MB meant for them. */
export const DEFAULT_MAX_WINDOW_SAMPLES = 8_000_000;

/** Where partial uploads are staged (module uploads), created 0700. */
export const DEFAULT_UPLOAD_DIR = '/var/tmp/loris-ephys-api/uploads';
/** The largest tus PATCH body by default: fits serverless-offline's buffered bodies (10 MiB) when not streamed. */
export const DEFAULT_UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;
/**
 * The largest a site may allow: on premises PATCH bodies stream to the file (deploy/offline/tus-body.cjs lets hapi
 * take them up to this size), so larger chunks cost no memory and fewer requests (32 MiB: 188 → 263 MB/s).
 */
export const MAX_UPLOAD_CHUNK_BYTES = 64 * 1024 * 1024;

/**
 * Heavy requests (maps, sensors) admitted at once per map worker when LORIS_EPHYS_MAX_CONCURRENT is unset. A slot
 * is held through a request's main-thread work too (authorisation, writing the answer), so a pool needs more slots
 * than workers to keep its workers fed; a fixed cap would leave most workers of a larger machine idle.
 */
export const HEAVY_REQUESTS_PER_WORKER = 4;

/** Map worker threads to start: the setting, else none on Lambda, else one per CPU the process may use. */
export function mapWorkerCount(
  setting: number | undefined,
  env: Record<string, string | undefined> = process.env,
  cpus: number = availableParallelism(),
): number {
  if (setting !== undefined) return setting;
  if (env.AWS_LAMBDA_FUNCTION_NAME && !env.IS_OFFLINE) return 0;
  return Math.max(1, cpus);
}

/** The heavy-request cap: the setting, else HEAVY_REQUESTS_PER_WORKER per map worker (in-thread counts as one). */
export const heavyRequestCap = (setting: number | undefined, workers: number): number =>
  setting ?? HEAVY_REQUESTS_PER_WORKER * Math.max(1, workers);

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);
/** An integer setting whose absence (unset or empty) means "automatic". */
const optionalInt = (min: number, max: number) =>
  z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(min).max(max).optional());
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

export const configSchema = z
  .object({
    LORIS_EPHYS_MODE: z.enum(['loris', 'standalone']).default('loris'),
    LORIS_EPHYS_DATA: optionalText,
    LORIS_EPHYS_HOST: z.string().default('127.0.0.1'),
    LORIS_EPHYS_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    LORIS_DB_HOST: z.string().default('127.0.0.1'),
    LORIS_DB_PORT: int(3306, 1, 65535),
    LORIS_DB_SOCKET: optionalText,
    LORIS_DB_USER: optionalText,
    LORIS_DB_PASSWORD: optionalText,
    // A full SSM parameter name (the IAM grant on AWS is built from it as arn:...:parameter<name>).
    LORIS_DB_PASSWORD_PARAMETER: optionalText.pipe(
      z
        .string()
        .regex(/^\/[\w.\-/]+$/, 'must be an SSM parameter name starting with /')
        .optional(),
    ),
    LORIS_DB_NAME: optionalText,
    LORIS_CONFIG_XML: optionalText,
    LORIS_JWT_KEY: optionalText,
    LORIS_DATA_DIR: optionalText,
    LORIS_BASE_URL: optionalText,
    // Read by the local HTTP front (deploy/offline/origin-guard.cjs), not by the handlers: listed here so it is a
    // known, documented setting.
    LORIS_EPHYS_CORS_ORIGINS: optionalText,
    LORIS_EPHYS_MAX_WINDOW_SECONDS: z.coerce.number().positive().max(86400).default(60),
    LORIS_EPHYS_MAX_WINDOW_SAMPLES: int(DEFAULT_MAX_WINDOW_SAMPLES, 1000, 1_000_000_000),
    LORIS_EPHYS_MAX_DECODED_MB: int(128, 1, 65536),
    LORIS_EPHYS_MAX_IMAGE_SIZE: int(2048, 64, 8192),
    LORIS_EPHYS_MAX_RES: int(512, 8, 2048),
    // Unset: HEAVY_REQUESTS_PER_WORKER per map worker (heavyRequestCap).
    LORIS_EPHYS_MAX_CONCURRENT: optionalInt(1, 256),
    LORIS_EPHYS_MAX_QUEUED: int(64, 0, 10000),
    LORIS_EPHYS_REQUEST_TIMEOUT_MS: int(20000, 100, 900000),
    LORIS_EPHYS_FAILED_OPEN_TTL_MS: int(30000, 0, 3600000),
    LORIS_EPHYS_MODULES: z.string().default(DEFAULT_MODULES).pipe(parseModuleList),
    // Map worker threads; unset: one per CPU (none on AWS Lambda, where an instance serves one request).
    LORIS_EPHYS_WORKERS: optionalInt(0, 64),
    LORIS_EPHYS_AUTH_CACHE_MS: int(5000, 0, 30000),
    LORIS_EPHYS_ANSWER_CACHE_MB: int(16, 0, 1024),
    // Module uploads (README "Uploads").
    LORIS_EPHYS_UPLOAD_DIR: z.string().min(1).default(DEFAULT_UPLOAD_DIR),
    LORIS_EPHYS_UPLOAD_MAX_BYTES: int(50 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
    LORIS_EPHYS_UPLOAD_MAX_CHUNK_BYTES: int(DEFAULT_UPLOAD_CHUNK_BYTES, 65536, MAX_UPLOAD_CHUNK_BYTES),
    LORIS_EPHYS_UPLOAD_EXPIRY_HOURS: z.coerce.number().positive().max(8760).default(48),
    LORIS_EPHYS_UPLOAD_RESERVE_BYTES: int(1024 ** 3, 0, Number.MAX_SAFE_INTEGER),
    LORIS_EPHYS_UPLOAD_S3_BUCKET: optionalText,
    LORIS_EPHYS_UPLOAD_STRICT: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    LORIS_EPHYS_SERVER_TIMING: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .superRefine((c, ctx) => {
    if (c.LORIS_EPHYS_MODE === 'standalone' && !c.LORIS_EPHYS_DATA) {
      ctx.addIssue({
        code: 'custom',
        path: ['LORIS_EPHYS_DATA'],
        message: 'standalone mode needs a data folder',
      });
    }
  });

export type RawConfig = z.infer<typeof configSchema>;

export interface Config {
  mode: 'loris' | 'standalone';
  standaloneData?: string;
  host: string;
  logLevel: RawConfig['LORIS_EPHYS_LOG_LEVEL'];
  db: {
    host: string;
    port: number;
    socketPath?: string;
    user?: string;
    password?: string;
    database?: string;
  };
  /** SSM SecureString holding the database password (AWS); LORIS_DB_PASSWORD wins when both are set. */
  dbPasswordParameter?: string;
  lorisConfigXml?: string;
  jwtKeyOverride?: string;
  dataDirOverride?: string;
  /** LORIS's base URL (tokens' iss/aud); else Config `url` when LORIS has it. */
  baseUrlOverride?: string;
  /** The modules switched on (LORIS_EPHYS_MODULES, default ephys,meegqc): the others' routes answer 404. */
  modules: readonly ModuleName[];
  limits: {
    maxWindowSeconds: number;
    /** Samples × channels a window (with its filter context) or an epoch may read. */
    maxWindowSamples: number;
    /** The readers' decoded-size budget per open recording, in bytes (OpenOptions.maxDecodedBytes). */
    maxDecodedBytes: number;
    maxImageSize: number;
    maxRes: number;
    maxConcurrent: number;
    /** Heavy requests waiting for a slot beyond the running ones; more get 429. */
    maxQueued: number;
    requestTimeoutMs: number;
    /** How long an unreadable or unsupported recording's failed open is remembered (0: not at all). */
    failedOpenTtlMs: number;
  };
  /** Worker threads computing maps (0: in the request's thread); undefined: decided at run time (CPU count). */
  workers?: number;
  /** How long a caller's authorisation (account, grants, lock-out, module state) may be reused, ms (≤ 30 s). */
  authCacheMs: number;
  /** Megabytes of finished map pictures kept for repeated requests (lib/service/answer-cache.ts); 0 = none. */
  answerCacheMb: number;
  /** Maps answer with a Server-Timing header: where their time went (authorisation, the map's stages). */
  serverTiming: boolean;
  /** Module uploads: staging, limits and strictness (README "Uploads"). */
  uploads: UploadSettings;
}

export interface UploadSettings {
  /** Staging directory of partial and finished uploads (0700); registration moves archives out of it. */
  dir: string;
  /** Largest Upload-Length accepted at creation (413 upload_too_large beyond). */
  maxBytes: number;
  /** Largest body of one PATCH (or of a creation-with-upload POST); 413 chunk_too_large beyond. */
  maxChunkBytes: number;
  /** A partial upload is removed this long after its creation. */
  expiryMs: number;
  /** Free space that must remain on the staging file system after every accepted upload is complete. */
  reserveBytes: number;
  /** Refuse (delete) an archive whose check reported errors; false registers it with its report anyway. */
  strict: boolean;
  /** AWS stage: tus bytes (@tus/s3-store) and records in this bucket instead of the staging directory. */
  s3Bucket?: string;
}

/** Parses the environment; a missing or malformed setting is a 500 config_invalid naming the variables. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const fields = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ApiError(500, 'config_invalid', `Invalid configuration: ${fields.join('; ')}`);
  }
  const c = result.data;
  return {
    mode: c.LORIS_EPHYS_MODE,
    standaloneData: c.LORIS_EPHYS_DATA,
    host: c.LORIS_EPHYS_HOST,
    logLevel: c.LORIS_EPHYS_LOG_LEVEL,
    db: {
      host: c.LORIS_DB_HOST,
      port: c.LORIS_DB_PORT,
      socketPath: c.LORIS_DB_SOCKET,
      user: c.LORIS_DB_USER,
      password: c.LORIS_DB_PASSWORD,
      database: c.LORIS_DB_NAME,
    },
    dbPasswordParameter: c.LORIS_DB_PASSWORD_PARAMETER,
    lorisConfigXml: c.LORIS_CONFIG_XML,
    jwtKeyOverride: c.LORIS_JWT_KEY,
    dataDirOverride: c.LORIS_DATA_DIR,
    baseUrlOverride: c.LORIS_BASE_URL,
    modules: c.LORIS_EPHYS_MODULES,
    limits: {
      maxWindowSeconds: c.LORIS_EPHYS_MAX_WINDOW_SECONDS,
      maxWindowSamples: c.LORIS_EPHYS_MAX_WINDOW_SAMPLES,
      maxDecodedBytes: c.LORIS_EPHYS_MAX_DECODED_MB * 1024 * 1024,
      maxImageSize: c.LORIS_EPHYS_MAX_IMAGE_SIZE,
      maxRes: c.LORIS_EPHYS_MAX_RES,
      maxConcurrent: heavyRequestCap(
        c.LORIS_EPHYS_MAX_CONCURRENT,
        mapWorkerCount(c.LORIS_EPHYS_WORKERS, env),
      ),
      maxQueued: c.LORIS_EPHYS_MAX_QUEUED,
      requestTimeoutMs: c.LORIS_EPHYS_REQUEST_TIMEOUT_MS,
      failedOpenTtlMs: c.LORIS_EPHYS_FAILED_OPEN_TTL_MS,
    },
    workers: c.LORIS_EPHYS_WORKERS,
    authCacheMs: c.LORIS_EPHYS_AUTH_CACHE_MS,
    answerCacheMb: c.LORIS_EPHYS_ANSWER_CACHE_MB,
    serverTiming: c.LORIS_EPHYS_SERVER_TIMING,
    uploads: {
      dir: c.LORIS_EPHYS_UPLOAD_DIR,
      maxBytes: c.LORIS_EPHYS_UPLOAD_MAX_BYTES,
      maxChunkBytes: c.LORIS_EPHYS_UPLOAD_MAX_CHUNK_BYTES,
      expiryMs: Math.round(c.LORIS_EPHYS_UPLOAD_EXPIRY_HOURS * 3_600_000),
      reserveBytes: c.LORIS_EPHYS_UPLOAD_RESERVE_BYTES,
      strict: c.LORIS_EPHYS_UPLOAD_STRICT,
      s3Bucket: c.LORIS_EPHYS_UPLOAD_S3_BUCKET,
    },
  };
}

/** True for loopback hosts, the only addresses standalone (unauthenticated) mode may bind. */
export const isLoopbackHost = (host: string): boolean =>
  host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
