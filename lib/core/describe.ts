/** A recording's description for `GET /ephys/{id}` and `loris-ephys info` (pure). */
import type { FileUnits, RecordingInfo } from '../readers/types';

export interface RecordingDescription {
  format: string;
  kind: string;
  sfreq: number;
  nSamples: number;
  durationSeconds: number;
  firstSample: number;
  tmin: number;
  channelCount: number;
  channelCounts: Record<string, number>;
  bads: string[];
  excluded: { name: string; reason: string }[];
  eventCount: number;
  hasDevHeadTransform: boolean;
  positionSource: string;
  /** When the file's positions had no unit: the unit inferred (EEGLAB chanlocs). */
  fileUnits?: FileUnits;
}

export function describeRecording(
  info: RecordingInfo,
  positionSource: string,
  eventCount: number,
): RecordingDescription {
  const channelCounts: Record<string, number> = {};
  for (const c of info.channels) channelCounts[c.type] = (channelCounts[c.type] ?? 0) + 1;
  return {
    format: info.format,
    kind: info.kind,
    sfreq: info.sfreq,
    nSamples: info.nSamples,
    durationSeconds: info.sfreq > 0 ? info.nSamples / info.sfreq : 0,
    firstSample: info.firstSample,
    tmin: info.tmin,
    channelCount: info.channels.length,
    channelCounts,
    bads: info.bads,
    excluded: info.excluded,
    eventCount,
    hasDevHeadTransform: info.devHeadT !== null,
    positionSource,
    ...(info.fileUnits ? { fileUnits: info.fileUnits } : {}),
  };
}
