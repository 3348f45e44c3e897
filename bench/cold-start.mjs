// Cold start of serverless-offline (spawn → "Server ready") and of one handler (first request, which loads
// the bundle in a fresh worker), then the warm median. Medians over RUNS starts. Usage: node bench/cold-start.mjs
import { spawn } from 'node:child_process';
import { Agent, get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const RUNS = Number(process.env.RUNS ?? 5);
const route = process.env.ROUTE ?? '/health';
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
// One GET over a keep-alive connection without Accept-Encoding (the service's latency, not gzip).
const fetchOnce = (url) =>
  new Promise((resolve, reject) =>
    get(url, { agent }, (r) => {
      r.on('data', () => undefined);
      r.on('end', resolve);
    }).on('error', reject),
  );
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function once() {
  const [port, lambdaPort] = [await freePort(), await freePort()];
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [join(root, 'node_modules/serverless/bin/serverless.js'), 'offline', 'start'],
    {
      cwd: root,
      env: {
        ...process.env,
        LORIS_EPHYS_PORT: String(port),
        LORIS_EPHYS_LAMBDA_PORT: String(lambdaPort),
        LORIS_EPHYS_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 60000;
  while (!out.includes('Server ready')) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`serverless-offline did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const ready = performance.now() - t0;
  const t1 = performance.now();
  await fetchOnce(`http://127.0.0.1:${port}${route}`);
  const first = performance.now() - t1;
  const warm = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await fetchOnce(`http://127.0.0.1:${port}${route}`);
    warm.push(performance.now() - t);
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { ready, first, warm: median(warm) };
}

const results = [];
for (let i = 0; i < RUNS; i++) results.push(await once());
console.log(
  JSON.stringify(
    {
      route,
      runs: RUNS,
      offlineReadyMs: +median(results.map((r) => r.ready)).toFixed(1),
      firstRequestMs: +median(results.map((r) => r.first)).toFixed(1),
      warmMedianMs: +median(results.map((r) => r.warm)).toFixed(2),
    },
    null,
    1,
  ),
);
