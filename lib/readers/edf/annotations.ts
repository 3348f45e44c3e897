/**
 * EDF+/BDF+ annotations (MNE 1.3 `_read_annotations_edf`): the bytes of the annotation signals, decoded as strict
 * UTF-8, are scanned for TALs `+onset[\x15duration]\x14text\x14...\x14\x00`. The first TAL's empty text marks the
 * time-keeping entry, whose onset is subtracted from the later ones.
 */
import { unreadableRecording } from '../../core/errors';
import { LIMITS, type RecordingEvent } from '../types';

// MNE's pattern `([+-]\d+\.?\d*)(\x15(\d+\.?\d*))?(\x14.*?)\x14\x00` with Python semantics (`.` excludes only
// "\n"), its numbers written without ambiguous backtracking (same matches). Digits are ASCII here (Python also
// takes other Unicode decimal digits, which EDF+ does not allow).
// eslint-disable-next-line no-control-regex -- the TAL separators are control characters
const TAL = /([+-]\d+(?:\.\d*)?)(\x15(\d+(?:\.\d*)?))?(\x14[^\n]*?)\x14\0/g;
const TERMINATOR = '\x14\x00';

/**
 * MNE's matches, found in linear time: a match never spans a "\n" and ends with "\x14\x00", so each line is cut
 * after its last terminator, where every match attempt that reaches the text part succeeds.
 */
function* talMatches(text: string): Generator<RegExpMatchArray> {
  for (const line of text.split('\n')) {
    const end = line.lastIndexOf(TERMINATOR);
    if (end >= 0) yield* line.slice(0, end + TERMINATOR.length).matchAll(TAL);
  }
}

export function decodeTals(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw unreadableRecording('an EDF annotation signal holds bytes that are not UTF-8');
  }
}

/** Annotations as MNE reads them, before they are attached to the recording (no sorting or cropping). */
export function parseTals(text: string): RecordingEvent[] {
  const events: RecordingEvent[] = [];
  let offset = 0;
  let k = 0;
  for (const match of talMatches(text)) {
    const onset = Number(match[1]) + offset;
    const duration = match[3] ? Number(match[3]) : 0;
    const texts = (match[4] ?? '').split('\x14').slice(1);
    for (const description of texts) {
      if (description) {
        if (events.length >= LIMITS.maxEvents) throw unreadableRecording('too many EDF annotations');
        events.push({ onset, duration, type: 'annotation', value: description });
      } else if (k === 0) {
        offset = -onset;
      }
    }
    k++;
  }
  return events;
}
