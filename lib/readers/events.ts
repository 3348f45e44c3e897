/** The two ways a reader answers Recording.readEvents: events it has from the open, or events read on demand. */
import type { RecordingEvent } from './types';

/** Events known at open: the same resolved promise on every call. */
export function eventsKnown(events: RecordingEvent[]): () => Promise<RecordingEvent[]> {
  const known = Promise.resolve(events);
  return () => known;
}

/** Events read on the first call only; that promise (resolved or rejected) is returned on every later call. */
export function eventsOnDemand(read: () => Promise<RecordingEvent[]>): () => Promise<RecordingEvent[]> {
  let pending: Promise<RecordingEvent[]> | undefined;
  return () => (pending ??= read());
}
