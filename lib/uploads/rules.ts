/**
 * Who may upload what, with LORIS's own rules and messages (PLACEHOLDER: the LORIS-registration work replaces
 * this file; the signatures are the module's contract).
 */
import type { Db } from '../loris/db';
import type { LorisUser } from '../loris/users';
import type { ResolvedTarget, UploadTarget } from './types';

/**
 * Checks `target` for `user` before any byte is stored: permission, candidate/visit rules and the file-name rule
 * of LORIS's uploader for the kind. Throws an ApiError (4xx with a stable code) when LORIS would refuse it.
 */
export function validateUploadTarget(db: Db, user: LorisUser, target: UploadTarget): Promise<ResolvedTarget> {
  void db;
  void user;
  void target;
  return Promise.reject(new Error('validateUploadTarget: not implemented yet'));
}
