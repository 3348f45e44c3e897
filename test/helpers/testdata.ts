/** Locates the shared third-party recordings (never committed) for conformance tests. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The checkout (LORIS_EPHYS_ROOT when bundled elsewhere, e.g. by scripts/run-ts.mjs). */
export const projectRoot = process.env.LORIS_EPHYS_ROOT ?? resolve(__dirname, '..', '..');

export function testDataDir(): string {
  return process.env.LORIS_EPHYS_TESTDATA ?? resolve(projectRoot, '..', 'shared', 'data');
}

export function testDataPath(...parts: string[]): string {
  return join(testDataDir(), ...parts);
}

export const hasTestData = (): boolean => existsSync(testDataDir());

/** `describe` when the shared recordings are present; otherwise one line saying why the block is skipped. */
export function describeWithData(name: string, fn: () => void): void {
  if (hasTestData()) {
    describe(name, fn);
  } else {
    describe.skip(`${name} (skipped: no test data at ${testDataDir()}; set LORIS_EPHYS_TESTDATA)`, fn);
  }
}

export function goldenPath(...parts: string[]): string {
  return join(projectRoot, 'test', 'golden', ...parts);
}
