/**
 * One fuzz case: a seed recording with one of its files mutated, opened through the service's own layer
 * (openForHandler over an in-memory file system), a few windows read, and a topographic map computed.
 * The outcome is a result, a typed ApiError (with its code and the stage that raised it), or a crash.
 */
import { isApiError } from '../../lib/core/errors';
import { topomapQuerySchema } from '../../lib/core/topomap-params';
import { memoryFs } from '../../lib/readers/source';
import { openForHandler } from '../../lib/service/open-recording';
import { computeMap, type TopomapLimits } from '../../lib/service/topomap';
import { loadCorpus, type FuzzFormat, type SeedRecording } from './corpus';
import { mutate } from './mutate';
import { caseRng, type Rng } from './rng';

export interface CaseSpec {
  format: FuzzFormat;
  seed: number;
  index: number;
}

export interface BuiltCase {
  path: string;
  files: Map<string, Uint8Array>;
  recording: string;
  mutatedFile: string;
  description: string;
  /** Bytes of every file of the case (the reference for the memory bound). */
  inputBytes: number;
}

export type Stage = 'open' | 'read' | 'map';

export interface CaseOutcome {
  status: 'ok' | 'error' | 'crash';
  /** ApiError code, or the exception's name for crashes. */
  code?: string;
  stage?: Stage;
  message?: string;
  stack?: string;
}

const LIMITS: TopomapLimits = { maxWindowSeconds: 60, maxImageSize: 2048, maxRes: 256 };
/** Largest number of channels read in one window (all of them for every test recording). */
const MAX_PICKS = 512;

const corpora = new Map<FuzzFormat, SeedRecording[]>();

function corpus(format: FuzzFormat): SeedRecording[] {
  let c = corpora.get(format);
  if (!c) {
    c = loadCorpus(format);
    corpora.set(format, c);
  }
  return c;
}

function weighted<T extends { weight: number }>(rng: Rng, items: readonly T[]): T {
  const total = items.reduce((s, x) => s + x.weight, 0);
  let r = rng.next() * total;
  for (const x of items) {
    r -= x.weight;
    if (r < 0) return x;
  }
  return items[items.length - 1] as T;
}

/** The files of case (format, seed, index): always the same for the same triple. */
export function buildCase(spec: CaseSpec): BuiltCase {
  const rng = caseRng(spec.seed, spec.format, spec.index);
  const seed = weighted(rng, corpus(spec.format));
  const file = weighted(rng, seed.mutable);
  const { bytes, description } = mutate(rng, file.target);
  const files = new Map(seed.files).set(file.path, bytes);
  let inputBytes = 0;
  for (const b of files.values()) inputBytes += b.length;
  return { path: seed.path, files, recording: seed.name, mutatedFile: file.path, description, inputBytes };
}

/** A map query over a short window at the start of the recording (the kinds viewers ask for). */
function mapQuery(index: number, recordingStart: number) {
  const t0 = Number.isFinite(recordingStart) ? recordingStart : 0;
  const window = { tmin: String(t0), tmax: String(t0 + 0.02) };
  const variants = [
    window,
    { ...window, metric: 'rms' },
    { t: String(t0) },
    { ...window, interp: 'linear', extrapolate: 'head' },
  ];
  return topomapQuerySchema.parse({ format: 'json', res: '16', ...variants[index % variants.length] });
}

async function readWindows(opened: Awaited<ReturnType<typeof openForHandler>>): Promise<void> {
  const { info, recording } = opened;
  const picks = info.channels.map((_, i) => i).slice(0, MAX_PICKS);
  const n = info.nSamples;
  const windows: [number, number][] = [
    [0, Math.min(n, 64)],
    [Math.floor(n / 2), Math.min(n, Math.floor(n / 2) + 32)],
    [Math.max(0, n - 16), n],
  ];
  for (const [start, stop] of windows) {
    if (stop > start) await recording.readWindow(picks, start, stop);
  }
}

function classify(error: unknown, stage: Stage): CaseOutcome {
  if (isApiError(error)) return { status: 'error', code: error.code, stage };
  const e = error instanceof Error ? error : new Error(String(error));
  return { status: 'crash', code: e.name, stage, message: e.message, stack: e.stack };
}

/** Opens, reads and maps the case's recording; never throws. */
export async function runCase(built: BuiltCase, index: number): Promise<CaseOutcome> {
  const identity = { path: built.path, size: built.inputBytes, mtimeMs: index };
  let stage: Stage = 'open';
  try {
    const opened = await openForHandler(built.path, { fs: memoryFs(built.files), identity });
    try {
      // Events are read when first asked for (EDF+ annotations), not by the open: fuzzed as part of it.
      await opened.readEvents();
      stage = 'read';
      await readWindows(opened);
      stage = 'map';
      const query = mapQuery(index, opened.info.tmin);
      await computeMap(opened, query, LIMITS);
    } finally {
      await opened.recording.close();
    }
    return { status: 'ok' };
  } catch (error) {
    return classify(error, stage);
  }
}
