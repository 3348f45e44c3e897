/**
 * The verifier keeps the shared key imported (lib/auth/jwt.ts hmacKey): a token is still judged by the key it is
 * checked against, whichever keys were used before and however many.
 */
import { verifyLorisToken } from '../../lib/auth/jwt';
import { lorisToken, STRONG_KEY } from '../helpers/tokens';

const OTHER_KEY = 'Another-JWT-key_2026#with$symbols&digits43';

it('accepts a token only with its own key, before and after other keys were used', async () => {
  const token = await lorisToken(STRONG_KEY, 'admin');
  expect(await verifyLorisToken(token, STRONG_KEY)).toEqual({ ok: true, username: 'admin' });
  expect(await verifyLorisToken(token, OTHER_KEY)).toEqual({ ok: false, reason: 'bad_signature' });
  expect(await verifyLorisToken(token, STRONG_KEY)).toEqual({ ok: true, username: 'admin' });
  // More keys than are kept imported: each still verifies its own tokens and refuses the others'.
  const keys = Array.from({ length: 9 }, (_, k) => `${OTHER_KEY}-${k}`);
  for (const key of keys) {
    const own = await lorisToken(key, `user${key.length}`);
    expect(await verifyLorisToken(own, key)).toMatchObject({ ok: true });
    expect(await verifyLorisToken(own, STRONG_KEY)).toEqual({ ok: false, reason: 'bad_signature' });
  }
  expect(await verifyLorisToken(token, STRONG_KEY)).toEqual({ ok: true, username: 'admin' });
  expect(await verifyLorisToken(token, keys[0] as string)).toEqual({ ok: false, reason: 'bad_signature' });
});

it('refuses every token for an empty key, and the next call with the right key still verifies', async () => {
  const token = await lorisToken(STRONG_KEY, 'admin');
  expect((await verifyLorisToken(token, '')).ok).toBe(false);
  expect((await verifyLorisToken(token, '')).ok).toBe(false);
  expect(await verifyLorisToken(token, STRONG_KEY)).toEqual({ ok: true, username: 'admin' });
});
