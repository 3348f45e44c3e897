/**
 * Upload throughput and memory of the tus front (module uploads): the real service under serverless-offline
 * (LORIS mode, uploads on, a throw-away MariaDB database), a generated file of --gb GB (default 2) uploaded by
 * a tus-js-client process (test/uploads/tus-client.cjs) on loopback, directly and through LORIS's PHP gateway
 * (php -S, deploy/loris), while the serverless-offline process's VmRSS is sampled every 50 ms. With --kill the
 * client is killed halfway and a new one resumes the upload. A 16 MiB upload first loads the functions. Prints
 * MB/s, RSS at start and peak, and the growth.
 * Needs local MariaDB and php (as the tests).
 * Run: npm run bench:upload -- [--gb 2] [--chunk-mb 8] [--kill] [--direct-only]
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startOffline } from '../test/helpers/offline';
import { applyGatewaySql, startPhpGateway } from '../test/helpers/php-gateway';
import { projectRoot } from '../test/helpers/testdata';
import { createUploadsWorld, EEG_TARGET } from '../test/helpers/uploads-world';
import { mb, processRss } from './proc-rss';

const MiB = 1024 * 1024;
const CLIENT = join(projectRoot, 'test', 'uploads', 'tus-client.cjs');

const { values: args } = parseArgs({
  options: {
    gb: { type: 'string', default: '2' },
    'chunk-mb': { type: 'string', default: '8' },
    kill: { type: 'boolean', default: false },
    'direct-only': { type: 'boolean', default: false },
  },
});
const totalBytes = Math.round(Number(args.gb) * 1e9);
const chunkBytes = Number(args['chunk-mb']) * MiB;

/** A file of `bytes` pseudo-random bytes (a 64 MiB random block, each copy stamped with its index). */
function generateFile(path: string, bytes: number): void {
  const block = randomBytes(64 * MiB);
  const fd = openSync(path, 'w');
  try {
    for (let written = 0, i = 0; written < bytes; i++) {
      block.writeUInt32LE(i, 0);
      const n = Math.min(block.length, bytes - written);
      writeSync(fd, block, 0, n);
      written += n;
    }
  } finally {
    closeSync(fd);
  }
}

interface ClientResult {
  code: number | null;
  url: string;
  lines: string[];
}

/** Runs the tus client; `killAt` (bytes) kills it once that much is acknowledged. */
function runClient(env: Record<string, string>, killAt?: number): Promise<ClientResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLIENT], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let url = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (line.startsWith('url ')) url = line.slice(4);
        if (killAt !== undefined && line.startsWith('progress ') && Number(line.slice(9)) >= killAt) {
          child.kill('SIGKILL');
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => lines.push(`stderr ${d.toString().trim()}`));
    child.once('exit', (code) => resolve({ code, url, lines }));
  });
}

async function upload(
  label: string,
  endpoint: string,
  headers: Record<string, string>,
  file: string,
  pid: number,
): Promise<Record<string, unknown>> {
  const env = {
    TUS_ENDPOINT: endpoint,
    TUS_HEADERS: JSON.stringify(headers),
    TUS_FILE: file,
    TUS_METADATA: JSON.stringify({ ...EEG_TARGET, isPhantom: 'false' }),
    TUS_CHUNK_BYTES: String(chunkBytes),
  };
  const before = processRss(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, processRss(pid))), 50);
  const started = Date.now();
  let result = await runClient(env, args.kill ? totalBytes / 2 : undefined);
  let resumedAt: number | undefined;
  if (args.kill) {
    resumedAt = Date.now();
    result = await runClient({ ...env, TUS_RESUME_URL: result.url });
  }
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, processRss(pid));
  if (!result.lines.includes('done'))
    throw new Error(`${label}: upload failed:\n${result.lines.slice(-5).join('\n')}`);
  return {
    route: label,
    bytes: totalBytes,
    chunkMiB: chunkBytes / MiB,
    killedAndResumed: args.kill,
    ...(resumedAt ? { resumedAfterSeconds: Math.round((resumedAt - started) / 100) / 10 } : {}),
    seconds: Math.round(seconds * 10) / 10,
    throughputMBps: Math.round(totalBytes / 1e6 / seconds),
    rssStartMB: mb(before),
    rssPeakMB: mb(peak),
    rssGrowthMB: mb(peak - before),
  };
}

async function main(): Promise<void> {
  const world = await createUploadsWorld();
  const file = join(world.tmp, 'upload.bin');
  try {
    generateFile(file, totalBytes);
    const phpPort = await freePort();
    const lorisBaseUrl = `http://127.0.0.1:${phpPort}/loris`;
    const service = await startOffline(
      world.env({ LORIS_EPHYS_UPLOAD_MAX_CHUNK_BYTES: String(Math.max(chunkBytes, 8 * MiB)) }, lorisBaseUrl),
    );
    const pid = service.process.pid ?? 0;
    await applyGatewaySql(world.db, service.baseUrl, { allow_uploads: 1 });
    const php = await startPhpGateway(world.db, phpPort, world.tmp);
    try {
      const token = await world.token('uploader', lorisBaseUrl);
      // Warm-up: the upload functions load and the database pool opens before anything is measured.
      const warmFile = join(world.tmp, 'warm.bin');
      generateFile(warmFile, 16 * MiB);
      await runClient({
        TUS_ENDPOINT: `${service.baseUrl}/tus/upload`,
        TUS_HEADERS: JSON.stringify({ Authorization: `Bearer ${token}` }),
        TUS_FILE: warmFile,
        TUS_METADATA: JSON.stringify({ ...EEG_TARGET, isPhantom: 'false' }),
        TUS_CHUNK_BYTES: String(chunkBytes),
      });
      await new Promise((r) => setTimeout(r, 1000));
      const results = [
        await upload(
          'direct',
          `${service.baseUrl}/tus/upload`,
          { Authorization: `Bearer ${token}` },
          file,
          pid,
        ),
      ];
      if (!args['direct-only']) {
        const cookie = await php.login('uploader');
        results.push(
          await upload('php-gateway', `${php.gatewayUrl}/tus/upload`, { Cookie: cookie }, file, pid),
        );
      }
      console.log(JSON.stringify(results, null, 2));
    } finally {
      await php.stop();
      await service.stop();
    }
  } finally {
    rmSync(file, { force: true });
    await world.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
