/**
 * Per-request cost of authorisation, warm: `authorizeRecording` in-process (token verify + user, grants,
 * module and file queries + realpath) against a real MariaDB, and the whole GET /ephys/{id} over HTTP through
 * serverless-offline, next to GET /ephys/recordings' 404 (routing and handler overhead without authorisation).
 * Run: npx tsx bench/auth.bench.ts  (needs MariaDB on /run/mysqld/mysqld.sock and `node scripts/build.mjs`).
 */
import { performance } from 'node:perf_hooks';
import type { HttpEvent } from '../lib/core/http';
import { parseConfig } from '../lib/core/config';
import { closePool } from '../lib/loris/db';
import { verifyLorisToken } from '../lib/auth/jwt';
import { findPhysiologicalFile, isModuleActive } from '../lib/loris/files';
import { findUserByUsername } from '../lib/loris/users';
import { authorizeRecording, lorisRuntimeFor } from '../lib/service/access';
import { buildAccessWorld } from '../test/helpers/access-world';
import { get, startOffline } from '../test/helpers/offline';
import { bearer, lorisToken, STRONG_KEY } from '../test/helpers/tokens';

const N = 300;
const WARMUP = 30;
const quantile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)] ?? Number.NaN;
const summary = (label: string, xs: number[]) =>
  console.log(
    `${label}: median ${quantile(xs, 0.5).toFixed(3)} ms, p90 ${quantile(xs, 0.9).toFixed(3)} ms (n=${xs.length})`,
  );

async function timed(n: number, fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

async function main(): Promise<void> {
  const world = await buildAccessWorld();
  try {
    await world.db.seed.user({
      username: 'bench',
      permissions: ['electrophysiology_browser_view_site'],
      sites: [world.sites.A],
      projects: [world.projects.P1],
    });
    const token = await lorisToken(STRONG_KEY, 'bench');
    // LORIS_EPHYS_AUTH_CACHE_MS=0 measures every lookup; unset, the authorisation memo's default (5 s) applies.
    const memo = { LORIS_EPHYS_AUTH_CACHE_MS: process.env.LORIS_EPHYS_AUTH_CACHE_MS ?? '5000' };
    console.log(`LORIS_EPHYS_AUTH_CACHE_MS=${memo.LORIS_EPHYS_AUTH_CACHE_MS}`);
    const config = parseConfig({ LORIS_EPHYS_MODE: 'loris', ...world.db.env(), ...memo });
    const event = { headers: { authorization: `Bearer ${token}` } } as unknown as HttpEvent;
    summary(
      'authorizeRecording in-process',
      await timed(N, async () => void (await authorizeRecording(event, String(world.files.A1), { config }))),
    );
    summary(
      '  of which: token verify (jose HS256)',
      await timed(N, async () => void (await verifyLorisToken(token, STRONG_KEY))),
    );
    const { db } = await lorisRuntimeFor(config, {});
    summary(
      '  of which: user + grants queries',
      await timed(N, async () => void (await findUserByUsername(db, 'bench'))),
    );
    summary(
      '  of which: module + file queries',
      await timed(
        N,
        async () => void (await Promise.all([isModuleActive(db), findPhysiologicalFile(db, world.files.A1)])),
      ),
    );
    await closePool();

    const service = await startOffline({
      LORIS_EPHYS_MODE: 'loris',
      ...world.db.env(),
      LORIS_EPHYS_LOG_LEVEL: 'warn',
      ...memo,
    });
    try {
      const url = `${service.baseUrl}/ephys/${world.files.A1}`;
      const http = await timed(N, async () => {
        if ((await get(url, bearer(token))).status !== 200) throw new Error('not 200');
      });
      const baseline = await timed(N, async () => {
        if ((await get(`${service.baseUrl}/ephys/recordings`)).status !== 404) throw new Error('not 404');
      });
      summary('GET /ephys/{id} over HTTP (authorised, 200)', http);
      summary('GET /ephys/recordings over HTTP (404, no authorisation)', baseline);
    } finally {
      await service.stop();
    }
  } finally {
    await world.cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
