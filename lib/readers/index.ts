/** Format detection and the one entry point that opens any supported recording. */
import { basename } from 'node:path';
import { unsupportedFormat } from '../core/errors';
import { openBrainVision } from './brainvision';
import { openCnt } from './cnt';
import { openCtf } from './ctf';
import { openEdf } from './edf';
import { openEeglab } from './eeglab';
import { openFif } from './fif';
import { openKit } from './kit';
import type { SourceFs } from './source';
import type { OpenOptions, Recording, RecordingFormat } from './types';

export type {
  Recording,
  RecordingInfo,
  ChannelInfo,
  ChannelType,
  OpenOptions,
  RecordingEvent,
} from './types';

/** The format of a recording from its name (CTF recordings are `.ds` folders). */
export function detectFormat(path: string, isDirectory: boolean): RecordingFormat {
  const name = basename(path).toLowerCase();
  if (isDirectory) {
    if (name.endsWith('.ds')) return 'ctf';
    throw unsupportedFormat(`${basename(path)} is a folder but not a CTF .ds dataset`);
  }
  if (name.endsWith('.fif') || name.endsWith('.fif.gz')) return 'fif';
  if (name.endsWith('.edf')) return 'edf';
  if (name.endsWith('.bdf')) return 'bdf';
  if (name.endsWith('.vhdr')) return 'brainvision';
  if (name.endsWith('.set')) return 'eeglab';
  if (name.endsWith('.sqd') || name.endsWith('.con')) return 'kit';
  if (name.endsWith('.cnt')) return 'cnt';
  throw unsupportedFormat(
    `${basename(path)}: not EDF/BDF, BrainVision, EEGLAB, FIF, CTF, KIT or Neuroscan CNT`,
  );
}

export const RECORDING_EXTENSIONS = [
  '.edf',
  '.bdf',
  '.vhdr',
  '.set',
  '.fif',
  '.fif.gz',
  '.sqd',
  '.con',
  '.cnt',
  '.ds',
];

export async function openRecording(
  path: string,
  fs: SourceFs,
  options: OpenOptions = {},
): Promise<Recording> {
  const format = detectFormat(path, await fs.isDirectory(path));
  switch (format) {
    case 'fif':
      return openFif(path, fs, options);
    case 'ctf':
      return openCtf(path, fs, options);
    case 'edf':
    case 'bdf':
      return openEdf(path, fs, options);
    case 'brainvision':
      return openBrainVision(path, fs, options);
    case 'eeglab':
      return openEeglab(path, fs, options);
    case 'kit':
      return openKit(path, fs, options);
    case 'cnt':
      return openCnt(path, fs, options);
  }
}
