/**
 * Cross-checks of a BIDS recording against its sidecars, as read from the scratch copy: `channels.tsv` (names and
 * count), `electrodes.tsv` (names, a subset of the channels), `events.tsv` (onsets numeric) and the `*_<suffix>.json`
 * sidecar (`SamplingFrequency`, channel counts). Sidecars are found in the recording's own folder, the one whose
 * entities all apply to the recording and are the most specific (BIDS inheritance within the folder).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { quoteValue } from '../../core/errors';
import type { RecordingInfo } from '../../readers';
import { isDecimalLiteral } from '../../readers/eeg-shared/decimal';
import { LIMITS } from '../../readers/types';
import { entitiesApply, parseBidsName, type BidsName } from './bids-names';
import type { ReportBuilder } from './report';

/** A sidecar larger than this is not read (its recording's check says so). */
export const MAX_SIDECAR_BYTES = 32 * 1024 * 1024;
/** Names listed in a message, at most. */
const MAX_LISTED = 10;

export interface RecordingFiles {
  /** Archive-relative path of the recording. */
  path: string;
  name: BidsName;
  /** Archive-relative paths of the other files in its folder. */
  siblings: readonly string[];
}

interface Context {
  scratch: string;
  report: ReportBuilder;
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** The most specific sidecar of `suffix`/`extension` applying to the recording, or undefined. */
export function findSidecar(
  files: RecordingFiles,
  suffix: string,
  extension: string,
  ignore: readonly string[] = [],
): string | undefined {
  let best: { path: string; entities: number } | undefined;
  for (const path of files.siblings) {
    const name = parseBidsName(baseName(path));
    if (name.suffix !== suffix || name.extension !== extension) continue;
    if (!entitiesApply(name, files.name, ignore)) continue;
    if (!best || name.entities.size > best.entities) best = { path, entities: name.entities.size };
  }
  return best?.path;
}

/** The sidecar's text, or undefined (reported) when it is too large or unreadable. */
async function readSidecar(ctx: Context, path: string): Promise<string | undefined> {
  const file = join(ctx.scratch, ...path.split('/'));
  try {
    const { size } = await stat(file);
    if (size > MAX_SIDECAR_BYTES) {
      ctx.report.error(
        path,
        'sidecar_too_large',
        `${baseName(path)} is ${size} bytes, over ${MAX_SIDECAR_BYTES}`,
      );
      return undefined;
    }
    return await readFile(file, 'utf8');
  } catch {
    ctx.report.error(path, 'sidecar_unreadable', `${baseName(path)} could not be read from the archive`);
    return undefined;
  }
}

interface Table {
  columns: string[];
  /** Rows with their 1-based line numbers. */
  rows: { line: number; cells: string[] }[];
}

/** A TSV file: header row, then rows (blank lines skipped), at most LIMITS.maxEvents rows. */
function parseTsv(text: string): Table {
  const lines = text.split('\n');
  const columns = (lines[0] ?? '').replace(/\r$/, '').split('\t');
  const rows: Table['rows'] = [];
  for (let i = 1; i < lines.length && rows.length < LIMITS.maxEvents; i += 1) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    if (line.trim() !== '') rows.push({ line: i + 1, cells: line.split('\t') });
  }
  return { columns, rows };
}

/** The values of one column (by header name), or undefined when the column is absent. */
function column(table: Table, name: string): string[] | undefined {
  const index = table.columns.indexOf(name);
  return index < 0 ? undefined : table.rows.map((r) => r.cells[index] ?? '');
}

const listNames = (names: readonly string[]): string =>
  names
    .slice(0, MAX_LISTED)
    .map((n) => quoteValue(n, 40))
    .join(', ') + (names.length > MAX_LISTED ? ` and ${names.length - MAX_LISTED} more` : '');

/** The names a recording offers: its channels, and those a reader set aside (e.g. another sampling rate). */
export const recordingChannelNames = (info: RecordingInfo): string[] => [
  ...info.channels.map((c) => c.name),
  ...info.excluded.map((e) => e.name),
];

export async function checkChannelsTsv(
  ctx: Context,
  files: RecordingFiles,
  info: RecordingInfo,
): Promise<void> {
  const path = findSidecar(files, 'channels', '.tsv');
  if (!path) {
    ctx.report.warning(
      files.path,
      'missing_channels_tsv',
      `no channels.tsv applies to ${baseName(files.path)}`,
    );
    return;
  }
  const text = await readSidecar(ctx, path);
  if (text === undefined) return;
  const names = column(parseTsv(text), 'name');
  if (!names) {
    ctx.report.error(path, 'invalid_channels_tsv', `${baseName(path)} has no "name" column`);
    return;
  }
  const inFile = recordingChannelNames(info);
  if (names.length !== inFile.length) {
    ctx.report.error(
      path,
      'channel_count_mismatch',
      `${baseName(path)} lists ${names.length} channels, ${baseName(files.path)} has ${inFile.length}`,
    );
  }
  const listed = new Set(names);
  const present = new Set(inFile);
  const missing = inFile.filter((n) => !listed.has(n));
  const extra = names.filter((n) => !present.has(n));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length > 0 ? `not listed: ${listNames(missing)}` : '',
      extra.length > 0 ? `not in the recording: ${listNames(extra)}` : '',
    ].filter((p) => p !== '');
    ctx.report.error(
      path,
      'channel_name_mismatch',
      `${baseName(path)} and ${baseName(files.path)} differ (${parts.join('; ')})`,
    );
  }
}

