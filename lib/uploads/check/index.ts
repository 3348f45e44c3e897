/**
 * Checks an upload's archive before LORIS's pipeline sees it (PLACEHOLDER: the archive-check work replaces
 * this file; the signatures are the module's contract).
 */
import type { ArchiveLimits, UploadReport, UploadTarget } from '../types';

export interface CheckOptions {
  /** A private directory the check may extract recordings into; the caller creates and removes it. */
  scratchDir: string;
  limits?: ArchiveLimits;
  signal?: AbortSignal;
}

/** Reads a `.tar.gz`/`.tgz`/`.zip` archive as a stream and checks it for `target.kind`. Refusals are report errors. */
export function checkArchive(
  archivePath: string,
  target: UploadTarget,
  options: CheckOptions,
): Promise<UploadReport> {
  void archivePath;
  void target;
  void options;
  return Promise.reject(new Error('checkArchive: not implemented yet'));
}

/** The same checks on an unpacked directory (the CLI's `--dry-run` on a folder). */
export function checkDirectory(
  dir: string,
  target: UploadTarget,
  options: CheckOptions,
): Promise<UploadReport> {
  void dir;
  void target;
  void options;
  return Promise.reject(new Error('checkDirectory: not implemented yet'));
}
