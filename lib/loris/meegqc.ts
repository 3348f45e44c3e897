/**
 * MEEGqc report files of a recording, in either table layout a LORIS site may have:
 * - `current` (LORIS-MRI's newest MEEGqc module): `meegqc_file` (ID, BidsFileID, Category) linked to
 *   recordings by `meegqc_file_acquisition` (MeegqcFileID, AcquisitionFileID); the file is
 *   `bids_dataset.Path / bids_file.Path` under the data directory, its hash `bids_file.Blake2bHash`;
 * - `legacy` (the older single table): `meegqc_file` (ID, AcquisitionFileID, Path, Kind, Blake2bHash), `Path`
 *   relative to the data directory, `Kind` the category;
 * - `none`: no MEEGqc tables, so no files.
 * The layout is read from information_schema once per database pool (a failed look-up is retried next time).
 */
import { z } from 'zod';
import { parseRows, type Db } from './db';

export type MeegqcLayout = 'current' | 'legacy' | 'none';

export interface MeegqcFileRow {
  id: number;
  category: string;
  /** The file's path relative to the data directory's dataset folder ('' for the legacy layout). */
  datasetPath: string;
  /** Relative to `datasetPath` (current) or to the data directory (legacy). Untrusted until resolved. */
  filePath: string;
  blake2bHash: string | null;
}

const COLUMNS_SQL = `SELECT TABLE_NAME AS TableName, COLUMN_NAME AS ColumnName FROM information_schema.COLUMNS
  WHERE TABLE_SCHEMA = DATABASE()
    AND TABLE_NAME IN ('meegqc_file', 'meegqc_file_acquisition', 'bids_file', 'bids_dataset')`;

const columnRow = z.object({ TableName: z.string(), ColumnName: z.string() });

/** Which layout a set of `table.column` names describes. */
export function layoutOf(columns: ReadonlySet<string>): MeegqcLayout {
  const has = (...names: string[]) => names.every((n) => columns.has(n));
  if (
    has('meegqc_file.ID', 'meegqc_file.BidsFileID', 'meegqc_file.Category') &&
    has('meegqc_file_acquisition.MeegqcFileID', 'meegqc_file_acquisition.AcquisitionFileID') &&
    has('bids_file.ID', 'bids_file.DatasetID', 'bids_file.Path', 'bids_file.Blake2bHash') &&
    has('bids_dataset.ID', 'bids_dataset.Path')
  )
    return 'current';
  if (
    has('meegqc_file.ID', 'meegqc_file.AcquisitionFileID', 'meegqc_file.Path', 'meegqc_file.Kind') &&
    has('meegqc_file.Blake2bHash')
  )
    return 'legacy';
  return 'none';
}

const layouts = new WeakMap<Db, Promise<MeegqcLayout>>();

/** The layout of this database, looked up once (per pool). */
export function meegqcLayout(db: Db): Promise<MeegqcLayout> {
  let layout = layouts.get(db);
  if (!layout) {
    layout = db.rows(COLUMNS_SQL, []).then((rows) => {
      const columns = new Set(parseRows(columnRow, rows).map((r) => `${r.TableName}.${r.ColumnName}`));
      return layoutOf(columns);
    });
    layouts.set(db, layout);
    layout.catch(() => layouts.delete(db));
  }
  return layout;
}

const CURRENT_SELECT = `SELECT mf.ID, mf.Category, bd.Path AS DatasetPath, bf.Path AS FilePath, bf.Blake2bHash
  FROM meegqc_file mf
  JOIN meegqc_file_acquisition mfa ON mfa.MeegqcFileID = mf.ID
  JOIN bids_file bf ON bf.ID = mf.BidsFileID
  JOIN bids_dataset bd ON bd.ID = bf.DatasetID
  WHERE mfa.AcquisitionFileID = ?`;
const CURRENT_ORDER = ' ORDER BY mf.Category, bf.Path, mf.ID';

const LEGACY_SELECT = `SELECT ID, Kind AS Category, '' AS DatasetPath, Path AS FilePath, Blake2bHash
  FROM meegqc_file WHERE AcquisitionFileID = ?`;
const LEGACY_ORDER = ' ORDER BY Kind, Path, ID';

/** Every statement this file runs, by layout and filter (fixed strings: only values are parameters). */
const STATEMENTS = {
  current: {
    all: CURRENT_SELECT + CURRENT_ORDER,
    category: `${CURRENT_SELECT} AND mf.Category = ?${CURRENT_ORDER}`,
    one: `${CURRENT_SELECT} AND mf.ID = ?`,
  },
  legacy: {
    all: LEGACY_SELECT + LEGACY_ORDER,
    category: `${LEGACY_SELECT} AND Kind = ?${LEGACY_ORDER}`,
    one: `${LEGACY_SELECT} AND ID = ?`,
  },
} as const;

const id = z.number().int().nonnegative();
const fileRow = z.object({
  ID: id,
  Category: z.string().nullable(),
  DatasetPath: z.string().nullable(),
  FilePath: z.string(),
  Blake2bHash: z.string().nullable(),
});

const toRecord = (row: z.infer<typeof fileRow>): MeegqcFileRow => ({
  id: row.ID,
  category: row.Category ?? '',
  datasetPath: row.DatasetPath ?? '',
  filePath: row.FilePath,
  blake2bHash: row.Blake2bHash,
});

export type MeegqcFilter =
  { kind: 'all' } | { kind: 'category'; category: string } | { kind: 'one'; id: number };

/**
 * The MEEGqc files linked to recording `physioFileId` (ordered by category, then path), optionally one category
 * or one file. A site without the tables has none.
 */
export async function meegqcFiles(
  db: Db,
  physioFileId: number,
  filter: MeegqcFilter = { kind: 'all' },
): Promise<MeegqcFileRow[]> {
  const layout = await meegqcLayout(db);
  if (layout === 'none') return [];
  const statements = STATEMENTS[layout];
  const [sql, params] =
    filter.kind === 'all'
      ? [statements.all, [physioFileId]]
      : filter.kind === 'category'
        ? [statements.category, [physioFileId, filter.category]]
        : [statements.one, [physioFileId, filter.id]];
  return parseRows(fileRow, await db.rows(sql, params)).map(toRecord);
}
