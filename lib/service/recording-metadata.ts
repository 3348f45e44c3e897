/** The LORIS metadata of an authorised recording, as GET /ephys/{physio_file_id} returns it. */
import { basename } from 'node:path';
import { trimEndOf } from '../core/strings';
import type { AuthorizedRecording } from './access';

export interface RecordingMetadata {
  id: number;
  fileType: string | null;
  modality: string | null;
  outputType: string | null;
  session: {
    id: number;
    visitLabel: string;
    site: { id: number; name: string | null };
    project: { id: number; name: string | null };
  } | null;
  candidate: { pscid: string | null } | null;
  /** Base name only: the data directory layout is not disclosed. */
  fileName: string;
  presentOnDisk: boolean;
}

/** Standalone recordings have no LORIS row; the modality follows from the format where it is unambiguous. */
const STANDALONE_MODALITY: Record<string, string> = {
  edf: 'eeg',
  bdf: 'eeg',
  vhdr: 'eeg',
  set: 'eeg',
  ctf: 'meg',
  sqd: 'meg',
  cnt: 'eeg',
};

export function recordingMetadata(rec: AuthorizedRecording): RecordingMetadata {
  const fileName = basename(trimEndOf(rec.filePath, '\\/'));
  if (!rec.file) {
    return {
      id: rec.id,
      fileType: rec.fileType,
      modality: (rec.fileType && STANDALONE_MODALITY[rec.fileType]) ?? null,
      outputType: 'raw',
      session: null,
      candidate: null,
      fileName,
      presentOnDisk: rec.presentOnDisk,
    };
  }
  const { session, candidate } = rec.file;
  return {
    id: rec.id,
    fileType: rec.fileType,
    modality: rec.file.modality,
    outputType: rec.file.outputType,
    session: { id: session.id, visitLabel: session.visitLabel, site: session.site, project: session.project },
    candidate: { pscid: candidate.pscid },
    fileName,
    presentOnDisk: rec.presentOnDisk,
  };
}
