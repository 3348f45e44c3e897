/**
 * A recording cut short in transfer. EDF/BDF readers (ours as MNE's) recompute the record count from the file
 * size, so a file missing its end still opens; its header still says how many records were written. The check
 * compares the two: fewer seconds in the file than its header declares is an error of the upload.
 */
import { open } from 'node:fs/promises';
import { isDecimalLiteral } from '../../readers/eeg-shared/decimal';
import type { RecordingInfo } from '../../readers';

const FIELD = { records: [236, 244], duration: [244, 252] } as const;

/** The number an 8-byte ASCII header field holds, or undefined. */
function headerNumber(header: Buffer, [from, to]: readonly [number, number]): number | undefined {
  const text = header.toString('latin1', from, to).trim();
  return isDecimalLiteral(text) ? Number(text) : undefined;
}

/** Seconds the EDF/BDF header of `file` declares, when it declares a positive count and duration. */
export async function declaredEdfSeconds(file: string): Promise<number | undefined> {
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(256);
    const { bytesRead } = await handle.read(header, 0, 256, 0);
    if (bytesRead < 256) return undefined;
    const records = headerNumber(header, FIELD.records);
    const duration = headerNumber(header, FIELD.duration);
    return records !== undefined && duration !== undefined && records > 0 && duration > 0
      ? records * duration
      : undefined;
  } finally {
    await handle.close();
  }
}

/** The message when `info` (opened from `file`) holds fewer seconds than its header declares; else undefined. */
export async function truncationOf(file: string, info: RecordingInfo): Promise<string | undefined> {
  if (info.format !== 'edf' && info.format !== 'bdf') return undefined;
  const declared = await declaredEdfSeconds(file);
  const held = info.nSamples / info.sfreq;
  if (declared === undefined || held >= declared - 1e-9 * declared) return undefined;
  return `the header declares ${declared} s of data, the file holds ${held} s: it was cut short`;
}
