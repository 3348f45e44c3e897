/**
 * Issue 17, findings 1 and 3: crafted files that are small on disk and huge once decoded (an HDF5 v7.3 .set, a
 * .fif.gz gzip bomb, MAT v5 struct field names and cells) are refused with 422 unreadable_recording within the
 * decoded-size budget. Each is built here, opened by the service's own open path in a process of its own, and
 * that process's CPU time and peak RSS growth are measured (generous bounds: these catch hangs and blow-ups,
 * they are not timing tests). Also: windows over the samples × channels budget are refused before any read,
 * and a CTF dataset with more .meg4 files than allowed is refused.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { writeEdf } from '../../cli/edf-writer';
import { ApiError, isApiError } from '../../lib/core/errors';
import { topomapQuerySchema } from '../../lib/core/topomap-params';
import { openCtf } from '../../lib/readers/ctf';
import { MAX_MEG4_FILES } from '../../lib/readers/ctf';
import { readMat73 } from '../../lib/readers/eeglab/mat73';
import { readMat5 } from '../../lib/readers/mat/mat5';
import { memoryFs } from '../../lib/readers/source';
import { openForHandler } from '../../lib/service/open-recording';
import { computeMap } from '../../lib/service/topomap';
import { gzipOfZeros, matCellBomb, matFieldNameBomb, writeHdf5BombSet } from '../helpers/crafted-files';
import type { CraftedOutcome } from '../helpers/open-crafted';
import { describeWithData, projectRoot, testDataPath } from '../helpers/testdata';

const MiB = 1024 * 1024;
/** Generous: a refusal takes well under a second of CPU; this only catches hangs. */
const CPU_BOUND_MS = 10_000;
const RSS_GROWTH_BOUND_MB = 200;

