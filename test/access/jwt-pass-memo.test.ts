/**
 * The verifier keeps tokens that passed (lib/auth/jwt.ts keptPass): the signature of the same token under the same
 * key is not checked again, but every other judgement is made afresh at each call's time and base URL, exactly as
 * a full verification would make it.
 */
import { verifyLorisToken, CLOCK_TOLERANCE_SECONDS } from '../../lib/auth/jwt';
import { lorisToken, STRONG_KEY, TEST_BASE_URL } from '../helpers/tokens';

const OTHER_KEY = 'Another-JWT-key_2026#with$symbols&digits43';
const DAY = 86400;
const at = (epochSeconds: number): Date => new Date(epochSeconds * 1000);
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

afterEach(() => jest.restoreAllMocks());

it('checks the signature of a token once, then only its claims', async () => {
  const token = await lorisToken(STRONG_KEY, 'memo_once');
  const verify = jest.spyOn(globalThis.crypto.subtle, 'verify');
  expect(await verifyLorisToken(token, STRONG_KEY)).toEqual({ ok: true, username: 'memo_once' });
  const firstChecks = verify.mock.calls.length;
  expect(firstChecks).toBe(1);
  for (let i = 0; i < 5; i++)
    expect(await verifyLorisToken(token, STRONG_KEY)).toEqual({ ok: true, username: 'memo_once' });
  expect(verify.mock.calls.length).toBe(firstChecks);
});

it('refuses a kept token once it expires, as a full verification would', async () => {
  const token = await lorisToken(STRONG_KEY, 'memo_exp', { exp: 600 });
  const exp = nowSeconds() + 600;
  expect(await verifyLorisToken(token, STRONG_KEY)).toMatchObject({ ok: true });
  // Still inside the clock tolerance one second before exp + tolerance; refused from exp + tolerance on.
  const lastGood = exp + CLOCK_TOLERANCE_SECONDS - 1;
  expect(await verifyLorisToken(token, STRONG_KEY, { now: at(lastGood) })).toMatchObject({ ok: true });
  expect(await verifyLorisToken(token, STRONG_KEY, { now: at(lastGood + 1) })).toEqual({
    ok: false,
    reason: 'expired',
  });
  // Once refused it is judged in full again, whatever the time.
  expect(await verifyLorisToken(token, STRONG_KEY)).toMatchObject({ ok: true });
});

it('refuses a kept token older than LORIS allows even when its exp lies further ahead', async () => {
  const token = await lorisToken(STRONG_KEY, 'memo_age', { exp: 3 * DAY });
  const iat = nowSeconds();
  expect(await verifyLorisToken(token, STRONG_KEY)).toMatchObject({ ok: true });
  const oldest = iat + DAY + CLOCK_TOLERANCE_SECONDS;
  expect(await verifyLorisToken(token, STRONG_KEY, { now: at(oldest) })).toMatchObject({ ok: true });
  expect(await verifyLorisToken(token, STRONG_KEY, { now: at(oldest + 1) })).toEqual({
    ok: false,
    reason: 'expired',
  });
});

it('judges a kept token afresh when the clock went back (nbf)', async () => {
  const token = await lorisToken(STRONG_KEY, 'memo_nbf');
  expect(await verifyLorisToken(token, STRONG_KEY)).toMatchObject({ ok: true });
  const before = nowSeconds() - CLOCK_TOLERANCE_SECONDS - 60;
  expect(await verifyLorisToken(token, STRONG_KEY, { now: at(before) })).toEqual({
    ok: false,
    reason: 'not_yet_valid',
  });
});

it("checks a kept token's issuer against each call's base URL", async () => {
  const token = await lorisToken(STRONG_KEY, 'memo_iss');
  expect(await verifyLorisToken(token, STRONG_KEY, { baseUrl: TEST_BASE_URL })).toMatchObject({ ok: true });
  expect(await verifyLorisToken(token, STRONG_KEY, { baseUrl: 'https://other.example.org' })).toEqual({
    ok: false,
    reason: 'bad_issuer',
  });
  expect(await verifyLorisToken(token, STRONG_KEY, { baseUrl: TEST_BASE_URL })).toMatchObject({ ok: true });
});

it('keeps a pass for its key only, and never for a token with another signature', async () => {
  const token = await lorisToken(STRONG_KEY, 'memo_key');
  expect(await verifyLorisToken(token, STRONG_KEY)).toMatchObject({ ok: true });
  expect(await verifyLorisToken(token, OTHER_KEY)).toEqual({ ok: false, reason: 'bad_signature' });
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  const tampered = `${token.slice(0, -2)}${last}${token.at(-1) as string}`;
  expect(await verifyLorisToken(tampered, STRONG_KEY)).toEqual({ ok: false, reason: 'bad_signature' });
  expect(await verifyLorisToken(token, STRONG_KEY)).toMatchObject({ ok: true });
});

it('keeps at most a bounded number of passes and verifies evicted tokens again', async () => {
  const first = await lorisToken(STRONG_KEY, 'memo_first');
  expect(await verifyLorisToken(first, STRONG_KEY)).toMatchObject({ ok: true });
  for (let i = 0; i < 520; i++) {
    const other = await lorisToken(STRONG_KEY, `memo_${i}`);
    expect(await verifyLorisToken(other, STRONG_KEY)).toMatchObject({ ok: true });
  }
  const verify = jest.spyOn(globalThis.crypto.subtle, 'verify');
  expect(await verifyLorisToken(first, STRONG_KEY)).toEqual({ ok: true, username: 'memo_first' });
  expect(verify).toHaveBeenCalledTimes(1); // it had been evicted
});
