/** Task events LORIS stores for a recording (physiological_task_event, from its BIDS events.tsv). */
import { z } from 'zod';
import { parseRows, type Db } from './db';

export interface StoredEvent {
  /** Seconds (DECIMAL(11,6) in LORIS). */
  onset: number;
  duration: number;
  eventType: string | null;
  eventValue: string | null;
  trialType: string | null;
  eventSample: number | null;
}

export const MAX_STORED_EVENTS = 100000;

const EVENTS_SQL = `SELECT Onset, Duration, EventType, EventValue, TrialType, EventSample
  FROM physiological_task_event
  WHERE PhysiologicalFileID = ?
  ORDER BY Onset, PhysiologicalTaskEventID
  LIMIT ?`;

/** DECIMAL columns arrive as strings (exact); they become numbers here. */
const decimal = z.union([z.string(), z.number()]).transform(Number).pipe(z.number().finite());
const eventRow = z.object({
  Onset: decimal,
  Duration: decimal,
  EventType: z.string().nullable(),
  EventValue: z.string().nullable(),
  TrialType: z.string().nullable(),
  EventSample: z.number().nullable(),
});

export async function storedEvents(
  db: Db,
  fileId: number,
  maxEvents = MAX_STORED_EVENTS,
): Promise<StoredEvent[]> {
  const rows = parseRows(eventRow, await db.rows(EVENTS_SQL, [fileId, String(maxEvents)]));
  return rows.map((r) => ({
    onset: r.Onset,
    duration: r.Duration,
    eventType: r.EventType,
    eventValue: r.EventValue,
    trialType: r.TrialType,
    eventSample: r.EventSample,
  }));
}