let dir: string;
let probe: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loris-ephys-bounded-'));
  probe = join(dir, 'open-crafted.cjs');
  buildSync({
    absWorkingDir: projectRoot,
    entryPoints: [join(projectRoot, 'test', 'helpers', 'open-crafted.ts')],
    outfile: probe,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['sharp', 'h5wasm'],
    logLevel: 'warning',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Opens `path` in a fresh process (default budgets) and returns what it measured. */
function openInChild(path: string): CraftedOutcome {
  const run = spawnSync(process.execPath, [probe, path], {
    cwd: projectRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) {
    throw new Error(`probe failed (status ${run.status}): ${run.stderr.slice(0, 2000)}`);
  }
  return JSON.parse(line) as CraftedOutcome;
}

function expectRefusedWithinBounds(name: string, file: string): CraftedOutcome {
  const result = openInChild(file);
  console.log(`${name}: ${JSON.stringify(result)}`);
  expect(result.outcome).toBe('unreadable_recording');
  expect(result.status).toBe(422);
  expect(result.message).not.toContain('\n    at '); // a short reason, never a stack trace
  expect(result.cpuMs).toBeLessThan(CPU_BOUND_MS);
  expect(result.growthMb).toBeLessThan(RSS_GROWTH_BOUND_MB);
  return result;
}

describe('crafted files are refused within the decoded-size budget (own process, default budgets)', () => {
  it('EEGLAB v7.3 .set whose HDF5 EEG.data declares 2 GiB of gzip-compressed zeros', () => {
    const file = join(dir, 'hdf5-bomb.set');
    writeHdf5BombSet(file, 16384);
    expect(readFileSync(file).length).toBeLessThan(64 * 1024);
    const result = expectRefusedWithinBounds('v7.3 HDF5 bomb', file);
    expect(result.message).toMatch(/exceeds the decoded-size limit/);
  });

  it('.fif.gz gzip bomb whose trailer declares 256 MiB: refused before inflating', async () => {
    const file = join(dir, 'declared_raw.fif.gz');
    writeFileSync(file, await gzipOfZeros(256 * MiB));
    const result = expectRefusedWithinBounds('gzip bomb, honest trailer', file);
    expect(result.message).toMatch(/declares 268435456 bytes/);
  });

  it('.fif.gz gzip bomb whose trailer lies (4 KiB): inflation stopped at the budget', async () => {
    const file = join(dir, 'lying_raw.fif.gz');
    writeFileSync(file, await gzipOfZeros(256 * MiB, 4096));
    const result = expectRefusedWithinBounds('gzip bomb, lying trailer', file);
    expect(result.message).toMatch(/inflates to more than/);
  });

  it('MAT v5 .set whose EEG struct has 100 M one-byte field names (a 100 KB file)', () => {
    const file = join(dir, 'field-names.set');
    writeFileSync(file, matFieldNameBomb(100 * MiB, 1));
    expect(readFileSync(file).length).toBeLessThan(200 * 1024);
    expectRefusedWithinBounds('MAT struct, 100 M field names', file);
  });

  it('MAT v5 .set whose EEG struct has 1 M field names of 64 bytes', () => {
    const file = join(dir, 'long-field-names.set');
    writeFileSync(file, matFieldNameBomb(1_000_000, 64));
    expectRefusedWithinBounds('MAT struct, 1 M 64-byte field names', file);
  });

  it('MAT v5 .set whose EEG variable is a cell of 10 M empty matrices', () => {
    const file = join(dir, 'cells.set');
    writeFileSync(file, matCellBomb(10_000_000));
    const result = expectRefusedWithinBounds('MAT cell of 10 M values', file);
    expect(result.message).toMatch(/decoded size limit/);
  });
});

describe('HDF5 worker memory (in process)', () => {
  it('a worker that runs out of its capped heap ends as 422 unreadable_recording; this process goes on', async () => {
    const file = join(dir, 'small-hdf5.set');
    writeHdf5BombSet(file, 1024); // 8 MiB of doubles: within the budget
    const bytes = new Uint8Array(readFileSync(file));
    await expect(readMat73(bytes, 'small-hdf5.set', 128 * MiB, 4)).rejects.toMatchObject({
      status: 422,
      code: 'unreadable_recording',
      message: expect.stringContaining('memory limit'),
    });
    expect(process.memoryUsage().rss).toBeGreaterThan(0); // still here
  });
});

describe('MAT v5 struct field names (in process)', () => {
  const codeOf = (bytes: Uint8Array): string => {
    try {
      readMat5(bytes, 'f.mat');
      return 'ok';
    } catch (e) {
      return isApiError(e) ? e.code : `untyped: ${String(e)}`;
    }
  };

  it('refuses a field-name length beyond what MATLAB writes', () => {
    expect(codeOf(matFieldNameBomb(2, 4096))).toBe('unreadable_recording');
  });

  it('refuses more fields than the cap, before reading them', () => {
    expect(codeOf(matFieldNameBomb(5000, 32))).toBe('unreadable_recording');
  });

  it('counts the inflated bytes against the budget given', () => {
    expect(() => readMat5(matFieldNameBomb(4, 32), 'f.mat', { maxDecodedBytes: 64 })).toThrow(
      /decoded size limit/,
    );
  });
});

describe('window budget in samples × channels', () => {
  const NAMES = ['Fp1', 'Fp2', 'F3', 'F4', 'C3', 'C4', 'P3', 'P4', 'O1', 'O2', 'Cz', 'Pz'];
  const SFREQ = 256;

  function edf(seconds: number): string {
    const data = NAMES.map((_, c) =>
      Float64Array.from({ length: SFREQ * seconds }, (_, s) => Math.sin(c + s)),
    );
    const path = join(dir, `window-${seconds}s.edf`);
    const labels = NAMES.map((label) => ({ label, unit: 'uV', physMax: 500 }));
    writeFileSync(path, writeEdf(labels, data, SFREQ));
    return path;
  }

  /** The map's outcome with `maxWindowSamples`, and how many reads reached the reader. */
  async function attempt(query: Record<string, string>, maxWindowSamples: number) {
    const opened = await openForHandler(edf(8));
    let reads = 0;
    const readWindow = opened.recording.readWindow.bind(opened.recording);
    opened.recording = {
      ...opened.recording,
      info: opened.recording.info,
      readWindow: (picks, start, stop) => (reads++, readWindow(picks, start, stop)),
    };
    const limits = { maxWindowSeconds: 60, maxWindowSamples, maxImageSize: 2048, maxRes: 64 };
    try {
      await computeMap(opened, topomapQuerySchema.parse({ ...query, format: 'json' }), limits);
      return { outcome: 'ok', reads };
    } catch (e) {
      return { outcome: e instanceof ApiError ? `${e.status} ${e.code}` : String(e), reads };
    } finally {
      await opened.recording.close();
    }
  }

  it('refuses a window over the budget with 400 window_too_long before reading anything', async () => {
    // 4 s × 256 Hz × 12 channels = 12 300 samples × channels.
    expect(await attempt({ tmin: '0', tmax: '4' }, 10_000)).toEqual({
      outcome: '400 window_too_long',
      reads: 0,
    });
    expect(await attempt({ tmin: '0', tmax: '3' }, 10_000)).toEqual({ outcome: 'ok', reads: 1 });
  });

  it('counts the band-pass filter context', async () => {
    expect((await attempt({ tmin: '2', tmax: '3' }, 10_000)).outcome).toBe('ok');
    expect(await attempt({ tmin: '2', tmax: '3', lfreq: '1' }, 10_000)).toEqual({
      outcome: '400 window_too_long',
      reads: 0,
    });
  });

  it('applies to each ERP epoch', async () => {
    const opened = await openForHandler(edf(8));
    const events = [{ onset: 4, duration: 0, type: 'stim', value: '1' }];
    const q = topomapQuerySchema.parse({
      metric: 'erp',
      event: 'stim',
      tmin: '-1',
      tmax: '1',
      format: 'json',
    });
    const limits = { maxWindowSeconds: 60, maxWindowSamples: 1000, maxImageSize: 2048, maxRes: 64 };
    await expect(computeMap({ ...opened, readEvents: async () => events }, q, limits)).rejects.toMatchObject({
      code: 'window_too_long',
    });
    await opened.recording.close();
  });
});

describeWithData('CTF data files', () => {
  const DS = '/mem/testdata_ctf_short_discontinuous.ds';
  const BASE = `${DS}/testdata_ctf_short_discontinuous`;

  /** The test dataset with its .meg4 repeated as `count` data files (.meg4, .1_meg4, ...). */
  function withDataFiles(count: number): Map<string, Uint8Array> {
    const source = testDataPath('ctf', 'testdata_ctf_short_discontinuous.ds');
    const files = new Map<string, Uint8Array>();
    for (const f of readdirSync(source))
      files.set(join(DS, f), new Uint8Array(readFileSync(join(source, f))));
    const meg4 = files.get(`${BASE}.meg4`) as Uint8Array;
    for (let i = 1; i < count; i++) files.set(`${BASE}.${i}_meg4`, meg4);
    return files;
  }

  it(`opens ${MAX_MEG4_FILES} data files and refuses one more`, async () => {
    const opened = await openCtf(DS, memoryFs(withDataFiles(MAX_MEG4_FILES)));
    expect(opened.info.notes?.dataFiles).toBe(MAX_MEG4_FILES);
    await opened.close();
    await expect(openCtf(DS, memoryFs(withDataFiles(MAX_MEG4_FILES + 1)))).rejects.toMatchObject({
      code: 'unreadable_recording',
      message: expect.stringContaining(`more than ${MAX_MEG4_FILES} .meg4 data files`),
    });
  });
});
