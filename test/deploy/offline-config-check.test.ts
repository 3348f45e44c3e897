/**
 * deploy/offline/offline-config-check.cjs: `serverless offline` skips osls's schema check of serverless.yml (its
 * generated validator would stay in the front's memory); every other command still refuses an invalid file.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/offline';
import { projectRoot } from '../helpers/testdata';

const serverless = join(projectRoot, 'node_modules', 'serverless', 'bin', 'serverless.js');
const plugin = join(projectRoot, 'deploy', 'offline', 'offline-config-check.cjs');
const { isOfflineCommand } = createRequire(__filename)(plugin) as {
  isOfflineCommand: (commands: unknown) => boolean;
};

/** A service whose provider block has a property osls's schema does not allow, with the plugin (osls wants a relative path). */
function invalidService(dir: string, plugins: string[] = []): void {
  copyFileSync(plugin, join(dir, 'offline-config-check.cjs'));
  writeFileSync(
    join(dir, 'serverless.yml'),
    [
      'service: config-check',
      "frameworkVersion: '4'",
      'provider: { name: aws, runtime: nodejs20.x, notAProviderSetting: 1 }',
      'functions: { f: { handler: index.handler, events: [{ httpApi: { method: GET, path: /f } }] } }',
      'plugins:',
      ...plugins.map((p) => `  - ${p}`),
      '  - ./offline-config-check.cjs',
      '',
    ].join('\n'),
  );
}

describe('offline-config-check plugin', () => {
  it('skips the check for offline and its subcommands only', () => {
    expect(isOfflineCommand(['offline', 'start'])).toBe(true);
    expect(isOfflineCommand(['offline'])).toBe(true);
    for (const commands of [['package'], ['deploy'], ['print'], [], undefined, 'offline'])
      expect(isOfflineCommand(commands)).toBe(false);
  });

  it('leaves the check on for other commands: print refuses an invalid serverless.yml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loris-ephys-config-check-'));
    try {
      invalidService(dir);
      const run = spawnSync(process.execPath, [serverless, 'print', '--format', 'json'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, AWS_PROFILE: 'none-such' },
        timeout: 60000,
      });
      expect(run.status).not.toBe(0);
      expect(`${run.stdout}${run.stderr}`).toMatch(/notAProviderSetting/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90000);

  it('lets serverless offline start on the same invalid serverless.yml', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loris-ephys-config-check-'));
    invalidService(dir, ['serverless-offline']);
    symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'));
    const [httpPort, lambdaPort] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      [serverless, 'offline', 'start', '--httpPort', `${httpPort}`, '--lambdaPort', `${lambdaPort}`],
      { cwd: dir, env: { ...process.env, SLS_LOG_LEVEL: 'notice' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    try {
      const started = await new Promise<boolean>((resolve) => {
        const onData = (d: Buffer): void => {
          output += d.toString();
          if (output.includes('Server ready')) resolve(true);
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', () => resolve(false));
        setTimeout(() => resolve(false), 60000).unref();
      });
      expect({ started, output }).toMatchObject({ started: true });
      expect(output).not.toMatch(/notAProviderSetting/);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90000);
});
