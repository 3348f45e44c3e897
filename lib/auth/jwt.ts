/**
 * Verification of LORIS API tokens (modules/api/php/endpoints/login.class.inc): HS256 signed with `JWTKey`,
 * claim `user` = the login name (users.UserID), `iat`/`nbf` = issue time, `exp` = issue time + 24 h.
 * Only HS256 is accepted; `exp` and `iat` are required (LORIS always sets them), with a small clock tolerance;
 * `iss` and `aud` must be equal strings (LORIS's base URL) and, when that URL is known, name it.
 */
import { webcrypto } from 'node:crypto';
import { errors, jwtVerify, type JWTPayload } from 'jose';
import { trimEndOf } from '../core/strings';

export const CLOCK_TOLERANCE_SECONDS = 30;
/** LORIS tokens live 24 h; anything issued earlier is refused even if its `exp` says otherwise. */
const MAX_TOKEN_AGE_SECONDS = 86400;
export const MAX_TOKEN_LENGTH = 4096;
const MAX_HEADER_SEGMENT_LENGTH = 512;
const MAX_USERNAME_LENGTH = 255; // users.UserID is VARCHAR(255)

export type TokenFailure =
  | 'malformed'
  | 'too_long'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'bad_claims'
  | 'bad_issuer'
  | 'bad_algorithm';

export type TokenResult = { ok: true; username: string } | { ok: false; reason: TokenFailure };

const JWS_COMPACT = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/** Shape checks done before any decoding, so oversized or non-JWT input costs nothing. */
function precheck(token: string): TokenFailure | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return 'too_long';
  if (!JWS_COMPACT.test(token)) return 'malformed';
  const headerSegment = token.slice(0, token.indexOf('.'));
  if (headerSegment.length > MAX_HEADER_SEGMENT_LENGTH) return 'too_long';
  return undefined;
}

function classify(error: unknown): TokenFailure {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed)
    return error.claim === 'nbf' ? 'not_yet_valid' : 'bad_claims';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return 'bad_algorithm';
  return 'malformed';
}

/** A base URL compared as LORIS writes it: scheme and host case-insensitive, trailing slashes ignored. */
export function normalizeBaseUrl(url: string): string {
  const trimmed = trimEndOf(url.trim(), '/');
  const schemeEnd = trimmed.indexOf('://');
  if (schemeEnd < 0) return trimmed;
  const pathStart = trimmed.indexOf('/', schemeEnd + 3);
  const origin = pathStart < 0 ? trimmed : trimmed.slice(0, pathStart);
  return origin.toLowerCase() + (pathStart < 0 ? '' : trimmed.slice(pathStart));
}

/** LORIS sets `iss` = `aud` = its base URL; when we know that URL, both must name it. */
function issuerProblem(payload: JWTPayload, baseUrl: string | undefined): boolean {
  const { iss, aud } = payload;
  if (typeof iss !== 'string' || typeof aud !== 'string' || iss !== aud) return true;
  return baseUrl !== undefined && normalizeBaseUrl(iss) !== normalizeBaseUrl(baseUrl);
}

/**
 * The shared key as a WebCrypto HMAC key, imported once per key: jose imports a raw key on every call otherwise,
 * which cost about as much as the verification itself (≈ 60–100 µs of 120–180 µs per token, measured). At most
 * MAX_IMPORTED_KEYS are kept (the key changes only with LORIS's configuration).
 */
const MAX_IMPORTED_KEYS = 4;
const importedKeys = new Map<string, Promise<webcrypto.CryptoKey>>();

function hmacKey(key: string): Promise<webcrypto.CryptoKey> {
  let imported = importedKeys.get(key);
  if (!imported) {
    if (importedKeys.size >= MAX_IMPORTED_KEYS) importedKeys.clear();
    imported = webcrypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(key),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    imported.catch(() => importedKeys.delete(key));
    importedKeys.set(key, imported);
  }
  return imported;
}

