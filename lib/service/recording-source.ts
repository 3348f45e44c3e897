/**
 * A recording to open as plain data, and its opening through this thread's recording cache: what a map worker
 * imports, without the database, authorisation or request layers (which would load mysql2 and zod into every
 * worker's heap).
 */
import type { Logger } from '../core/log';
import { rootedSourceFs } from '../readers/rooted-fs';
import { openCached, type LorisRecordingExtras, type OpenedRecording } from './open-recording';

/**
 * Everything needed to open an authorised recording, as plain data (a map worker opens it from this): its real
 * path and data directory, what LORIS knows about it and the key of that knowledge.
 */
export interface RecordingSource {
  path: string;
  dataRoot: string;
  physioFileId: number;
  extras: LorisRecordingExtras;
  extrasKey: string;
  condition?: number;
  maxDecodedBytes: number;
}

/** Opens a recording source through this thread's recording cache (rooted at its data directory). */
export function openSource(source: RecordingSource, log?: Logger): Promise<OpenedRecording> {
  const fs = rootedSourceFs(source.dataRoot, {
    onRefusal: ({ path, reason }) =>
      log?.warn('refused a file of a recording', { physioFileId: source.physioFileId, file: path, reason }),
  });
  return openCached(source.path, {
    fs,
    extras: source.extras,
    extrasKey: source.extrasKey,
    condition: source.condition,
    maxDecodedBytes: source.maxDecodedBytes,
  });
}
