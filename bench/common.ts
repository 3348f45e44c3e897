/**
 * Shared pieces of the HTTP benchmarks: a service over copies of recordings (standalone, or LORIS mode with a real
 * MariaDB and a LORIS token), timing, MNE.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { isMainThread, Worker } from 'node:worker_threads';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent, get, type IncomingHttpHeaders } from 'node:http';
import { basename, join } from 'node:path';
import type { ResultSetHeader } from 'mysql2/promise';
import { buildAccessWorld, type AccessWorld } from '../test/helpers/access-world';
import { startOffline, type OfflineService } from '../test/helpers/offline';
import { configureWorkerHeaps, MAP_WORKER_RESOURCE_LIMITS } from '../lib/service/map-runner';
import { bearer, lorisToken, STRONG_KEY } from '../test/helpers/tokens';
import { projectRoot } from '../test/helpers/testdata';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? NaN;
};
export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))] ?? NaN;
};

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

export interface TimedGetOptions {
  headers?: Record<string, string>;
  /** A new TCP connection for this request (how LORIS's PHP gateway calls the service), else keep-alive. */
  fresh?: boolean;
  /** Called with the answer's headers (e.g. Server-Timing, see BENCH_SERVER_TIMING). */
  onHeaders?: (headers: IncomingHttpHeaders) => void;
}

/** BENCH_SERVER_TIMING=1: the benchmarks' services answer maps with Server-Timing (LORIS_EPHYS_SERVER_TIMING). */
const serverTimingEnv = (): Record<string, string> =>
  process.env.BENCH_SERVER_TIMING === '1' ? { LORIS_EPHYS_SERVER_TIMING: 'true' } : {};

/**
 * Milliseconds of one GET over a keep-alive connection, body read fully; throws on a non-2xx answer. Plain
 * node:http without Accept-Encoding, so the figure is the service's latency, not gzip on both ends.
 */
export function timedGet(url: string, options: TimedGetOptions = {}): Promise<number> {
  const t0 = performance.now();
  const headers = options.headers ?? {};
  return new Promise((resolve, reject) => {
    get(url, { agent: options.fresh ? false : agent, headers }, (response) => {
      options.onHeaders?.(response.headers);
      response.on('data', () => undefined);
      response.on('end', () => {
        const ms = performance.now() - t0;
        const status = response.statusCode ?? 0;
        if (status < 200 || status >= 300) reject(new Error(`${url}: HTTP ${status}`));
        else resolve(ms);
      });
    }).on('error', reject);
  });
}

export interface BenchService {
  service: OfflineService;
  /** Headers every request needs (a LORIS token in LORIS mode). */
  headers: Record<string, string>;
  /** id of copy k of recording `name`. */
  idOf(name: string, copy: number): number;
  close(): Promise<void>;
}

/** A standalone service over `copies` copies of each recording, so each copy's first request is a first open. */
export async function serveCopies(
  files: string[],
  copies: number,
  nodeArgs: string[] = [],
): Promise<BenchService> {
  const dir = mkdtempSync(join(tmpdir(), 'loris-ephys-bench-'));
  for (const file of files) {
    for (let k = 0; k < copies; k++) cpSync(file, join(dir, `c${k}`, basename(file)), { recursive: true });
  }
  const service = await startOffline(
    {
      LORIS_EPHYS_MODE: 'standalone',
      LORIS_EPHYS_DATA: dir,
      LORIS_EPHYS_LOG_LEVEL: 'warn',
      ...serverTimingEnv(),
    },
    30000,
    nodeArgs,
  );
  const list = (await (await fetch(`${service.baseUrl}/ephys/recordings`)).json()) as {
    recordings: { id: number; path: string }[];
  };
  const ids = new Map(list.recordings.map((r) => [r.path, r.id]));
  return benchService(service, ids, {}, async () => rmSync(dir, { recursive: true, force: true }));
}

/** A BenchService over `ids` (by `c<copy>/<file name>`); `cleanup` runs after the service has stopped. */
function benchService(
  service: OfflineService,
  ids: Map<string, number>,
  headers: Record<string, string>,
  cleanup: () => Promise<void>,
): BenchService {
  return {
    service,
    headers,
    idOf: (name, copy) => {
      const id = ids.get(`c${copy}/${basename(name)}`);
      if (id === undefined) throw new Error(`no recording c${copy}/${basename(name)}`);
      return id;
    },
    close: async () => {
      await service.stop();
      await cleanup();
    },
  };
}

