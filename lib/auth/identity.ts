/**
 * Who is calling: `Authorization: Bearer <LORIS API token>` → verified token → the LORIS account it names.
 * Stricter than LORIS's own JWT path (which re-checks only the lock-out): the account must be active, approved,
 * inside its active_from/active_to dates and not locked out, judged as LORIS's password login judges them.
 */
import { ApiError } from '../core/errors';
import type { LorisUser } from '../loris/users';
import { verifyLorisToken, type TokenFailure } from './jwt';

const CHALLENGE = 'Bearer realm="loris-ephys-api"';
const MAX_AUTHORIZATION_LENGTH = 8192;

export const authenticationRequired = (): ApiError =>
  new ApiError(
    401,
    'authentication_required',
    'A LORIS API token is required (Authorization: Bearer <token>).',
    undefined,
    {
      'WWW-Authenticate': CHALLENGE,
    },
  );

export const invalidToken = (): ApiError =>
  new ApiError(401, 'invalid_token', 'The access token is not valid.', undefined, {
    'WWW-Authenticate': `${CHALLENGE}, error="invalid_token"`,
  });

/** The token of an `Authorization: Bearer <token>` header; anything else is 401 authentication_required. */
export function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization.length > MAX_AUTHORIZATION_LENGTH)
    throw authenticationRequired();
  const match = /^Bearer +(\S+) *$/i.exec(authorization);
  if (!match?.[1]) throw authenticationRequired();
  return match[1];
}

export type AccountProblem = 'inactive' | 'pending_approval' | 'not_yet_active' | 'expired';

/**
 * Account checks of LORIS's password login (php/libraries/SinglePointLogin.class.inc): Active='N' and
 * Pending_approval='Y' refuse; `active_from` refuses before that day; `active_to` refuses once its day has
 * begun (PHP compares the current time with midnight starting active_to). Dates are 'YYYY-MM-DD' strings and
 * `today` is the database's CURDATE(), so both sides use the same calendar.
 */
export function accountProblem(user: LorisUser): AccountProblem | undefined {
  if (user.active !== 'Y') return 'inactive';
  if (user.pendingApproval !== 'N') return 'pending_approval';
  if (user.activeFrom !== null && user.today < user.activeFrom) return 'not_yet_active';
  if (user.activeTo !== null && user.today >= user.activeTo) return 'expired';
  return undefined;
}

export type IdentityFailure = TokenFailure | 'unknown_user' | 'account_locked' | AccountProblem;

export interface IdentityDeps {
  /** The JWTKey (already checked for strength). */
  key: string;
  /** LORIS's base URL when known: tokens must name it as `iss` and `aud`. */
  baseUrl?: string;
  findUser: (username: string) => Promise<LorisUser | undefined>;
  /** LORIS's login lock-out for this account and the client's address. */
  isLocked?: (username: string) => Promise<boolean>;
  /** Called with the reason whenever a token is refused (for logs; never sent to the client). */
  onRefused?: (reason: IdentityFailure) => void;
}

/** Resolves the header to an account allowed to sign in; 401 otherwise. */
export async function identify(authorization: string | undefined, deps: IdentityDeps): Promise<LorisUser> {
  const token = bearerToken(authorization);
  const refuse = (reason: IdentityFailure): ApiError => {
    deps.onRefused?.(reason);
    return invalidToken();
  };
  const verified = await verifyLorisToken(token, deps.key, { baseUrl: deps.baseUrl });
  if (!verified.ok) throw refuse(verified.reason);
  const user = await deps.findUser(verified.username);
  if (!user) throw refuse('unknown_user');
  const problem = accountProblem(user);
  if (problem) throw refuse(problem);
  if (deps.isLocked && (await deps.isLocked(verified.username))) throw refuse('account_locked');
  return user;
}
