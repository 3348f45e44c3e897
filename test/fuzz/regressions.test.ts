/**
 * Regression tests for crashes the fuzzer found (`npm run fuzz`, seed in each title). Each is reproduced
 * twice: from its seed and case number through the harness, and as the minimal byte edit it came down to,
 * through the reader alone (so the test survives changes to the mutator).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isApiError } from '../../lib/core/errors';
import { openRecording } from '../../lib/readers';
import { memoryFs } from '../../lib/readers/source';
import { buildCase, runCase, type CaseSpec } from '../../bench/fuzz/run-case';
import { describeWithData, testDataPath } from '../helpers/testdata';

/** The error code opening (and reading) the files gives, or the crash. */
async function openCode(path: string, files: Map<string, Uint8Array>): Promise<string> {
  try {
    const rec = await openRecording(path, memoryFs(files));
    await rec.readWindow(
      rec.info.channels.map((_, i) => i),
      0,
      Math.min(rec.info.nSamples, 10),
    );
    await rec.close();
    return 'ok';
  } catch (e) {
    if (isApiError(e)) return e.code;
    throw e;
  }
}

async function harnessOutcome(spec: CaseSpec): Promise<string> {
  const outcome = await runCase(buildCase(spec), spec.index);
  return outcome.status === 'crash' ? `crash ${outcome.code}: ${outcome.message}` : (outcome.code ?? 'ok');
}

const DS_NAME = 'testdata_ctf_short_discontinuous.ds';

function ctfFiles(root: string): Map<string, Uint8Array> {
  const dir = testDataPath('ctf', DS_NAME);
  return new Map(readdirSync(dir).map((f) => [join(root, f), new Uint8Array(readFileSync(join(dir, f)))]));
}

describeWithData('fuzz regressions', () => {
  // ctf #107 (seed 1): a bit flip turned "x = 3.74269" into "x = 3n74269" in the .hc; the NaN coordinate
  // reached ml-matrix's eigen-decomposition, which threw a TypeError.
  it('CTF .hc with a non-numeric coil coordinate: unreadable_recording (seed 1, ctf #107)', async () => {
    expect(await harnessOutcome({ format: 'ctf', seed: 1, index: 107 })).toBe('unreadable_recording');
    const root = `/mem/${DS_NAME}`;
    const files = ctfFiles(root);
    const hcPath = join(root, 'testdata_ctf_short_discontinuous.hc');
    const text = Buffer.from(files.get(hcPath) as Uint8Array).toString('latin1');
    expect(text).toContain('x = 3.74269');
    files.set(hcPath, new Uint8Array(Buffer.from(text.replace('x = 3.74269', 'x = 3n74269'), 'latin1')));
    expect(await openCode(root, files)).toBe('unreadable_recording');
  });

  // The same crash through other .hc mutations of the full seed-1 run (45 of its 10 000 CTF cases crashed
  // before the fix, all in the eigen-decomposition; none after).
  it.each([913, 961, 9389, 9732, 9797, 9984])(
    'CTF .hc mutations of seed 1, ctf #%i: a typed error',
    async (index) => {
      expect(await harnessOutcome({ format: 'ctf', seed: 1, index })).toBe('unreadable_recording');
    },
  );
});
