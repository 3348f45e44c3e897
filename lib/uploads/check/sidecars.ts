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
import { entitiesApply, type BidsName } from './bids-names';
import type { ReportBuilder } from './report';

/** A sidecar larger than this is neither extracted nor read (its recording's check says so). */
export const MAX_SIDECAR_BYTES = 32 * 1024 * 1024;
/** JSON sidecars are a few KiB; JSON.parse holds several times its input, so their cap is lower. */
export const MAX_JSON_SIDECAR_BYTES = 4 * 1024 * 1024;

/** The size cap of a sidecar by its extension (`.json` or `.tsv`), else undefined (not a sidecar). */
export function sidecarCap(path: string): number | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) return MAX_JSON_SIDECAR_BYTES;
  if (lower.endsWith('.tsv')) return MAX_SIDECAR_BYTES;
  return undefined;
}
/** Names listed in a message, at most. */
const MAX_LISTED = 10;

/** A file of a recording's folder, its name parsed once. */
export interface Sibling {
  /** Archive-relative path. */
  path: string;
  name: BidsName;
}

export interface RecordingFiles {
  /** Archive-relative path of the recording. */
  path: string;
  name: BidsName;
  /** The files of its folder (itself included). */
  siblings: readonly Sibling[];
}

interface Context {
  scratch: string;
  report: ReportBuilder;
  /** Sidecars over their cap, by archive path, with their declared size: never extracted. */
  oversized: ReadonlyMap<string, number>;
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
/** A file's name for a message: archive-controlled, so quoted and shortened (quoteValue). */
const fileName = (path: string): string => quoteValue(baseName(path));

/** The most specific sidecar of `suffix`/`extension` applying to the recording, or undefined. */
export function findSidecar(
  files: RecordingFiles,
  suffix: string,
  extension: string,
  ignore: readonly string[] = [],
): string | undefined {
  let best: { path: string; entities: number } | undefined;
  for (const { path, name } of files.siblings) {
    if (name.suffix !== suffix || name.extension !== extension) continue;
    if (!entitiesApply(name, files.name, ignore)) continue;
    if (!best || name.entities.size > best.entities) best = { path, entities: name.entities.size };
  }
  return best?.path;
}

/** The sidecar's text, or undefined (reported) when it is too large or unreadable. */
async function readSidecar(ctx: Context, path: string): Promise<string | undefined> {
  const file = join(ctx.scratch, ...path.split('/'));
  const cap = sidecarCap(path) ?? MAX_SIDECAR_BYTES;
  try {
    const size = ctx.oversized.get(path) ?? (await stat(file)).size;
    if (size > cap) {
      ctx.report.error(path, 'sidecar_too_large', `${fileName(path)} is ${size} bytes, over ${cap}`);
      return undefined;
    }
    return await readFile(file, 'utf8');
  } catch {
    ctx.report.error(path, 'sidecar_unreadable', `${fileName(path)} could not be read from the archive`);
    return undefined;
  }
}

/** At most this many header cells are looked at (a header row of millions of tabs is not split). */
const MAX_TSV_COLUMNS = 10_000;

/** The line of `text` starting at `from` (without its `\r\n`/`\n`) and where the next one starts. */
function lineAt(text: string, from: number): { line: string; next: number } {
  const end = text.indexOf('\n', from);
  const stop = end < 0 ? text.length : end;
  const line = text.slice(from, stop > from && text[stop - 1] === '\r' ? stop - 1 : stop);
  return { line, next: end < 0 ? text.length + 1 : end + 1 };
}

/** Cell `index` of a tab-separated line, found by walking its tabs (the other cells are never split out). */
function cellAt(line: string, index: number): string {
  let start = 0;
  for (let i = 0; i < index; i += 1) {
    const tab = line.indexOf('\t', start);
    if (tab < 0) return '';
    start = tab + 1;
  }
  const end = line.indexOf('\t', start);
  return line.slice(start, end < 0 ? line.length : end);
}

/** The header's column names, at most MAX_TSV_COLUMNS of them. */
function headerColumns(header: string): string[] {
  const columns: string[] = [];
  let start = 0;
  while (columns.length < MAX_TSV_COLUMNS) {
    const tab = header.indexOf('\t', start);
    columns.push(header.slice(start, tab < 0 ? header.length : tab));
    if (tab < 0) break;
    start = tab + 1;
  }
  return columns;
}

/**
 * The values of the columns `names` of a TSV text (header row, then rows; blank lines skipped; at most
 * LIMITS.maxEvents rows), with each row's 1-based line number; undefined when a column is absent. Only those cells
 * are cut out of each line: memory stays proportional to what is returned, whatever the rows hold.
 */
export function tsvColumns(text: string, names: readonly string[]): TsvColumns | undefined {
  const { line: header, next } = lineAt(text, 0);
  const columns = headerColumns(header);
  const indexes = names.map((n) => columns.indexOf(n));
  if (indexes.some((i) => i < 0)) return undefined;
  const values = names.map((): string[] => []);
  const lines: number[] = [];
  for (let from = next, number = 2; from <= text.length && lines.length < LIMITS.maxEvents; number += 1) {
    const { line, next: after } = lineAt(text, from);
    from = after;
    if (line.trim() === '') continue;
    lines.push(number);
    indexes.forEach((index, k) => values[k]?.push(cellAt(line, index)));
  }
  return { values, lines };
}

export interface TsvColumns {
  /** One array per requested column, in the order asked. */
  values: string[][];
  /** The 1-based line number of each row. */
  lines: number[];
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
      `no channels.tsv applies to ${fileName(files.path)}`,
    );
    return;
  }
  const text = await readSidecar(ctx, path);
  if (text === undefined) return;
  const names = tsvColumns(text, ['name'])?.values[0];
  if (!names) {
    ctx.report.error(path, 'invalid_channels_tsv', `${fileName(path)} has no "name" column`);
    return;
  }
  const inFile = recordingChannelNames(info);
  if (names.length !== inFile.length) {
    ctx.report.error(
      path,
      'channel_count_mismatch',
      `${fileName(path)} lists ${names.length} channels, ${fileName(files.path)} has ${inFile.length}`,
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
      `${fileName(path)} and ${fileName(files.path)} differ (${parts.join('; ')})`,
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
  const names = tsvColumns(text, ['name'])?.values[0];
  if (!names) {
    ctx.report.error(path, 'invalid_electrodes_tsv', `${fileName(path)} has no "name" column`);
    return;
  }
  const channels = new Set(recordingChannelNames(info));
  const strangers = names.filter((n) => !channels.has(n));
  if (strangers.length > 0) {
    ctx.report.warning(
      path,
      'electrode_not_a_channel',
      `${fileName(path)} has electrodes that are no channel of ${fileName(files.path)}: ${listNames(strangers)}`,
    );
  }
}

const isNumber = (text: string): boolean => isDecimalLiteral(text.trim());

export async function checkEventsTsv(ctx: Context, files: RecordingFiles): Promise<void> {
  const path = findSidecar(files, 'events', '.tsv');
  if (!path) return;
  const text = await readSidecar(ctx, path);
  if (text === undefined) return;
  const table = tsvColumns(text, ['onset', 'duration']);
  const [onsets, durations] = table?.values ?? [];
  if (!table || !onsets || !durations) {
    ctx.report.error(
      path,
      'invalid_events_tsv',
      `${fileName(path)} must have "onset" and "duration" columns`,
    );
    return;
  }
  const bad = table.lines.filter(
    (_line, i) => !isNumber(onsets[i] ?? '') || !(isNumber(durations[i] ?? '') || durations[i] === 'n/a'),
  );
  const first = bad[0];
  if (first !== undefined) {
    ctx.report.error(
      path,
      'invalid_events_tsv',
      `${fileName(path)}: ${bad.length} rows with an onset or duration that is not a number (first at line ${first})`,
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
      `no ${quoteValue(`_${files.name.suffix}.json`)} applies to ${fileName(files.path)}`,
    );
    return;
  }
  const text = await readSidecar(ctx, path);
  if (text === undefined) return;
  const json = parseJsonObject(text);
  if (!json) {
    ctx.report.error(path, 'invalid_sidecar', `${fileName(path)} is not a JSON object`);
    return;
  }
  const rate = json.SamplingFrequency;
  if (typeof rate !== 'number') {
    ctx.report.warning(path, 'invalid_sidecar', `${fileName(path)} has no numeric SamplingFrequency`);
  } else if (!sameRate(rate, info.sfreq)) {
    ctx.report.error(
      path,
      'sampling_rate_mismatch',
      `${fileName(path)} says ${rate} Hz, ${fileName(files.path)} is sampled at ${info.sfreq} Hz`,
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
        `${fileName(path)} says ${field} ${quoteValue(String(declared), 40)}, ${fileName(files.path)} has ${actual}`,
      );
    }
  }
}
