/**
 * Electrode positions LORIS stores for a recording (after php/libraries/Recording.class.inc, but with LEFT
 * JOINs so electrodes whose type or material is NULL are kept), and the named landmarks/fiducials of the
 * coordinate systems those electrodes use (physiological_coord_system_point_3d_rel).
 */
import { z } from 'zod';
import { parseRows, type Db } from './db';

export interface CoordSystemRef {
  id: number;
  name: string | null;
  orientation: string | null;
  /** physiological_coord_system_type.Name, e.g. 'Fiducials'. */
  type: string | null;
}

export interface StoredPoint {
  name: string;
  x: number | null;
  y: number | null;
  z: number | null;
  /** Unit symbol ('m', 'cm', 'mm') or null when not registered. */
  unit: string | null;
  coordSystem: CoordSystemRef;
}

export interface StoredElectrode extends StoredPoint {
  electrodeType: string | null;
  material: string | null;
}

export interface StoredPositions {
  electrodes: StoredElectrode[];
  landmarks: StoredPoint[];
}

/** Electrodes beyond this are not read (a recording has at most a few thousand). */
export const MAX_STORED_POINTS = 20000;

const COORD_JOINS = `JOIN physiological_coord_system pcs ON pcs.PhysiologicalCoordSystemID = %REL%.PhysiologicalCoordSystemID
  LEFT JOIN physiological_coord_system_unit pcsu ON pcsu.PhysiologicalCoordSystemUnitID = pcs.UnitID
  LEFT JOIN physiological_coord_system_name pcsn ON pcsn.PhysiologicalCoordSystemNameID = pcs.NameID
  LEFT JOIN physiological_coord_system_type pcst ON pcst.PhysiologicalCoordSystemTypeID = pcs.TypeID`;

const COORD_COLUMNS = `pcs.PhysiologicalCoordSystemID AS CoordSystemID, pcsn.Name AS CoordSystemName,
  pcsn.Orientation, pcst.Name AS CoordSystemType, pcsu.Symbol`;

const ELECTRODES_SQL = `SELECT pe.Name, p.X, p.Y, p.Z, pet.ElectrodeType, pem.ElectrodeMaterial, ${COORD_COLUMNS}
  FROM physiological_coord_system_electrode_rel r
  JOIN physiological_electrode pe ON pe.PhysiologicalElectrodeID = r.PhysiologicalElectrodeID
  JOIN point_3d p ON p.Point3DID = pe.Point3DID
  LEFT JOIN physiological_electrode_type pet ON pet.PhysiologicalElectrodeTypeID = pe.PhysiologicalElectrodeTypeID
  LEFT JOIN physiological_electrode_material pem
    ON pem.PhysiologicalElectrodeMaterialID = pe.PhysiologicalElectrodeMaterialID
  ${COORD_JOINS.replace('%REL%', 'r')}
  WHERE r.PhysiologicalFileID = ?
  ORDER BY pe.PhysiologicalElectrodeID
  LIMIT ?`;

const LANDMARKS_SQL = `SELECT pr.Name, p.X, p.Y, p.Z, ${COORD_COLUMNS}
  FROM physiological_coord_system_point_3d_rel pr
  JOIN point_3d p ON p.Point3DID = pr.Point3DID
  ${COORD_JOINS.replace('%REL%', 'pr')}
  WHERE pr.PhysiologicalCoordSystemID IN (
    SELECT DISTINCT PhysiologicalCoordSystemID FROM physiological_coord_system_electrode_rel WHERE PhysiologicalFileID = ?)
  ORDER BY pr.PhysiologicalCoordSystemID, pr.Point3DID
  LIMIT ?`;

const coordinate = z.number().nullable();
const pointRow = z.object({
  Name: z.string().nullable(),
  X: coordinate,
  Y: coordinate,
  Z: coordinate,
  CoordSystemID: z.number().int(),
  CoordSystemName: z.string().nullable(),
  Orientation: z.string().nullable(),
  CoordSystemType: z.string().nullable(),
  Symbol: z.string().nullable(),
});
const electrodeRow = pointRow.extend({
  ElectrodeType: z.string().nullable(),
  ElectrodeMaterial: z.string().nullable(),
});

function toPoint(row: z.infer<typeof pointRow>): StoredPoint {
  return {
    name: row.Name ?? '',
    x: row.X,
    y: row.Y,
    z: row.Z,
    unit: row.Symbol,
    coordSystem: {
      id: row.CoordSystemID,
      name: row.CoordSystemName,
      orientation: row.Orientation,
      type: row.CoordSystemType,
    },
  };
}

export async function storedPositions(
  db: Db,
  fileId: number,
  maxPoints = MAX_STORED_POINTS,
): Promise<StoredPositions> {
  const limit = String(maxPoints);
  const [electrodes, landmarks] = await Promise.all([
    db.rows(ELECTRODES_SQL, [fileId, limit]),
    db.rows(LANDMARKS_SQL, [fileId, limit]),
  ]);
  return {
    electrodes: parseRows(electrodeRow, electrodes).map((row) => ({
      ...toPoint(row),
      electrodeType: row.ElectrodeType,
      material: row.ElectrodeMaterial,
    })),
    landmarks: parseRows(pointRow, landmarks).map(toPoint),
  };
}
