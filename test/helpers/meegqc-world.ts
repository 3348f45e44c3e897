/**
 * MEEGqc fixtures on top of the access world: the MEEGqc/BIDS tables (test/sql/meegqc-schema.sql, or the older
 * single table), real report files (HTML, TSV, JSON, PNG, a larger binary) under the temporary data directory,
 * linked to recordings as LORIS's importer links them, and a service started in LORIS mode.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Connection, ResultSetHeader } from 'mysql2/promise';
import sharp from 'sharp';
import { startService, type AccessWorld } from './access-world';
import type { OfflineService } from './offline';
import { projectRoot } from './testdata';

/** The access world's BIDS dataset (its recordings live under it). */
export const DATASET = 'bids_imports/ds';

export type Layout = 'current' | 'legacy' | 'none';

/** Runs a schema file statement by statement (the root connection has no multipleStatements). */
export async function loadSql(root: Connection, file: string): Promise<void> {
  const text = readFileSync(join(projectRoot, 'test', 'sql', file), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n');
  for (const statement of text.split(';\n')) if (statement.trim() !== '') await root.query(statement);
}

export async function loadLayout(world: AccessWorld, layout: Layout): Promise<void> {
  if (layout === 'current') await loadSql(world.db.root, 'meegqc-schema.sql');
  if (layout === 'legacy') await loadSql(world.db.root, 'meegqc-legacy-schema.sql');
}

/** Writes a report file (text or bytes) under the data directory. */
export function writeReport(dataDir: string, relative: string, content: Buffer | string): void {
  const path = join(dataDir, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

const insert = async (root: Connection, sql: string, params: (string | number)[]): Promise<number> => {
  const [result] = await root.execute<ResultSetHeader>(sql, params);
  return result.insertId;
};

export interface ReportSeed {
  /** Relative to the dataset folder (current layout) — e.g. derivatives/MEEGqc/reports/x.html. */
  path: string;
  category: string;
  /** Recordings it is linked to. */
  recordings: number[];
  /** Written under the data directory unless false (a row whose file is missing or planted otherwise). */
  content?: Buffer | string | false;
}

export interface Seeded extends ReportSeed {
  id: number;
  hash: string;
}

/** Seeds reports in the current layout (bids_dataset + bids_file + meegqc_file + meegqc_file_acquisition). */
export async function seedCurrent(world: AccessWorld, reports: ReportSeed[]): Promise<Seeded[]> {
  const root = world.db.root;
  await root.execute('INSERT IGNORE INTO bids_dataset (Path) VALUES (?)', [DATASET]);
  const [rows] = await root.query('SELECT ID FROM bids_dataset WHERE Path = ?', [DATASET]);
  const datasetId = (rows as { ID: number }[])[0]?.ID ?? 0;
  const seeded: Seeded[] = [];
  for (const report of reports) {
    if (report.content !== false)
      writeReport(world.dataDir, join(DATASET, report.path), report.content ?? '');
    const hash = randomBytes(64).toString('hex');
    const bidsFile = await insert(
      root,
      'INSERT INTO bids_file (DatasetID, Path, Blake2bHash, Derivative) VALUES (?, ?, ?, 1)',
      [datasetId, report.path, hash],
    );
    const id = await insert(root, 'INSERT INTO meegqc_file (BidsFileID, Category) VALUES (?, ?)', [
      bidsFile,
      report.category,
    ]);
    for (const recording of report.recordings)
      await root.execute(
        'INSERT INTO meegqc_file_acquisition (MeegqcFileID, AcquisitionFileID) VALUES (?, ?)',
        [id, recording],
      );
    seeded.push({ ...report, id, hash });
  }
  return seeded;
}

/** Seeds reports in the older single-table layout (`path` relative to the data directory, one recording each). */
export async function seedLegacy(world: AccessWorld, reports: ReportSeed[]): Promise<Seeded[]> {
  const seeded: Seeded[] = [];
  for (const report of reports) {
    if (report.content !== false) writeReport(world.dataDir, report.path, report.content ?? '');
    const hash = randomBytes(32).toString('hex');
    const id = await insert(
      world.db.root,
      'INSERT INTO meegqc_file (AcquisitionFileID, Path, Kind, Blake2bHash) VALUES (?, ?, ?, ?)',
      [report.recordings[0] ?? 0, report.path, report.category, hash],
    );
    seeded.push({ ...report, id, hash });
  }
  return seeded;
}

export const HTML_REPORT =
  '<!doctype html><html><head><title>QC</title></head><body><h1>MEEGqc report</h1>' +
  '<script>document.title = "ran";</script></body></html>\n';
export const TSV_REPORT = 'channel\tstd\nMEG0111\t1.2e-12\nMEG0112\t3.4e-12\n';
export const JSON_REPORT = JSON.stringify({ metric: 'STD', channels: 306, bad: ['MEG0111'] });

export const pngBytes = (): Promise<Buffer> =>
  sharp({ create: { width: 8, height: 8, channels: 3, background: '#c04020' } })
    .png()
    .toBuffer();

/** Plants a symlink under the data directory pointing at `target` (outside it). */
export function plantSymlink(world: AccessWorld, relative: string, target: string): void {
  const path = join(world.dataDir, relative);
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path);
}

export async function startLorisService(
  world: AccessWorld,
  extra: Record<string, string> = {},
): Promise<OfflineService> {
  return startService({
    LORIS_EPHYS_MODE: 'loris',
    ...world.db.env(),
    LORIS_EPHYS_LOG_LEVEL: 'info',
    ...extra,
  });
}
