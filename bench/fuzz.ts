/**
 * Fuzzing every reader and the topomap pipeline: `npm run fuzz`.
 * Env: FUZZ_CASES (per format, default 10000), FUZZ_SEED (default 1), FUZZ_FORMATS (comma list, default all),
 * FUZZ_CASE (run only this case number, to reproduce a finding), FUZZ_HANG_MS (default 10000),
 * FUZZ_TIME_MS (time bound per case, default 2000), FUZZ_WORKERS (parallel workers, default 1).
 * The MATLAB v7.3 .set (format `eeglab-v73`, read by HDF5 compiled to WebAssembly in a worker thread; a clean
 * open takes seconds) runs FUZZ_CASES_V73 cases (default 40) with V73_BOUNDS (30 s, 192 MB + 8× input) and a 150 s hang limit.
 * The `attacks` format (issue 17's crafted files, built in memory: bench/fuzz/attacks.ts) runs FUZZ_CASES cases with
 * ATTACK_BOUNDS (2 s, the 128 MiB decoded-size budget + 64 MB + 8× input).
 * Prints a summary table per format and every finding with the command that reproduces it; writes
 * bench/out/fuzz-<seed>.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../test/helpers/testdata';
import { FUZZ_FORMATS, type FuzzFormat } from './fuzz/corpus';
import { createPool, type FuzzPool } from './fuzz/pool';
import { buildCase, type CaseSpec } from './fuzz/run-case';
import {
  boundsFor,
  describeFinding,
  emptyStats,
  record,
  summaryTable,
  type Bounds,
  type FormatStats,
} from './fuzz/stats';

const env = (name: string, fallback: number): number => {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
};

function formats(): FuzzFormat[] {
  const wanted = process.env.FUZZ_FORMATS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!wanted) return [...FUZZ_FORMATS];
  const unknown = wanted.filter((f) => !(FUZZ_FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0)
    throw new Error(`unknown format(s) ${unknown.join(', ')}; use ${FUZZ_FORMATS.join(', ')}`);
  return wanted as FuzzFormat[];
}

/** Runs cases [0, n) of one format on the pools (each pool takes the next case when free). */
interface FormatPlan {
  indices: number[];
  bounds: Bounds;
  hangMs: number;
}

async function fuzzFormat(
  pools: FuzzPool[],
  format: FuzzFormat,
  seed: number,
  plan: FormatPlan,
): Promise<FormatStats> {
  const { indices, bounds, hangMs } = plan;
  const stats = emptyStats(format);
  // Warm-up (loads the corpus into each worker), not counted.
  await Promise.all(pools.map((p) => p.run({ format, seed, index: -1 }, hangMs)));
  let next = 0;
  const t0 = performance.now();
  const lane = async (pool: FuzzPool): Promise<void> => {
    while (next < indices.length) {
      const index = indices[next++] as number;
      record(stats, await pool.run({ format, seed, index }, hangMs), bounds);
      if (stats.cases % 1000 === 0) {
        const rate = stats.cases / ((performance.now() - t0) / 1000);
        process.stdout.write(
          `  ${format}: ${stats.cases}/${indices.length} (${rate.toFixed(0)} cases/s, crashes ${stats.crashes}, hangs ${stats.hangs})\n`,
        );
      }
    }
  };
  await Promise.all(pools.map(lane));
  return stats;
}

/** Where a case that never answered (hang, dead worker) came from: rebuilt here from its seed. */
function describeCase(spec: CaseSpec): { recording: string; file: string; description: string } {
  const built = buildCase(spec);
  return { recording: built.recording, file: built.mutatedFile, description: built.description };
}

async function main(): Promise<void> {
  const seed = env('FUZZ_SEED', 1);
  const cases = env('FUZZ_CASES', 10_000);
  const only = process.env.FUZZ_CASE;
  const hangMs = env('FUZZ_HANG_MS', 10_000);
  const plan = (format: FuzzFormat): FormatPlan => {
    const n = format === 'eeglab-v73' ? env('FUZZ_CASES_V73', 40) : cases;
    const indices =
      only !== undefined && only !== '' ? [Number(only)] : Array.from({ length: n }, (_, i) => i);
    const bounds = boundsFor(format);
    if (format === 'eeglab-v73') return { indices, bounds, hangMs: 150_000 };
    return { indices, bounds: { ...bounds, timeMs: env('FUZZ_TIME_MS', bounds.timeMs) }, hangMs };
  };
  const pools = await Promise.all(
    Array.from({ length: Math.max(1, env('FUZZ_WORKERS', 1)) }, () => createPool({ hangMs, heapMb: 1024 })),
  );
  const all: FormatStats[] = [];
  const used: Partial<Record<FuzzFormat, Bounds>> = {};
  const started = Date.now();
  try {
    for (const format of formats()) {
      const t0 = Date.now();
      const p = plan(format);
      used[format] = p.bounds;
      all.push(await fuzzFormat(pools, format, seed, p));
      console.log(`${format}: ${p.indices.length} cases in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      // Each format's row as soon as it is done, so a long run that is stopped still reports.
      console.log(summaryTable(all.slice(-1)).split('\n').at(-1));
    }
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
  const boundsText = Object.entries(used)
    .map(([f, b]) => `${f}: ${b.timeMs} ms, ${b.memoryBaseBytes / 2 ** 20} MB + ${b.memoryFactor}× input`)
    .join('; ');
  console.log(
    `\nFuzz summary (seed ${seed}, ${((Date.now() - started) / 1000).toFixed(0)} s; bounds per case: ${boundsText})\n`,
  );
  console.log(summaryTable(all));
  const findings = all.flatMap((s) => s.findings);
  for (const f of findings) if (!f.description) Object.assign(f, describeCase(f.spec));
  console.log(
    findings.length === 0 ? '\nNo findings.' : `\nFindings:\n${findings.map(describeFinding).join('\n')}`,
  );
  const out = join(projectRoot, 'bench', 'out', `fuzz-${seed}.json`);
  writeFileSync(out, JSON.stringify({ seed, cases, bounds: used, stats: all }, null, 1));
  console.log(`\nDetails: ${out}`);
  if (findings.some((f) => f.kind === 'crash' || f.kind === 'hang')) process.exitCode = 1;
}

void main();
