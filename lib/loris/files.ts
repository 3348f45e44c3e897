/**
 * One `physiological_file` with what access and description need: its session (site, project, visit, active),
 * candidate, modality, output type; and whether the `electrophysiology_browser` module is active.
 */
import { z } from 'zod';
import { parseRows, type Db } from './db';

export interface PhysiologicalFileRecord {
  id: number;
  /** Relative to dataDirBasepath; for CTF a `.ds` directory. Untrusted until resolved. */
  filePath: string;
  fileType: string | null;
  modality: string | null;
  outputType: string | null;
  headShapeFileId: number | null;
  parentId: number | null;
  session: {
    id: number;
    visitLabel: string;
    active: boolean;
    site: { id: number; name: string | null };
    project: { id: number; name: string | null };
  };
  candidate: { candId: number | null; pscid: string | null; active: boolean };
}

const FILE_SQL = `SELECT f.PhysiologicalFileID, f.FilePath, f.FileType, f.HeadShapeFileID, f.ParentID,
    pm.PhysiologicalModality, pot.OutputTypeName,
    s.ID AS SessionID, s.Visit_label, s.Active AS SessionActive, s.CenterID, s.ProjectID,
    psc.Name AS SiteName, p.Name AS ProjectName,
    c.CandID, c.PSCID, c.Active AS CandidateActive
  FROM physiological_file f
  JOIN session s ON s.ID = f.SessionID
  LEFT JOIN candidate c ON c.ID = s.CandidateID
  LEFT JOIN psc ON psc.CenterID = s.CenterID
  LEFT JOIN Project p ON p.ProjectID = s.ProjectID
  LEFT JOIN physiological_modality pm ON pm.PhysiologicalModalityID = f.PhysiologicalModalityID
  LEFT JOIN physiological_output_type pot ON pot.PhysiologicalOutputTypeID = f.PhysiologicalOutputTypeID
  WHERE f.PhysiologicalFileID = ?`;

const id = z.number().int().nonnegative();
const fileRow = z.object({
  PhysiologicalFileID: id,
  FilePath: z.string(),
  FileType: z.string().nullable(),
  HeadShapeFileID: id.nullable(),
  ParentID: id.nullable(),
  PhysiologicalModality: z.string().nullable(),
  OutputTypeName: z.string().nullable(),
  SessionID: id,
  Visit_label: z.string(),
  SessionActive: z.string(),
  CenterID: id,
  ProjectID: id,
  SiteName: z.string().nullable(),
  ProjectName: z.string().nullable(),
  CandID: id.nullable(),
  PSCID: z.string().nullable(),
  CandidateActive: z.string().nullable(),
});

export async function findPhysiologicalFile(
  db: Db,
  fileId: number,
): Promise<PhysiologicalFileRecord | undefined> {
  const [row] = parseRows(fileRow, await db.rows(FILE_SQL, [fileId]));
  if (!row) return undefined;
  return {
    id: row.PhysiologicalFileID,
    filePath: row.FilePath,
    fileType: row.FileType,
    modality: row.PhysiologicalModality,
    outputType: row.OutputTypeName,
    headShapeFileId: row.HeadShapeFileID,
    parentId: row.ParentID,
    session: {
      id: row.SessionID,
      visitLabel: row.Visit_label,
      active: row.SessionActive === 'Y',
      site: { id: row.CenterID, name: row.SiteName },
      project: { id: row.ProjectID, name: row.ProjectName },
    },
    candidate: { candId: row.CandID, pscid: row.PSCID, active: row.CandidateActive === 'Y' },
  };
}

export const EPHYS_MODULE = 'electrophysiology_browser';

/** modules.Active for a module; a missing row counts as inactive. */
export async function isModuleActive(db: Db, name: string = EPHYS_MODULE): Promise<boolean> {
  const rows = parseRows(
    z.object({ Active: z.string() }),
    await db.rows('SELECT Active FROM modules WHERE Name = ?', [name]),
  );
  return rows[0]?.Active === 'Y';
}
