/**
 * Key/value parameters LORIS stores for a recording (physiological_parameter_file joined with parameter_type
 * by Name), e.g. `fdt_file`, `SamplingFrequency`, `electrophysiology_chunked_dataset_path`.
 */
import { z } from 'zod';
import { parseRows, type Db } from './db';

const MAX_NAMES = 64;

const parameterRow = z.object({ Name: z.string(), Value: z.string().nullable() });

/** The values of the named parameters of a file (first stored value per name); absent names are left out. */
export async function fileParameters(
  db: Db,
  fileId: number,
  names: readonly string[],
): Promise<Map<string, string | null>> {
  if (names.length === 0) return new Map();
  if (names.length > MAX_NAMES) throw new RangeError(`at most ${MAX_NAMES} parameter names per query`);
  const placeholders = names.map(() => '?').join(', ');
  const sql = `SELECT pt.Name, ppf.Value FROM physiological_parameter_file ppf
    JOIN parameter_type pt ON pt.ParameterTypeID = ppf.ParameterTypeID
    WHERE ppf.PhysiologicalFileID = ? AND pt.Name IN (${placeholders})
    ORDER BY ppf.PhysiologicalParameterFileID`;
  const rows = parseRows(parameterRow, await db.rows(sql, [fileId, ...names]));
  const values = new Map<string, string | null>();
  for (const row of rows) if (!values.has(row.Name)) values.set(row.Name, row.Value);
  return values;
}

/** One parameter's value, or undefined when the file has none. */
export async function fileParameter(
  db: Db,
  fileId: number,
  name: string,
): Promise<string | null | undefined> {
  return (await fileParameters(db, fileId, [name])).get(name);
}
