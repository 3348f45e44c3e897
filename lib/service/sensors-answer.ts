/**
 * The sensors route's answer as JSON bytes, kept per opened recording and query: the answer depends on nothing
 * else, and serialising it (275 MEG sensors with coils and orientations) was most of the route's CPU under load.
 * Held weakly by the opened recording's info, so an answer goes when its recording is reopened (files or what
 * LORIS knows about them changed) or evicted; at most MAX_QUERIES answers per recording.
 */
import { JSON_TYPE, type BinaryResult } from '../core/http';
import { sensorsResponse, type Frame } from '../core/sensors';
import type { OpenedRecording } from './open-recording';

const MAX_QUERIES = 8;
const answers = new WeakMap<object, Map<string, Uint8Array>>();

export interface SensorsQuery {
  frame: Frame;
  types?: readonly string[];
}

/** JSON bytes of sensorsResponse for this recording and query, serialised once. */
export function sensorsJson(opened: OpenedRecording, query: SensorsQuery): Uint8Array {
  const key = JSON.stringify([query.frame, query.types ?? null, opened.positionSource]);
  let kept = answers.get(opened.info);
  const hit = kept?.get(key);
  if (hit) return hit;
  const bytes = Buffer.from(
    JSON.stringify(
      sensorsResponse(opened.info, {
        frame: query.frame,
        types: query.types,
        positionSource: opened.positionSource,
      }),
    ),
  );
  if (!kept) answers.set(opened.info, (kept = new Map()));
  if (kept.size >= MAX_QUERIES) kept.clear();
  kept.set(key, bytes);
  return bytes;
}

/** The answer as a buffered JSON result with the route's cache headers. */
export const sensorsResult = (bytes: Uint8Array, headers: Record<string, string>): BinaryResult => ({
  kind: 'binary',
  contentType: JSON_TYPE,
  body: bytes,
  headers,
});
