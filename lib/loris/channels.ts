/** Channels LORIS registered for a recording (from its BIDS channels.tsv): name, type, status. */
import { z } from 'zod';
import { parseRows, type Db } from './db';

export interface StoredChannel {
  name: string;
  /** physiological_channel_type.ChannelTypeName, e.g. 'EEG', 'MEGGRADAXIAL'. */
  type: string | null;
  /** physiological_status_type.ChannelStatus: 'good', 'bad', or null when not given. */
  status: string | null;
  statusDescription: string | null;
  samplingFrequency: number | null;
  unit: string | null;
}

export const MAX_STORED_CHANNELS = 10000;

const CHANNELS_SQL = `SELECT pc.Name, pct.ChannelTypeName, pst.ChannelStatus, pc.StatusDescription,
    pc.SamplingFrequency, pc.Unit
  FROM physiological_channel pc
  LEFT JOIN physiological_channel_type pct ON pct.PhysiologicalChannelTypeID = pc.PhysiologicalChannelTypeID
  LEFT JOIN physiological_status_type pst ON pst.PhysiologicalStatusTypeID = pc.PhysiologicalStatusTypeID
  WHERE pc.PhysiologicalFileID = ?
  ORDER BY pc.PhysiologicalChannelID
  LIMIT ?`;

const channelRow = z.object({
  Name: z.string(),
  ChannelTypeName: z.string().nullable(),
  ChannelStatus: z.string().nullable(),
  StatusDescription: z.string().nullable(),
  SamplingFrequency: z.number().nullable(),
  Unit: z.string().nullable(),
});

export async function storedChannels(
  db: Db,
  fileId: number,
  maxChannels = MAX_STORED_CHANNELS,
): Promise<StoredChannel[]> {
  const rows = parseRows(channelRow, await db.rows(CHANNELS_SQL, [fileId, String(maxChannels)]));
  return rows.map((r) => ({
    name: r.Name,
    type: r.ChannelTypeName,
    status: r.ChannelStatus,
    statusDescription: r.StatusDescription,
    samplingFrequency: r.SamplingFrequency,
    unit: r.Unit,
  }));
}
