/** Loads the MNE golden files of test/golden/eeg and compares sample windows and events with them. */
import { readFileSync, readdirSync } from 'node:fs';
import { goldenPath } from '../../helpers/testdata';
import type { RecordingEvent } from '../../../lib/readers/types';

export interface GoldenWindow {
  start: number;
  stop: number;
  data: number[][];
}

export interface GoldenAnnotation {
  onset: number;
  duration: number;
  description: string;
}

export interface EegGolden {
  source: string;
  ch_names: string[];
  types: string[];
  sfreq: number;
  n_times: number;
  fiff_units: number[];
  orig_units: string[];
  annotations: GoldenAnnotation[];
  /** MNE's info['meas_date'] as ISO 8601 with microseconds, or null. */
  meas_date: string | null;
  picks: number[];
  windows: GoldenWindow[];
  samples_per_record?: number[];
  record_samples?: number;
  n_records?: number;
  loc?: (number | null)[][];
  dig?: { kind: number; ident: number; r: number[] }[];
  fif?: { source: string; ch_names: string[]; windows: GoldenWindow[] };
  coordinates_section?: string;
  vhdr_text?: string;
  vmrk_text?: string;
}

export function goldenFiles(prefix: string): string[] {
  return readdirSync(goldenPath('eeg'))
    .filter((f) => f.startsWith(prefix) && f.endsWith('.json'))
    .sort();
}

export function loadGolden(file: string): EegGolden {
  return JSON.parse(readFileSync(goldenPath('eeg', file), 'utf8')) as EegGolden;
}

/** The recording path relative to the test data folder, from the golden's `source` ("edf/test.edf read by ..."). */
export function sourceFile(g: EegGolden): string {
  return g.source.split(' ')[0] ?? '';
}

/** Largest |actual − expected| relative to the window's largest |expected| (float32 precision is ~6e-8). */
export function relativeError(actual: ArrayLike<number>, expected: readonly number[]): number {
  if (actual.length !== expected.length) return Infinity;
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  let worst = 0;
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(worst, Math.abs((actual[i] ?? NaN) - (expected[i] ?? NaN)) / scale);
  return Number.isNaN(worst) ? Infinity : worst;
}

export function eventsAsMne(
  events: readonly RecordingEvent[],
  describe: (e: RecordingEvent) => string,
): GoldenAnnotation[] {
  return events.map((e) => ({ onset: e.onset, duration: e.duration, description: describe(e) }));
}

export function expectEventsEqual(actual: GoldenAnnotation[], expected: GoldenAnnotation[]): void {
  expect(actual.map((a) => a.description)).toEqual(expected.map((e) => e.description));
  actual.forEach((a, i) => {
    expect(a.onset).toBeCloseTo(expected[i]?.onset ?? NaN, 9);
    expect(a.duration).toBeCloseTo(expected[i]?.duration ?? NaN, 9);
  });
}