export interface VerifyOptions {
  /** LORIS's base URL, when known (Config `url` or LORIS_BASE_URL). */
  baseUrl?: string;
  now?: Date;
}

/**
 * Tokens that passed, by their exact text, for the one key they were checked with. LORIS's gateway sends the same
 * token with every request of a session, and WebCrypto's HMAC runs on libuv's thread pool: about 0.34 ms of a warm
 * map's 10 (measured). The same bytes under the same key verify the same way, so the signature is not checked
 * again; the claims are. A token is reused only while both time checks jose made can still hold: `exp` (refused
 * once now ≥ exp + tolerance) and the token's age (refused once now − iat − tolerance > max age). Its other time
 * checks (`nbf`, an `iat` in the future) only get easier as time passes, and a clock that went back verifies
 * afresh. `iss`/`aud` are checked against the base URL of each call. Only passes are kept, at most
 * MAX_VERIFIED_TOKENS; a new key forgets them all.
 */
const MAX_VERIFIED_TOKENS = 512;
interface VerifiedToken {
  payload: JWTPayload;
  exp: number;
  iat: number;
  /** Seconds since the epoch (jose's clock) when it was verified. */
  at: number;
}
let verifiedKey: string | undefined;
const verifiedTokens = new Map<string, VerifiedToken>();

const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** The kept pass of `token` under `key` if jose would pass it again at `now`; a stale one is dropped. */
function keptPass(token: string, key: string, now: number): VerifiedToken | undefined {
  if (key !== verifiedKey) return undefined;
  const kept = verifiedTokens.get(token);
  if (!kept) return undefined;
  const fresh =
    now >= kept.at &&
    now < kept.exp + CLOCK_TOLERANCE_SECONDS &&
    now - kept.iat - CLOCK_TOLERANCE_SECONDS <= MAX_TOKEN_AGE_SECONDS;
  if (fresh) return kept;
  verifiedTokens.delete(token);
  return undefined;
}

function keepPass(token: string, key: string, pass: VerifiedToken): void {
  if (key !== verifiedKey) {
    verifiedTokens.clear();
    verifiedKey = key;
  }
  if (verifiedTokens.size >= MAX_VERIFIED_TOKENS)
    verifiedTokens.delete(verifiedTokens.keys().next().value as string); // the oldest
  verifiedTokens.set(token, pass);
}

/** The account a token's claims name, or why they do not. */
function claimedUser(payload: JWTPayload, baseUrl: string | undefined): TokenResult {
  if (issuerProblem(payload, baseUrl)) return { ok: false, reason: 'bad_issuer' };
  const user = payload.user;
  if (typeof user !== 'string' || user.length === 0 || user.length > MAX_USERNAME_LENGTH) {
    return { ok: false, reason: 'bad_claims' };
  }
  return { ok: true, username: user };
}

/** Verifies a compact JWS with the shared key; never throws. */
export async function verifyLorisToken(
  token: string,
  key: string,
  options: VerifyOptions = {},
): Promise<TokenResult> {
  const now = options.now ?? new Date();
  const early = precheck(token);
  if (early) return { ok: false, reason: early };
  const kept = keptPass(token, key, epochSeconds(now));
  if (kept) return claimedUser(kept.payload, options.baseUrl);
  try {
    const { payload } = await jwtVerify(token, await hmacKey(key), {
      algorithms: ['HS256'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      maxTokenAge: MAX_TOKEN_AGE_SECONDS,
      requiredClaims: ['exp', 'iat'],
      currentDate: now,
    });
    const result = claimedUser(payload, options.baseUrl);
    // requiredClaims and maxTokenAge made jose check that exp and iat are numbers.
    if (result.ok) {
      const [exp, iat] = [payload.exp as number, payload.iat as number];
      keepPass(token, key, { payload, exp, iat, at: epochSeconds(now) });
    }
    return result;
  } catch (error) {
    return { ok: false, reason: classify(error) };
  }
}
