/**
 * Starts the real service under serverless-offline on free loopback ports, for end-to-end tests over HTTP.
 * The bundles in dist/ must be built first (the test command builds them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from './testdata';

export interface OfflineService {
  baseUrl: string;
  port: number;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

interface FrontSettings {
  options: string[];
  environment?: Record<string, string>;
}

const frontSettings = (): FrontSettings =>
  JSON.parse(
    readFileSync(join(projectRoot, 'deploy', 'offline', 'node-options.json'), 'utf8'),
  ) as FrontSettings;

/** The front's Node options, as scripts/start.mjs passes them (deploy/offline/node-options.json). */
export function serviceNodeOptions(): string[] {
  return frontSettings().options;
}

/** The front's environment defaults, as scripts/start.mjs sets them (a variable already set wins). */
export function serviceEnvironment(): Record<string, string> {
  return frontSettings().environment ?? {};
}

/**
 * Starts serverless-offline with `env` added to the environment (handlers see it: localEnvironment).
 * `nodeArgs` go to node before the serverless script (e.g. --cpu-prof for a benchmark).
 */
export async function startOffline(
  env: Record<string, string> = {},
  timeoutMs = 30000,
  nodeArgs: string[] = [],
): Promise<OfflineService> {
  const port = await freePort();
  const lambdaPort = await freePort();
  let log = '';
  const child = spawn(
    process.execPath,
    [
      ...serviceNodeOptions(),
      ...nodeArgs,
      join(projectRoot, 'node_modules', 'serverless', 'bin', 'serverless.js'),
      'offline',
      'start',
    ],
    {
      cwd: projectRoot,
      env: {
        ...serviceEnvironment(),
        ...process.env,
        LORIS_EPHYS_PORT: String(port),
        LORIS_EPHYS_LAMBDA_PORT: String(lambdaPort),
        // As scripts/start.mjs runs it: serverless-offline's per-request notices off, our ready line on.
        SLS_LOG_LEVEL: process.env.SLS_LOG_LEVEL ?? 'warning',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (!log.includes('Server ready')) {
    if (child.exitCode !== null) throw new Error(`serverless-offline exited early:\n${log}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`serverless-offline did not start within ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return { baseUrl, port, process: child, output: () => log, stop };
}

export interface FetchResult {
  status: number;
  headers: Headers;
  text: string;
  bytes: Buffer;
  json: () => unknown;
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<FetchResult> {
  const response = await fetch(url, { headers });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString('utf8');
  return { status: response.status, headers: response.headers, text, bytes, json: () => JSON.parse(text) };
}

/**
 * An error answer's text without its request id, which is random hex: a check that an answer names no host, port
 * or table must not fail on a request id that holds "3306" by chance.
 */
export function withoutRequestId(text: string): string {
  const body = JSON.parse(text) as { error?: Record<string, unknown> };
  const { requestId: _random, ...error } = body.error ?? {};
  return JSON.stringify({ ...body, error });
}
