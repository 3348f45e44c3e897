/** `serverless package` works with no network and no AWS credentials: one zip per function with its bundle. */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from './helpers/testdata';
import { zipEntries } from './helpers/zip';

const serverless = join(projectRoot, 'node_modules', 'serverless', 'bin', 'serverless.js');

function functionsOf(yml: string): { name: string; usesSharp: boolean }[] {
  const blocks = yml.split(/\n(?= {2}[\w-]+:\n {4}handler:)/);
  return blocks
    .map((block) => ({ match: /^ {2}([\w-]+):\n {4}handler: dist\//m.exec(block), block }))
    .filter((b) => b.match)
    .map((b) => ({ name: b.match?.[1] ?? '', usesSharp: b.block.includes('node_modules/sharp/**') }));
}

describe('serverless package (offline, no credentials)', () => {
  const out = mkdtempSync(join(tmpdir(), 'loris-ephys-pkg-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('produces one zip per function holding its bundle, with sharp where it is used', () => {
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: 'none-such',
    };
    // A copy of the service (dist, node_modules and deploy/ with the origin-guard plugin linked) so no other
    // test's packaging shares .serverless/.
    const service = join(out, 'service');
    mkdirSync(service);
    for (const file of ['serverless.yml', 'package.json'])
      copyFileSync(join(projectRoot, file), join(service, file));
    for (const folder of ['dist', 'node_modules', 'deploy'])
      symlinkSync(join(projectRoot, folder), join(service, folder));
    execFileSync(process.execPath, [serverless, 'package', '--package', join(out, 'zips')], {
      cwd: service,
      env,
      stdio: 'pipe',
    });
    const functions = functionsOf(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8'));
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      const zip = join(out, 'zips', `${fn.name}.zip`);
      expect(existsSync(zip)).toBe(true);
      const entries = zipEntries(zip);
      expect(entries).toContain(`dist/${fn.name}/index.js`);
      expect(entries.some((e) => e.startsWith('dist/') && !e.startsWith(`dist/${fn.name}/`))).toBe(false);
      if (fn.usesSharp) {
        expect(entries.some((e) => /@img\/sharp-linux-x64\/lib\/sharp-linux-x64[-\d.]*\.node$/.test(e))).toBe(
          true,
        );
        expect(entries.some((e) => /@img\/sharp-libvips-linux-x64\/lib\/libvips-cpp/.test(e))).toBe(true);
      }
    }
  });
});

describe('bundles (dist/, scripts/build.mjs)', () => {
  // A loaded bundle's source stays in its thread's heap; V8 keeps it at one byte per character only when no
  // character is past Latin-1 (one "─" in a comment doubled the topomap bundle's 3.2 MB).
  it('hold no character past Latin-1', () => {
    const dist = join(projectRoot, 'dist');
    const bundles = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(bundles).toContain(join('topomap', 'worker.js'));
    for (const bundle of bundles) {
      const text = readFileSync(join(dist, bundle), 'utf8');
      const wide = [...text].findIndex((c) => (c.codePointAt(0) ?? 0) > 0xff);
      expect({ bundle, wide: wide < 0 ? 'none' : text.slice(Math.max(0, wide - 40), wide + 10) }).toEqual({
        bundle,
        wide: 'none',
      });
    }
  });
});
