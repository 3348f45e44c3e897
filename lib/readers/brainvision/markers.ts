/**
 * The .vmrk marker file (MNE 1.3 `_read_mrk` and the meas_date search of `_get_hdr_info`): markers
 * `Mk<n>=<type>,<description>,<position>,<size>[,<channel>[,<date>]]` with 1-based positions.
 */
import { quoteValue, unreadableRecording } from '../../core/errors';
import { LIMITS } from '../types';
import { decodeWithCodepage } from './text';

export interface BvMarker {
  type: string;
  description: string;
  /** 0-based sample of the marker. */
  sample: number;
  /** Length in samples (0 unless the size field is all digits). */
  size: number;
}

export interface BvMarkers {
  markers: BvMarker[];
  /** Microseconds since 1970 of the first "New Segment" with a 20-digit date as 6th field (MNE's meas_date). */
  measDate: number | null;
  /** Same, from the first 5-field "New Segment" (MNE's annotation orig_time). */
  origTime: number | null;
}

// MNE's `^Mk\d+=New Segment,.*,\d+,\d+,-?\d+,(\d{20})$`, split in two so that it cannot backtrack badly.
const MEAS_DATE_PREFIX = /^Mk\d+=New Segment,/;
const MEAS_DATE_SUFFIX = /,\d+,\d+,-?\d+,(\d{20})$/;
const MARKER_LINE = /^Mk\d+=([^\n]*)/;

/** MNE's `_str_to_meas_date` for "yyyymmddhhmmssuuuuuu": microseconds since 1970, or null. */
export function parseBvDate(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{6})$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s, us] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const date = new Date(ms);
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return ms * 1000 + us;
}

function integer(text: string, what: string): number {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t))
    throw unreadableRecording(`BrainVision marker ${what} ${quoteValue(t)} is not an integer`);
  return Number(t);
}

function parseMarker(line: string): { marker: BvMarker; fields: string[] } {
  const fields = line.split(',');
  if (fields.length < 4)
    throw unreadableRecording(`BrainVision marker ${quoteValue(line.trim())} has fewer than 4 fields`);
  const [type = '', description = '', position = '', size = ''] = fields;
  return {
    marker: {
      type: type.replace(/\\1/g, ','),
      description: description.replace(/\\1/g, ','),
      sample: integer(position, 'position') - 1,
      size: /^\d+$/.test(size) ? Number(size) : 0,
    },
    fields,
  };
}

function measDate(text: string): number | null {
  for (const line of text.split(/\r\n|\r|\n/)) {
    const trimmed = line.trim();
    const prefix = MEAS_DATE_PREFIX.exec(trimmed);
    const m = prefix ? MEAS_DATE_SUFFIX.exec(trimmed.slice(prefix[0].length)) : null;
    if (m) return parseBvDate(m[1] ?? '');
  }
  return null;
}

export function parseVmrk(bytes: Uint8Array): BvMarkers {
  if (bytes.length > LIMITS.maxHeaderBytes) throw unreadableRecording('BrainVision marker file is too large');
  const text = decodeWithCodepage(bytes);
  const start = /\[Marker Infos\]/i.exec(text);
  const markers: BvMarker[] = [];
  let origTime: number | null = null;
  let origTimeSeen = false;
  if (start) {
    for (const line of text.slice(start.index + start[0].length).split('\n')) {
      const m = MARKER_LINE.exec(line);
      if (!m) continue;
      if (markers.length >= LIMITS.maxEvents) throw unreadableRecording('too many BrainVision markers');
      const { marker, fields } = parseMarker(m[1] ?? '');
      if (!origTimeSeen && fields.length === 5 && marker.type === 'New Segment') {
        const date = fields[4] ?? '';
        origTimeSeen = date !== '';
        origTime = parseBvDate(date);
      }
      markers.push(marker);
    }
  }
  return { markers, measDate: measDate(text), origTime };
}
