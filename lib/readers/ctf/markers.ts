/**
 * CTF events as MNE's read_raw_ctf turns them into annotations (io/ctf/markers.py, info.py): `MarkerFile.mrk`
 * markers (trial number + time from the sync point) and `bad.segments` (named "bad_<first field>"), sorted by
 * onset then duration and cropped to the recording as `raw.set_annotations` does.
 */
import { unreadableRecording } from '../../core/errors';
import { LIMITS, type RecordingEvent } from '../types';

export interface TrialTiming {
  sfreq: number;
  /** Samples per trial. */
  nSamp: number;
  preTrigPts: number;
  /** Samples in the recording (crop limit). */
  nSamples: number;
}

interface Annotation {
  onset: number;
  duration: number;
  description: string;
}

/** A cursor over lines that fails (instead of looping forever, as MNE would) when a section header is missing. */
function lineReader(text: string): { skipPast: (prefix: string) => void; next: () => string } {
  const lines = text.split('\n');
  let at = 0;
  return {
    skipPast(prefix) {
      while (at < lines.length && !(lines[at] ?? '').startsWith(prefix)) at++;
      if (at >= lines.length) throw unreadableRecording(`MarkerFile.mrk has no "${prefix}" line`);
      at++;
    },
    next() {
      if (at >= lines.length) throw unreadableRecording('MarkerFile.mrk ends early');
      return lines[at++] ?? '';
    },
  };
}

function parseCount(line: string, what: string): number {
  const n = Number(line.trim());
  if (!Number.isInteger(n) || n < 0 || n > LIMITS.maxEvents)
    throw unreadableRecording(`MarkerFile.mrk ${what} "${line.trim().slice(0, 20)}"`);
  return n;
}

/** Markers as (label, trial, seconds from the sync point), in file order. */
export function parseMarkerFile(text: string): { label: string; trial: number; time: number }[] {
  const r = lineReader(text);
  r.skipPast('NUMBER OF MARKERS:');
  const nMarkers = parseCount(r.next(), 'marker count');
  const out: { label: string; trial: number; time: number }[] = [];
  for (let m = 0; m < nMarkers; m++) {
    r.skipPast('NAME:');
    const label = r.next();
    r.skipPast('NUMBER OF SAMPLES:');
    const nSamples = parseCount(r.next(), 'sample count');
    r.skipPast('LIST OF SAMPLES:');
    r.next(); // column titles
    for (let k = 0; k < nSamples; k++) {
      const [trial, time] = r.next().trim().split(/\s+/).map(Number);
      if (!Number.isInteger(trial) || !Number.isFinite(time))
        throw unreadableRecording(`MarkerFile.mrk: bad sample line for ${label}`);
      if (out.length >= LIMITS.maxEvents) throw unreadableRecording('MarkerFile.mrk has too many markers');
      out.push({ label, trial: trial as number, time: time as number });
    }
  }
  return out;
}

function markerAnnotations(text: string | null, t: TrialTiming): Annotation[] {
  if (text === null) return [];
  const offset = t.preTrigPts / t.sfreq;
  const trialDuration = t.nSamp / t.sfreq;
  return parseMarkerFile(text).map((m) => ({
    onset: m.time + m.trial * trialDuration + offset,
    duration: 0,
    description: m.label,
  }));
}

function badSegmentAnnotations(text: string | null, t: TrialTiming): Annotation[] {
  if (text === null) return [];
  const startTime = -t.preTrigPts / t.sfreq;
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length > LIMITS.maxEvents) throw unreadableRecording('bad.segments has too many lines');
  return lines.map((line) => {
    const [name, from, to] = line.trim().split(/\s+/);
    const [start, stop] = [Number(from), Number(to)];
    if (!Number.isFinite(start) || !Number.isFinite(stop))
      throw unreadableRecording('bad.segments: bad line');
    return { onset: start - startTime, duration: stop - start, description: `bad_${name ?? ''}` };
  });
}

/** Keeps annotations that touch [0, nSamples / sfreq] and clips them to it (raw.set_annotations). */
function cropToRecording(list: Annotation[], t: TrialTiming): Annotation[] {
  const tmax = t.nSamples / t.sfreq;
  return list
    .filter((a) => a.onset <= tmax && a.onset + a.duration >= 0)
    .map((a) => {
      const onset = Math.max(a.onset, 0);
      const end = Math.min(a.onset + a.duration, tmax);
      return {
        ...a,
        onset,
        duration: onset === a.onset && end === a.onset + a.duration ? a.duration : end - onset,
      };
    });
}

/** Events from the two files (either may be absent), as MNE's raw.annotations lists them. */
export function ctfEvents(
  markerText: string | null,
  badSegmentsText: string | null,
  t: TrialTiming,
): RecordingEvent[] {
  const all = [...badSegmentAnnotations(badSegmentsText, t), ...markerAnnotations(markerText, t)]
    .map((a, i) => ({ ...a, i }))
    .sort((x, y) => x.onset - y.onset || x.duration - y.duration || x.i - y.i);
  return cropToRecording(all, t).map((a) => ({
    onset: a.onset,
    duration: a.duration,
    type: 'annotation',
    value: a.description,
  }));
}
