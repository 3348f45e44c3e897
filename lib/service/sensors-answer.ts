/**
 * The sensors route's answer as JSON text, kept per opened recording and query: the answer depends on nothing
 * else, and serialising it (275 MEG sensors with coils and orientations) was most of the route's CPU under load.
 * Held weakly by the opened recording's info, so an answer goes when its recording is reopened (files or what
 * LORIS knows about them changed) or evicted; at most MAX_QUERIES answers per recording.
 */
import { JSON_TYPE, type TextResult } from '../core/http';
import { sensorsResponse, type Frame } from '../core/sensors';
import type { OpenedRecording } from './open-recording';

// A viewer asks one or two; the bound keeps a crafted stream of `types` lists to 4 answers per recording.
const MAX_QUERIES = 4;
const answers = new WeakMap<object, Map<string, string>>();

export interface SensorsQuery {
  frame: Frame;
  types?: readonly string[];
}

/** JSON of sensorsResponse for this recording and query, serialised once. */
export function sensorsJson(opened: OpenedRecording, query: SensorsQuery): string {
  const key = JSON.stringify([query.frame, query.types ?? null, opened.positionSource]);
  let kept = answers.get(opened.info);
  const hit = kept?.get(key);
  if (hit) return hit;
  const json = JSON.stringify(
    sensorsResponse(opened.info, {
      frame: query.frame,
      types: query.types,
      positionSource: opened.positionSource,
    }),
  );
  if (!kept) answers.set(opened.info, (kept = new Map()));
  if (kept.size >= MAX_QUERIES) kept.clear();
  kept.set(key, json);
  return json;
}

/** The answer as a JSON text result (the same body a JSON result gets) with the route's cache headers. */
export const sensorsResult = (json: string, headers: Record<string, string>): TextResult => ({
  kind: 'text',
  contentType: JSON_TYPE,
  body: json,
  headers,
});
