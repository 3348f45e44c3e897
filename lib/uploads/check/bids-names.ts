/**
 * BIDS file names and the session layout of an EEG upload, from the archive's entry paths alone (no bytes).
 *
 * LORIS-MRI's `extract_eeg_bids_archive.py` extracts the archive, walks it for a folder named `ses-*`, takes its
 * path from `sub-` on as `sub-<label>/ses-<label>`, and copies each data-type folder under it (`eeg`, `ieeg`,
 * `meg`, ...) into the assembly; `ingest_eeg_bids_datasets.py` then looks for `sub-<CandID>` or, case-insensitively,
 * `sub-<PSCID>`, and for `ses-<Visit>` exactly. So the archive may have a wrapping folder (the BIDS root is the
 * folder holding `sub-*`), must hold exactly one `sub-X/ses-Y` session, and its labels are the LORIS identifiers
 * as they are: no character is removed or replaced, by LORIS-MRI or by us.
 */

/** Data-type folders whose recordings are opened. */
export const RECORDING_DATATYPES = ['eeg', 'ieeg', 'meg'] as const;

export interface BidsName {
  /** key → value of the `key-value` parts before the suffix. */
  entities: Map<string, string>;
  /** The last `_` part before the extension (`eeg`, `channels`, ...); '' when there is none. */
  suffix: string;
  /** Lower-case extension with its dot(s): `.edf`, `.fif.gz`, `.tsv`, `.ds`. */
  extension: string;
}

/** The extension of a name, with `.fif.gz`-style double extensions kept whole. */
export function extensionOf(name: string): string {
  const lower = name.toLowerCase();
  if (lower.endsWith('.fif.gz')) return '.fif.gz';
  const dot = lower.lastIndexOf('.');
  return dot <= 0 ? '' : lower.slice(dot);
}

export function parseBidsName(name: string): BidsName {
  const extension = extensionOf(name);
  const stem = name.slice(0, name.length - extension.length);
  const parts = stem.split('_');
  const suffix = parts.length > 1 ? (parts.pop() ?? '') : '';
  const entities = new Map<string, string>();
  for (const part of parts) {
    const dash = part.indexOf('-');
    if (dash > 0) entities.set(part.slice(0, dash), part.slice(dash + 1));
  }
  return { entities, suffix, extension };
}

/** True when every entity of `sidecar` (except those in `ignore`) has the same value in `recording`. */
export function entitiesApply(
  sidecar: BidsName,
  recording: BidsName,
  ignore: readonly string[] = [],
): boolean {
  for (const [key, value] of sidecar.entities) {
    if (ignore.includes(key)) continue;
    if (recording.entities.get(key) !== value) return false;
  }
  return true;
}

/** One `sub-X/ses-Y` folder found in the archive. */
export interface SessionFolder {
  /** Path of the BIDS root holding `sub-*` ('' for the archive's top). */
  root: string;
  /** `<root>/sub-X/ses-Y`. */
  path: string;
  subject: string;
  session: string;
}

/** The session folders that hold files (an entry path `…/sub-X/ses-Y/…`), each once, in order of appearance. */
export function findSessionFolders(filePaths: readonly string[]): SessionFolder[] {
  const found = new Map<string, SessionFolder>();
  for (const path of filePaths) {
    const segments = path.split('/');
    for (let i = 0; i + 2 < segments.length; i += 1) {
      const sub = segments[i] ?? '';
      const ses = segments[i + 1] ?? '';
      if (!sub.startsWith('sub-') || !ses.startsWith('ses-')) continue;
      const folder = segments.slice(0, i + 2).join('/');
      if (!found.has(folder)) {
        found.set(folder, {
          root: segments.slice(0, i).join('/'),
          path: folder,
          subject: sub.slice('sub-'.length),
          session: ses.slice('ses-'.length),
        });
      }
      break;
    }
  }
  return [...found.values()];
}

/** Letters and digits only, as BIDS requires of labels. */
export const isBidsLabel = (text: string): boolean => text.length > 0 && /^[a-z0-9]+$/i.test(text);

/** Joins archive-relative path parts, skipping empty ones. */
export const joinPath = (...parts: string[]): string => parts.filter((p) => p !== '').join('/');
