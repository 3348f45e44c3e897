/** LORIS-shaped API tokens for tests (as modules/api/php/endpoints/login.class.inc mints them), and bad ones. */
import { SignJWT } from 'jose';

export const STRONG_KEY = 'Test-JWT-key_2026#with$symbols&digits42';

export interface TokenOptions {
  /** Seconds relative to now. */
  iat?: number;
  nbf?: number;
  exp?: number;
  alg?: 'HS256' | 'HS384' | 'HS512';
  /** LORIS's base URL (default https://loris.example.org); null leaves the claim out. */
  iss?: string | null;
  aud?: string | string[] | null;
}

export const TEST_BASE_URL = 'https://loris.example.org';

/** A token with LORIS's claims: iss/aud base URL, iat = nbf = now, exp = now + 24 h, user = login name. */
export async function lorisToken(key: string, user: unknown, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iat: now + (options.iat ?? 0),
    nbf: now + (options.nbf ?? 0),
    exp: now + (options.exp ?? 86400),
  };
  const iss = options.iss === undefined ? TEST_BASE_URL : options.iss;
  const aud = options.aud === undefined ? TEST_BASE_URL : options.aud;
  if (iss !== null) claims.iss = iss;
  if (aud !== null) claims.aud = aud;
  if (user !== undefined) claims.user = user;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(key));
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token with an arbitrary header and payload and a given (possibly empty) signature segment. */
export function rawToken(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  signature = '',
): string {
  return `${b64url(header)}.${b64url(payload)}.${signature}`;
}

export const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });
