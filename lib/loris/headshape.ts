/**
 * The CTF head shape LORIS stores for a MEG recording: physiological_file.HeadShapeFileID →
 * meg_ctf_head_shape_file → meg_ctf_head_shape_point (CTF head coordinates, centimetres).
 */
import { z } from 'zod';
import { parseRows, type Db } from './db';

export interface StoredHeadShape {
  /** meg_ctf_head_shape_file.Path, relative to dataDirBasepath (untrusted). */
  path: string;
  unit: 'cm';
  points: { name: string; x: number; y: number; z: number }[];
}

export const MAX_HEAD_SHAPE_POINTS = 100000;

const FILE_SQL = `SELECT hf.ID, hf.Path FROM physiological_file f
  JOIN meg_ctf_head_shape_file hf ON hf.ID = f.HeadShapeFileID
  WHERE f.PhysiologicalFileID = ?`;
const POINTS_SQL = `SELECT Name, X, Y, Z FROM meg_ctf_head_shape_point WHERE FileID = ? ORDER BY ID LIMIT ?`;

const decimal = z.union([z.string(), z.number()]).transform(Number).pipe(z.number().finite());
const fileRow = z.object({ ID: z.number().int(), Path: z.string() });
const pointRow = z.object({ Name: z.string(), X: decimal, Y: decimal, Z: decimal });

/** The head shape of a recording, or undefined when it has none. */
export async function storedHeadShape(
  db: Db,
  fileId: number,
  maxPoints = MAX_HEAD_SHAPE_POINTS,
): Promise<StoredHeadShape | undefined> {
  const [file] = parseRows(fileRow, await db.rows(FILE_SQL, [fileId]));
  if (!file) return undefined;
  const points = parseRows(pointRow, await db.rows(POINTS_SQL, [file.ID, String(maxPoints)]));
  return {
    path: file.Path,
    unit: 'cm',
    points: points.map((p) => ({ name: p.Name, x: p.X, y: p.Y, z: p.Z })),
  };
}