/** Runs bench/mne_reference.py with Debian's python3 (MNE 1.3); null when MNE is not installed. */
export function mne(args: string[]): unknown {
  try {
    const out = execFileSync('/usr/bin/python3', [join(projectRoot, 'bench', 'mne_reference.py'), ...args], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(out);
  } catch (error) {
    console.error(`MNE reference not available: ${(error as Error).message.split('\n')[0]}`);
    return null;
  }
}

/** MNE making one case's map on request (bench/mne_reference.py serve-map), to interleave with our own maps. */
export interface MneMaps {
  /** The milliseconds of each of the next `n` maps (each a new window). */
  make(n: number): Promise<number[]>;
  close(): void;
}

/** Starts MNE's side of a map (`spec` as bench/mne_reference.py map_maker reads it); undefined without MNE. */
export async function mneMaps(spec: unknown): Promise<MneMaps | undefined> {
  const child = spawn(
    '/usr/bin/python3',
    [join(projectRoot, 'bench', 'mne_reference.py'), 'serve-map', JSON.stringify(spec)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let errors = ''; // the last of what it says on stderr, for the message when it cannot start
  child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
  child.stdin.on('error', () => undefined); // a process that stopped: make() reports it
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown> | undefined> => {
    const line = await lines.next();
    return line.done ? undefined : (JSON.parse(line.value) as Record<string, unknown>);
  };
  const failed = new Promise<undefined>((resolve) => child.once('error', () => resolve(undefined)));
  const ready = await Promise.race([next(), failed]);
  if (!ready || typeof ready.ready !== 'number') {
    const reason = errors.trim().split('\n').at(-1) ?? '';
    console.error(`MNE reference not available: serve-map did not start ${reason}`.trim());
    child.kill();
    return undefined;
  }
  return {
    async make(n) {
      child.stdin.write(`${n}\n`);
      const answer = await next();
      if (!answer || !Array.isArray(answer.ms)) throw new Error('MNE reference: serve-map stopped');
      return answer.ms as number[];
    },
    close: () => child.stdin.end(),
  };
}

export const loadAverage = (): string => execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim();

/**
 * The same copies served in LORIS mode: a LORIS database (test/sql/loris-schema.sql on the local MariaDB) with one
 * physiological_file row per copy, a user allowed to view them, and that user's LORIS token. Authorisation, the
 * module check and LORIS's knowledge of each file are read from the database on the request path, as on a site.
 */
export async function serveCopiesLoris(
  files: string[],
  copies: number,
  nodeArgs: string[] = [],
): Promise<BenchService> {
  const world = await buildAccessWorld();
  const { seed } = world.db;
  const ids = new Map<string, number>();
  for (const file of files) {
    for (let k = 0; k < copies; k++) {
      const rel = `bench/c${k}/${basename(file)}`;
      cpSync(file, join(world.dataDir, rel), { recursive: true });
      ids.set(`c${k}/${basename(file)}`, await seed.file({ session: world.sessions.A1, filePath: rel }));
    }
  }
  await seed.user({
    username: 'bench',
    permissions: ['electrophysiology_browser_view_site'],
    sites: [world.sites.A],
    projects: [world.projects.P1],
  });
  await seedLoginHistory(world, Number(process.env.BENCH_LOGIN_HISTORY ?? 0));
  await seedEvents(world, [...ids.values()], Number(process.env.BENCH_LORIS_EVENTS ?? 0));
  const token = await lorisToken(STRONG_KEY, 'bench');
  const service = await startOffline(
    {
      LORIS_EPHYS_MODE: 'loris',
      ...world.db.env(),
      LORIS_EPHYS_LOG_LEVEL: 'warn',
      ...serverTimingEnv(),
    },
    30000,
    nodeArgs,
  );
  return benchService(service, ids, bearer(token), () => world.cleanup());
}

/**
 * BENCH_LOGIN_HISTORY=<rows>: LORIS's login history as a site accumulates it (one row per login of 500 other
 * accounts, a minute apart going back, one in seven failed), which LORIS's lock-out check reads on every request.
 * MariaDB's sequence engine makes the rows.
 */
async function seedLoginHistory(world: AccessWorld, rows: number): Promise<void> {
  if (!(rows > 0)) return;
  await world.db.root.query(
    `INSERT INTO user_login_history (userID, Success, Login_timestamp, IP_address)
       SELECT CONCAT('user', seq % 500), IF(seq % 7 = 0, 'N', 'Y'), NOW() - INTERVAL seq MINUTE,
              CONCAT('10.0.', seq % 250, '.', seq % 200)
       FROM seq_1_to_${Math.floor(rows)}`,
  );
}

/**
 * BENCH_LORIS_EVENTS=<n>: n task events per recording in LORIS's tables (a trigger every half second, ten
 * values), as LORIS's importer stores a recording's events.tsv.
 */
async function seedEvents(world: AccessWorld, fileIds: number[], n: number): Promise<void> {
  if (!(n > 0)) return;
  for (const id of fileIds) {
    const [made] = await world.db.root.execute<ResultSetHeader>(
      "INSERT INTO physiological_event_file (PhysiologicalFileID, FileType, FilePath) VALUES (?, 'tsv', 'events.tsv')",
      [id],
    );
    await world.db.root.query(
      `INSERT INTO physiological_task_event (PhysiologicalFileID, EventFileID, Onset, Duration, EventType, EventValue)
         SELECT ?, ?, seq * 0.5, 0, 'stimulus', CONCAT('S', seq % 10) FROM seq_1_to_${Math.floor(n)}`,
      [id, made.insertId],
    );
  }
}

/**
 * Runs `main` in a worker thread started from this same bundled script (scripts/run-ts.mjs bundles it into one
 * file, which `__filename` names), as the service's map workers run maps
 * (synchronous deflate into reused buffers); the main thread only waits.
 */
export function runInWorkerThread(main: () => Promise<void>): void {
  if (!isMainThread) {
    void main();
    return;
  }
  // The map workers' heap: their limits and initial old generation (BENCH_WORKER_HEAP=limits-only: without it).
  if (process.env.BENCH_WORKER_HEAP !== 'limits-only') configureWorkerHeaps();
  new Worker(__filename, { resourceLimits: MAP_WORKER_RESOURCE_LIMITS }).on('error', (error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
