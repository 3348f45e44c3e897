// Runs the service in the foreground under serverless-offline on loopback.
// Port from LORIS_EPHYS_PORT (default 8000); the process environment (LORIS_* settings) reaches the handlers.
// `--mode loris|standalone` and `--host ADDRESS` win over LORIS_EPHYS_MODE / LORIS_EPHYS_HOST, so a systemd
// unit can fix them on its command line, out of reach of its environment file. SIGTERM/SIGINT stop it cleanly.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
/** `--name value` or `--name=value` from the command line. */
function argument(name) {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return args[i + 1];
    if (args[i]?.startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
  }
  return undefined;
}

const port = Number(process.env.LORIS_EPHYS_PORT ?? 8000);
const host = argument('host') ?? process.env.LORIS_EPHYS_HOST ?? '127.0.0.1';
const mode = argument('mode') ?? process.env.LORIS_EPHYS_MODE;
if (mode !== undefined && mode !== 'loris' && mode !== 'standalone') {
  console.error(`--mode must be loris or standalone, got ${mode}`);
  process.exit(2);
}
const loopback = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`LORIS_EPHYS_PORT must be a port number, got ${process.env.LORIS_EPHYS_PORT}`);
  process.exit(2);
}
if (!loopback) {
  console.error(
    `LORIS_EPHYS_HOST=${host}: this service binds loopback only (put LORIS's PHP proxy in front of it).`,
  );
  process.exit(2);
}
if (!existsSync(join(root, 'dist', 'health', 'index.js'))) {
  console.error('dist/ is missing: run `bash scripts/setup.sh` (or npm run build) first.');
  process.exit(2);
}
// Node options and environment of the front (deploy/offline/node-options.json: a smaller young generation and
// glibc's mmap threshold, measured). A variable already in the environment wins.
const frontSettings = JSON.parse(readFileSync(join(root, 'deploy/offline/node-options.json'), 'utf8'));
const env = {
  ...frontSettings.environment,
  ...process.env,
  LORIS_EPHYS_PORT: String(port),
  LORIS_EPHYS_HOST: host,
  ...(mode ? { LORIS_EPHYS_MODE: mode } : {}),
  LORIS_EPHYS_LAMBDA_PORT: process.env.LORIS_EPHYS_LAMBDA_PORT ?? String(port + 2),
  // serverless-offline's two lines per request cost CPU on every request; the service logs each request itself
  // (deploy/offline/ready-banner.cjs still prints "Server ready"). SLS_LOG_LEVEL=notice brings them back.
  SLS_LOG_LEVEL: process.env.SLS_LOG_LEVEL ?? 'warning',
  // Handlers run in this process (serverless.yml useInProcess): a stray promise rejection is logged, and must
  // not stop the service for every viewer.
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --unhandled-rejections=warn`.trim(),
};
const nodeOptions = frontSettings.options;
const child = spawn(
  process.execPath,
  [...nodeOptions, join(root, 'node_modules/serverless/bin/serverless.js'), 'offline', 'start'],
  {
    cwd: root,
    env,
    stdio: 'inherit',
  },
);
const stop = (signal) => {
  if (child.exitCode === null) child.kill(signal);
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGTERM' ? 0 : 1)));
