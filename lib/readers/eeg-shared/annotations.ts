/**
 * MNE's treatment of annotations when they are attached to a raw recording (`Annotations._sort` then
 * `BaseRaw.set_annotations` → `Annotations.crop(0, n_times / sfreq)`): sorted by onset then duration, annotations
 * wholly outside the data dropped, those crossing an edge clipped, onsets rounded to the microsecond (MNE goes
 * through `datetime.timedelta`).
 */
import type { RecordingEvent } from '../types';

const toMicro = (seconds: number): number => Math.round(seconds * 1e6);

function sortLikeMne(events: readonly RecordingEvent[]): RecordingEvent[] {
  return events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.onset - b.event.onset || a.event.duration - b.event.duration || a.index - b.index)
    .map(({ event }) => event);
}

/** Sorts and crops events to [0, dataSeconds] as MNE does for annotations with no orig_time. */
export function attachToRaw(events: readonly RecordingEvent[], dataSeconds: number): RecordingEvent[] {
  const tmin = 0;
  const tmax = toMicro(dataSeconds);
  const kept: RecordingEvent[] = [];
  for (const event of sortLikeMne(events)) {
    const duration = Number.isNaN(event.duration) ? 0 : event.duration;
    let onset = toMicro(event.onset);
    let offset = onset + toMicro(duration);
    if (onset > tmax || offset < tmin) continue;
    const clipped = onset < tmin || offset > tmax;
    onset = Math.max(onset, tmin);
    offset = Math.min(offset, tmax);
    kept.push({ ...event, onset: onset / 1e6, duration: clipped ? (offset - onset) / 1e6 : duration });
  }
  return kept;
}
