/**
 * The systemd unit (deploy/systemd): `systemd-analyze verify` accepts it when systemd is installed, and its
 * settings are the promised ones (loopback only, restart always, journal, dedicated user, hardening, data
 * directory read-only). The environment example names only settings the service knows and parses cleanly.
 */
import { spawn, spawnSync } from 'node:child_process';
import { freePort, get } from '../helpers/offline';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, parseConfig } from '../../lib/core/config';
import { projectRoot } from '../helpers/testdata';

const DIR = join(projectRoot, 'deploy', 'systemd');
const UNIT = join(DIR, 'loris-ephys-api.service');
const ENV_EXAMPLE = join(DIR, 'loris-ephys-api.env.example');
const INSTALL_ROOT = '/opt/loris-ephys-api';
/** Read by scripts/start.mjs (not by the handlers' configuration schema). */
const START_SCRIPT_VARIABLES = ['LORIS_EPHYS_PORT', 'LORIS_EPHYS_LAMBDA_PORT'];

type Sections = Map<string, Map<string, string[]>>;

/** INI-style unit parsing: sections of key → values (a key may repeat); comments and blank lines dropped. */
function parseUnit(text: string): Sections {
  const sections: Sections = new Map();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      current = new Map();
      sections.set(header[1], current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 1) throw new Error(`unparsable unit line: ${line}`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

const unit = parseUnit(readFileSync(UNIT, 'utf8'));
const service = unit.get('Service') ?? new Map<string, string[]>();
const value = (key: string): string | undefined => service.get(key)?.at(-1);
const environment = (): Map<string, string> =>
  new Map(
    (service.get('Environment') ?? [])
      .flatMap((line) => line.split(/\s+/))
      .map(
        (pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)] as [string, string],
      ),
  );

describe('systemd unit', () => {
  it('passes systemd-analyze verify without a warning (when systemd-analyze is installed)', () => {
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      console.warn('systemd-analyze is not installed: only the parsed settings are checked');
      return;
    }
    const verify = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
    expect({ status: verify.status, stderr: verify.stderr.trim() }).toEqual({ status: 0, stderr: '' });
  });

  it('runs the service script as a dedicated user, restarts always and logs to the journal', () => {
    expect(value('User')).toBe('loris-ephys');
    expect(value('Group')).toBe('loris-ephys');
    expect(value('ExecStart')).toBe(
      `/usr/bin/node ${INSTALL_ROOT}/scripts/start.mjs --mode loris --host 127.0.0.1`,
    );
    expect(existsSync(join(projectRoot, 'scripts', 'start.mjs'))).toBe(true);
    expect(value('WorkingDirectory')).toBe(INSTALL_ROOT);
    expect(value('Restart')).toBe('always');
    expect(value('StandardOutput')).toBe('journal');
    expect(value('StandardError')).toBe('journal');
    expect(value('EnvironmentFile')).toBe('/etc/loris-ephys-api/loris-ephys-api.env');
    expect(unit.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('binds loopback only and may reach only loopback addresses', () => {
    // On the command line, not in Environment= (which the EnvironmentFile= overrides).
    expect(environment().has('LORIS_EPHYS_HOST')).toBe(false);
    expect(value('ExecStart')).toContain('--host 127.0.0.1');
    expect(value('IPAddressDeny')).toBe('any');
    expect(value('IPAddressAllow')).toBe('localhost');
  });

  it('is hardened: no privileges, read-only system with the data directory read-only, private /tmp', () => {
    const expected: Record<string, string> = {
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      ReadOnlyPaths: '/data/loris',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      CapabilityBoundingSet: '',
      RestrictSUIDSGID: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectControlGroups: 'yes',
      SystemCallFilter: '@system-service',
    };
    for (const [key, v] of Object.entries(expected)) expect([key, value(key)]).toEqual([key, v]);
    // The only writable place is the state directory, which is HOME (serverless-offline's cache).
    expect(value('StateDirectory')).toBe('loris-ephys-api');
    expect(environment().get('HOME')).toBe('/var/lib/loris-ephys-api');
    expect(service.has('ReadWritePaths')).toBe(false);
    expect(service.has('MemoryDenyWriteExecute')).toBe(false); // V8's JIT needs W+X pages
  });
});

describe('environment file example', () => {
  const lines = readFileSync(ENV_EXAMPLE, 'utf8').split('\n');
  const settings = lines
    .map((l) => /^#?([A-Z][A-Z0-9_]*)=(.*)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null);
  const active = Object.fromEntries(
    settings.filter((m) => !m[0].startsWith('#')).map((m) => [m[1] ?? '', m[2] ?? '']),
  );

  it('names only variables the service reads, and never the mode or host (fixed by the unit)', () => {
    const known = new Set([...Object.keys(configSchema.shape), ...START_SCRIPT_VARIABLES]);
    const names = settings.map((m) => m[1] ?? '');
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n) => !known.has(n))).toEqual([]);
    expect(names).not.toContain('LORIS_EPHYS_HOST');
    expect(names).not.toContain('LORIS_EPHYS_MODE');
    expect(names).not.toContain('LORIS_CONFIG_XML'); // LORIS's read-write credentials
  });

  it('parses as a valid LORIS-mode configuration', () => {
    const config = parseConfig(active);
    expect(config.mode).toBe('loris');
    expect(config.lorisConfigXml).toBeUndefined();
    expect(config.db).toMatchObject({ user: 'loris_ephys', database: 'LORIS' });
    expect(Number(active.LORIS_EPHYS_PORT)).toBe(8000);
  });
});

describe("the unit's command line wins over its environment file", () => {
  it('keeps LORIS mode on loopback when the environment file asks for standalone mode on every address', async () => {
    const port = await freePort();
    const args = (value('ExecStart') ?? '').split(' ').slice(2); // after `/usr/bin/node <script>`
    const child = spawn(process.execPath, [join(projectRoot, 'scripts', 'start.mjs'), ...args], {
      cwd: projectRoot,
      env: {
        ...process.env,
        // what a tampered environment file could say:
        LORIS_EPHYS_MODE: 'standalone',
        LORIS_EPHYS_DATA: '/',
        LORIS_EPHYS_HOST: '0.0.0.0',
        LORIS_EPHYS_PORT: String(port),
        LORIS_EPHYS_LAMBDA_PORT: String(await freePort()),
        LORIS_DB_PORT: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      const deadline = Date.now() + 60_000;
      while (!output.includes('Server ready') && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 100));
      expect(output).toContain(`http://127.0.0.1:${port}`);
      const health = await get(`http://127.0.0.1:${port}/health`);
      expect((health.json() as { checks: { config: { detail: string } } }).checks.config.detail).toBe(
        'mode loris',
      );
      expect((await get(`http://127.0.0.1:${port}/ephys/recordings`)).status).toBe(404); // not_available
    } finally {
      child.kill('SIGTERM');
    }
  }, 90_000);
});
