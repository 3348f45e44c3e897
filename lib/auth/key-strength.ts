/**
 * LORIS's JWT key strength rule (`Login::isKeyStrong` in modules/api/php/endpoints/login.class.inc): LORIS
 * refuses to sign tokens with a weak `JWTKey`, so this service refuses to verify them with one.
 * PHP works on bytes: `strlen` counts UTF-8 bytes and the character classes are ASCII.
 */
export const MIN_JWT_KEY_LENGTH = 20;
const MIN_COMPLEXITY_CHARSETS = 3;

const DIGITS = /\d/;
const LETTERS = /[a-z]/i;
/** The symbols LORIS counts: ! \ $ ^ @ # % & * ( ) */
const SYMBOLS = /[!\\$^@#%&*()]/;

export function isKeyStrong(key: string): boolean {
  if (Buffer.byteLength(key, 'utf8') < MIN_JWT_KEY_LENGTH) return false;
  if (!/[^a-z]/i.test(key)) return false; // nothing but letters
  if (!/\D/.test(key)) return false; // nothing but digits
  const classes = [DIGITS, LETTERS, SYMBOLS].filter((re) => re.test(key)).length;
  return classes >= MIN_COMPLEXITY_CHARSETS;
}
