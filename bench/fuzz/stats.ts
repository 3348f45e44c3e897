/** Per-format tallies of fuzz results, the bounds each case must meet, and the summary table. */
import { DEFAULT_MAX_DECODED_BYTES } from '../../lib/readers/types';
import type { FuzzFormat } from './corpus';
import type { PoolResult } from './pool';
import type { CaseSpec } from './run-case';

export interface Bounds {
  /** A case slower than this is reported (ms). */
  timeMs: number;
  /** Allowed memory growth of a case: base + factor × the bytes of its files. */
  memoryBaseBytes: number;
  memoryFactor: number;
}

export const DEFAULT_BOUNDS: Bounds = { timeMs: 2000, memoryBaseBytes: 64 * 2 ** 20, memoryFactor: 8 };

/**
 * MATLAB v7.3 files are read by HDF5 compiled to WebAssembly in a worker thread of its own (a new isolate
 * and a wasm heap per open: about 70 MB and seconds even for the clean 0.5 MB test file).
 */
export const V73_BOUNDS: Bounds = { timeMs: 30_000, memoryBaseBytes: 192 * 2 ** 20, memoryFactor: 8 };

/**
 * The `attacks` format (crafted files of issue 17, small on disk and huge once decoded): a reader may hold up to
 * its decoded-size budget (DEFAULT_MAX_DECODED_BYTES, 128 MiB, e.g. a .fif.gz inflated just under it) before it
 * refuses or goes on, plus the same 64 MB base as every case (and 8× the input, small for these files). The
 * time bound stays DEFAULT_BOUNDS': a refusal must be quick, whatever the file declares.
 */
export const ATTACK_BOUNDS: Bounds = {
  timeMs: DEFAULT_BOUNDS.timeMs,
  memoryBaseBytes: DEFAULT_MAX_DECODED_BYTES + DEFAULT_BOUNDS.memoryBaseBytes,
  memoryFactor: DEFAULT_BOUNDS.memoryFactor,
};

/** The bounds a format's cases are held to. */
export function boundsFor(format: FuzzFormat): Bounds {
  if (format === 'eeglab-v73') return V73_BOUNDS;
  return format === 'attacks' ? ATTACK_BOUNDS : DEFAULT_BOUNDS;
}

export interface Finding {
  kind: 'crash' | 'hang' | 'slow' | 'memory';
  spec: CaseSpec;
  recording?: string;
  file?: string;
  description?: string;
  stage?: string;
  message: string;
}

export interface FormatStats {
  format: FuzzFormat;
  cases: number;
  ok: number;
  errors: Record<string, number>;
  crashes: number;
  hangs: number;
  slow: number;
  memory: number;
  maxMs: number;
  maxMemoryBytes: number;
  maxRssRiseBytes: number;
  findings: Finding[];
}

export const emptyStats = (format: FuzzFormat): FormatStats => ({
  format,
  cases: 0,
  ok: 0,
  errors: {},
  crashes: 0,
  hangs: 0,
  slow: 0,
  memory: 0,
  maxMs: 0,
  maxMemoryBytes: 0,
  maxRssRiseBytes: 0,
  findings: [],
});

const MAX_FINDINGS = 50;

function note(s: FormatStats, f: Finding): void {
  if (s.findings.length < MAX_FINDINGS) s.findings.push(f);
}

/** Adds one result to the tallies, checking the time and memory bounds. */
export function record(s: FormatStats, r: PoolResult, bounds: Bounds): void {
  s.cases++;
  if (r.kind !== 'report') {
    if (r.kind === 'hang') s.hangs++;
    else s.crashes++;
    s.maxMs = Math.max(s.maxMs, r.ms);
    note(s, { kind: r.kind === 'hang' ? 'hang' : 'crash', spec: r.spec, message: r.message });
    return;
  }
  const { report: c, rssRiseBytes } = r;
  const where = {
    spec: c.spec,
    recording: c.recording,
    file: c.mutatedFile,
    description: c.description,
    stage: c.outcome.stage,
  };
  if (c.outcome.status === 'ok') s.ok++;
  else if (c.outcome.status === 'error')
    s.errors[c.outcome.code ?? '?'] = (s.errors[c.outcome.code ?? '?'] ?? 0) + 1;
  else {
    s.crashes++;
    note(s, {
      kind: 'crash',
      ...where,
      message: `${c.outcome.code}: ${c.outcome.message}\n${c.outcome.stack ?? ''}`,
    });
  }
  s.maxMs = Math.max(s.maxMs, c.ms);
  s.maxMemoryBytes = Math.max(s.maxMemoryBytes, c.memoryBytes);
  s.maxRssRiseBytes = Math.max(s.maxRssRiseBytes, rssRiseBytes);
  if (c.ms > bounds.timeMs) {
    s.slow++;
    note(s, { kind: 'slow', ...where, message: `${c.ms.toFixed(0)} ms` });
  }
  const limit = bounds.memoryBaseBytes + bounds.memoryFactor * c.inputBytes;
  const grown = Math.max(c.memoryBytes, rssRiseBytes);
  if (grown > limit) {
    s.memory++;
    note(s, { kind: 'memory', ...where, message: `${mb(grown)} MB for ${mb(c.inputBytes)} MB of input` });
  }
}

const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

/** The summary table (Markdown, so it can go into the README as it is). */
export function summaryTable(all: FormatStats[]): string {
  const head =
    '| format | cases | ok | typed errors (by code) | crashes | hangs | slow (> bound) | over memory bound | max ms | max heap+external MB | max RSS rise MB |';
  const rule = '|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|';
  const rows = all.map((s) => {
    const errors = Object.entries(s.errors)
      .sort(([, a], [, b]) => b - a)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ');
    return `| ${s.format} | ${s.cases} | ${s.ok} | ${errors || '—'} | ${s.crashes} | ${s.hangs} | ${s.slow} | ${s.memory} | ${s.maxMs.toFixed(0)} | ${mb(s.maxMemoryBytes)} | ${mb(s.maxRssRiseBytes)} |`;
  });
  return [head, rule, ...rows].join('\n');
}

/** One finding as text, with the environment that reproduces it. */
export function describeFinding(f: Finding): string {
  const repro = `FUZZ_SEED=${f.spec.seed} FUZZ_FORMATS=${f.spec.format} FUZZ_CASE=${f.spec.index} npm run fuzz`;
  const where = f.recording ? ` ${f.recording} (${f.file}, ${f.stage}): ${f.description}` : '';
  return `[${f.kind}] ${f.spec.format} #${f.spec.index}${where}\n  ${f.message.split('\n').slice(0, 4).join('\n  ')}\n  repro: ${repro}`;
}
