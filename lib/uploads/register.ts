/**
 * Registers a checked upload where LORIS looks (PLACEHOLDER: the LORIS-registration work replaces this file;
 * the signatures are the module's contract).
 */
import type { Db } from '../loris/db';
import type { LorisUploadRef, ProcessRef, ResolvedTarget, UploadReport } from './types';

export interface RegisterInput {
  /** The complete archive in the upload staging directory; moved (not copied when possible) by registration. */
  archivePath: string;
  resolved: ResolvedTarget;
  /** users.UserID of the uploader. */
  username: string;
  report: UploadReport;
}

export interface Registration {
  lorisUpload: LorisUploadRef;
  process: ProcessRef | null;
}

/** Moves the archive into LORIS's incoming path for its kind, writes LORIS's rows, launches the pipeline if on. */
export function registerUpload(db: Db, input: RegisterInput): Promise<Registration> {
  void db;
  void input;
  return Promise.reject(new Error('registerUpload: not implemented yet'));
}

/** The registration's rows as they are now (LORIS's pipeline moves them on). */
export function currentRegistration(db: Db, registration: Registration): Promise<Registration> {
  void db;
  void registration;
  return Promise.reject(new Error('currentRegistration: not implemented yet'));
}