export async function checkElectrodesTsv(
  ctx: Context,
  files: RecordingFiles,
  info: RecordingInfo,
): Promise<void> {
  // electrodes.tsv carries no task/run entities; `space` names its coordinate system, not a recording.
  const path = findSidecar(files, 'electrodes', '.tsv', ['space']);
  if (!path) return;
  const text = await readSidecar(ctx, path);
  if (text === undefined) return;
  const names = column(parseTsv(text), 'name');
  if (!names) {
    ctx.report.error(path, 'invalid_electrodes_tsv', `${baseName(path)} has no "name" column`);
    return;
  }
  const channels = new Set(recordingChannelNames(info));
  const strangers = names.filter((n) => !channels.has(n));
  if (strangers.length > 0) {
    ctx.report.warning(
      path,
      'electrode_not_a_channel',
      `${baseName(path)} has electrodes that are no channel of ${baseName(files.path)}: ${listNames(strangers)}`,
    );
  }
}

const isNumber = (text: string): boolean => isDecimalLiteral(text.trim());

export async function checkEventsTsv(ctx: Context, files: RecordingFiles): Promise<void> {
  const path = findSidecar(files, 'events', '.tsv');
  if (!path) return;
  const text = await readSidecar(ctx, path);
  if (text === undefined) return;
  const table = parseTsv(text);
  const onsets = column(table, 'onset');
  const durations = column(table, 'duration');
  if (!onsets || !durations) {
    ctx.report.error(
      path,
      'invalid_events_tsv',
      `${baseName(path)} must have "onset" and "duration" columns`,
    );
    return;
  }
  const bad = table.rows.filter(
    (_row, i) => !isNumber(onsets[i] ?? '') || !(isNumber(durations[i] ?? '') || durations[i] === 'n/a'),
  );
  const first = bad[0];
  if (first) {
    ctx.report.error(
      path,
      'invalid_events_tsv',
      `${baseName(path)}: ${bad.length} rows with an onset or duration that is not a number (first at line ${first.line})`,
    );
  }
}

/** Sidecar channel-count fields and the channel types they count. */
const COUNT_FIELDS: Record<string, readonly string[]> = {
  EEGChannelCount: ['eeg'],
  MEGChannelCount: ['mag', 'grad'],
  ECOGChannelCount: ['ecog'],
  SEEGChannelCount: ['seeg'],
};

/** Two sampling rates agree when within a millionth (sidecars often round, e.g. 600.614990234375 → 600.615). */
const sameRate = (a: number, b: number): boolean =>
  Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b), 1);

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export async function checkSidecarJson(
  ctx: Context,
  files: RecordingFiles,
  info: RecordingInfo,
): Promise<void> {
  const path = findSidecar(files, files.name.suffix, '.json');
  if (!path) {
    ctx.report.warning(
      files.path,
      'missing_sidecar',
      `no _${files.name.suffix}.json applies to ${baseName(files.path)}`,
    );
    return;
  }
  const text = await readSidecar(ctx, path);
  if (text === undefined) return;
  const json = parseJsonObject(text);
  if (!json) {
    ctx.report.error(path, 'invalid_sidecar', `${baseName(path)} is not a JSON object`);
    return;
  }
  const rate = json.SamplingFrequency;
  if (typeof rate !== 'number') {
    ctx.report.warning(path, 'invalid_sidecar', `${baseName(path)} has no numeric SamplingFrequency`);
  } else if (!sameRate(rate, info.sfreq)) {
    ctx.report.error(
      path,
      'sampling_rate_mismatch',
      `${baseName(path)} says ${rate} Hz, ${baseName(files.path)} is sampled at ${info.sfreq} Hz`,
    );
  }
  for (const [field, types] of Object.entries(COUNT_FIELDS)) {
    const declared = json[field];
    if (declared === undefined) continue;
    const actual = info.channels.filter((c) => types.includes(c.type)).length;
    if (declared !== actual) {
      ctx.report.error(
        path,
        'sidecar_channel_count_mismatch',
        `${baseName(path)} says ${field} ${quoteValue(String(declared), 40)}, ${baseName(files.path)} has ${actual}`,
      );
    }
  }
}
