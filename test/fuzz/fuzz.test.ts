/**
 * The fixed-seed fuzz set of the regular suite: mutated copies of every real recording (all formats) are
 * opened, read and mapped in a worker thread; every case must end in a result or an ApiError with a stable
 * code, within the time bound, without a hang or memory growth beyond the bound. `npm run fuzz` runs the
 * same harness with 10 000 cases per format.
 */
import { FUZZ_FORMATS } from '../../bench/fuzz/corpus';
import { createPool, type FuzzPool } from '../../bench/fuzz/pool';
import { buildCase } from '../../bench/fuzz/run-case';
import {
  ATTACK_BOUNDS,
  DEFAULT_BOUNDS,
  V73_BOUNDS,
  describeFinding,
  emptyStats,
  record,
} from '../../bench/fuzz/stats';
import { describeWithData } from '../helpers/testdata';

const SEED = 20261128;
const CASES = 50;
const ATTACK_CASES = 40;
const ATTACK_KINDS = ['.fif.gz', '.set', '.vhdr', '.edf'];
/** Codes a malformed recording may legitimately produce (reader errors, then the map's own checks). */
const STABLE_CODES = new Set([
  'unreadable_recording',
  'unsupported_format',
  'insufficient_positions',
  'degenerate_positions',
  'duplicate_positions',
  'channel_type_absent',
  'invalid_time',
  'invalid_request',
  'window_too_long',
]);

describeWithData('fuzz: fixed-seed mutations of every recording', () => {
  let pool: FuzzPool;

  beforeAll(async () => {
    pool = await createPool({ hangMs: 10_000, heapMb: 1024 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('builds the same case from the same seed and index', () => {
    const a = buildCase({ format: 'edf', seed: SEED, index: 7 });
    const b = buildCase({ format: 'edf', seed: SEED, index: 7 });
    expect(a.description).toBe(b.description);
    expect(
      Buffer.from(a.files.get(a.mutatedFile) as Uint8Array).equals(
        Buffer.from(b.files.get(b.mutatedFile) as Uint8Array),
      ),
    ).toBe(true);
    expect(buildCase({ format: 'edf', seed: SEED, index: 8 }).description).not.toBe(a.description);
  });

  const formats = FUZZ_FORMATS.filter((f) => f !== 'eeglab-v73' && f !== 'attacks');
  it.each(formats)('%s: every case ends in a result or a typed error, in time and memory', async (format) => {
    const stats = emptyStats(format);
    await pool.run({ format, seed: SEED, index: -1 }); // loads the corpus (not counted)
    for (let index = 0; index < CASES; index++)
      record(stats, await pool.run({ format, seed: SEED, index }), DEFAULT_BOUNDS);
    expect(stats.findings.map(describeFinding)).toEqual([]);
    expect(stats.cases).toBe(CASES);
    // The mutations both pass and fail the readers: the set exercises parsing beyond the first check.
    expect(stats.ok).toBeGreaterThan(0);
    expect(stats.ok).toBeLessThan(CASES);
    expect(Object.keys(stats.errors).filter((code) => !STABLE_CODES.has(code))).toEqual([]);
  });

  it('eeglab-v73: a mutated MATLAB v7.3 (HDF5) file ends in a result or a typed error', async () => {
    const stats = emptyStats('eeglab-v73');
    record(stats, await pool.run({ format: 'eeglab-v73', seed: SEED, index: 0 }, 60_000), V73_BOUNDS);
    expect(stats.findings.map(describeFinding)).toEqual([]);
    expect(stats.cases).toBe(1);
  }, 70_000);

  // Issue 17's crafted files (gzip, MAT v5 and HDF5 bombs, 70 KB BrainVision numbers, duplicate names), mutated.
  // The memory bound is ATTACK_BOUNDS' (decoded-size budget + 64 MB); the time bound is widened to the hang
  // limit here, so a loaded machine cannot fail the suite (`npm run fuzz` holds them to 2 s).
  it('attacks: every mutated crafted file ends in a result or a typed error, within the memory bound', async () => {
    const bounds = { ...ATTACK_BOUNDS, timeMs: 10_000 };
    const stats = emptyStats('attacks');
    const reached = new Set<string>();
    await pool.run({ format: 'attacks', seed: SEED, index: -1 }); // builds the corpus (not counted)
    for (let index = 0; index < ATTACK_CASES; index++) {
      const result = await pool.run({ format: 'attacks', seed: SEED, index });
      const name = result.kind === 'report' ? result.report.recording : '';
      reached.add(ATTACK_KINDS.find((extension) => name.endsWith(extension)) ?? name);
      record(stats, result, bounds);
    }
    expect(stats.findings.map(describeFinding)).toEqual([]);
    expect(stats).toMatchObject({ cases: ATTACK_CASES, crashes: 0, hangs: 0, slow: 0, memory: 0 });
    expect(Object.keys(stats.errors).filter((code) => !STABLE_CODES.has(code))).toEqual([]);
    // The slice reaches every kind of attack file.
    expect([...reached].sort()).toEqual([...ATTACK_KINDS].sort());
  }, 120_000);
});
