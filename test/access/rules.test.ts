/**
 * The pure rules: LORIS's JWT key strength (golden verdicts computed by LORIS's own PHP function), the
 * electrophysiology permission formula (every combination against LORIS's formula written out), and the
 * account checks of LORIS's password login.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { verifyLorisToken } from '../../lib/auth/jwt';
import { realDataDir } from '../../lib/service/data-path';
import { accountProblem, bearerToken } from '../../lib/auth/identity';
import { isKeyStrong } from '../../lib/auth/key-strength';
import { canUseBrowser, canViewSession, PERMISSION } from '../../lib/auth/permissions';
import type { LorisUser } from '../../lib/loris/users';
import { goldenPath } from '../helpers/testdata';

describe("LORIS's JWT key strength rule", () => {
  const golden = JSON.parse(readFileSync(goldenPath('access', 'key-strength.json'), 'utf8')) as {
    cases: { key: string; strong: boolean }[];
  };

  it.each(golden.cases.map((c) => [c.key, c.strong] as const))(
    '%j → strong %s (as LORIS PHP decides)',
    (key, strong) => {
      expect(isKeyStrong(key)).toBe(strong);
    },
  );

  it('covers both verdicts and the byte-length edge', () => {
    expect(golden.cases.filter((c) => c.strong).length).toBeGreaterThan(3);
    expect(golden.cases.filter((c) => !c.strong).length).toBeGreaterThan(10);
  });
});

describe('electrophysiology permission rule', () => {
  const codes = [
    PERMISSION.superuser,
    PERMISSION.viewAllSites,
    PERMISSION.viewSite,
    'electrophysiology_browser_edit_annotations',
  ];
  // LORIS's formula, literally: hasPermission honours superuser; hasCenter/hasProject are plain membership.
  const lorisAllows = (
    perms: string[],
    sites: number[],
    projects: number[],
    center: number,
    project: number,
  ) => {
    const has = (code: string) => perms.includes('superuser') || perms.includes(code);
    return (
      (has('electrophysiology_browser_view_allsites') ||
        (sites.includes(center) && has('electrophysiology_browser_view_site'))) &&
      projects.includes(project)
    );
  };

  it('agrees with LORIS on every combination of codes, site and project membership', () => {
    let combinations = 0;
    for (let mask = 0; mask < 1 << codes.length; mask++) {
      const permissions = codes.filter((_, i) => mask & (1 << i));
      for (const sites of [[], [1], [2], [1, 2]]) {
        for (const projects of [[], [7], [8], [7, 8]]) {
          const grants = { permissions, sites, projects };
          expect(canViewSession(grants, { centerId: 1, projectId: 7 })).toBe(
            lorisAllows(permissions, sites, projects, 1, 7),
          );
          combinations++;
        }
      }
    }
    expect(combinations).toBe(256);
  });

  it('agrees with LORIS on random grants (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.subarray(codes as string[]),
        fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (permissions, sites, projects, center, project) =>
          canViewSession({ permissions, sites, projects }, { centerId: center, projectId: project }) ===
          lorisAllows(permissions, sites, projects, center, project),
      ),
    );
  });

  it('lets superuser, view_allsites and view_site use the browser; nothing else', () => {
    const none = { sites: [], projects: [] };
    expect(canUseBrowser({ ...none, permissions: ['superuser'] })).toBe(true);
    expect(canUseBrowser({ ...none, permissions: [PERMISSION.viewAllSites] })).toBe(true);
    expect(canUseBrowser({ ...none, permissions: [PERMISSION.viewSite] })).toBe(true);
    expect(
      canUseBrowser({
        ...none,
        permissions: ['electrophysiology_browser_edit_annotations', 'access_all_profiles'],
      }),
    ).toBe(false);
  });
});

describe('account checks', () => {
  const user = (over: Partial<LorisUser>): LorisUser => ({
    id: 1,
    username: 'u',
    active: 'Y',
    pendingApproval: 'N',
    activeFrom: null,
    activeTo: null,
    today: '2026-11-28',
    permissions: [],
    sites: [],
    projects: [],
    ...over,
  });

  it.each([
    [{}, undefined],
    [{ active: 'N' }, 'inactive'],
    [{ pendingApproval: 'Y' }, 'pending_approval'],
    [{ pendingApproval: null }, 'pending_approval'],
    [{ activeFrom: '2026-11-29' }, 'not_yet_active'],
    [{ activeFrom: '2026-11-28' }, undefined],
    [{ activeTo: '2026-11-27' }, 'expired'],
    [{ activeTo: '2026-11-28' }, 'expired'],
    [{ activeTo: '2026-11-29' }, undefined],
    [{ activeFrom: '2025-01-01', activeTo: '2027-01-01' }, undefined],
  ] as [Partial<LorisUser>, string | undefined][])('%j → %s', (over, problem) => {
    expect(accountProblem(user(over))).toBe(problem);
  });

  it('parses only `Bearer <token>` headers', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    for (const bad of [
      undefined,
      '',
      'Bearer',
      'Bearer a b',
      'Basic abc',
      'Token abc',
      `Bearer ${'x'.repeat(9000)}`,
    ]) {
      expect(() => bearerToken(bad)).toThrow(
        expect.objectContaining({ status: 401, code: 'authentication_required' }),
      );
    }
  });
});

describe('token verification reasons (logged, never sent)', () => {
  const key = 'Unit-test_key#2026$abcdef';
  const sign = (claims: Record<string, unknown>, alg = 'HS256', k = key) =>
    new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(k));
  const t = Math.floor(Date.now() / 1000);

  // LORIS's iss/aud: its base URL
  const L = { iss: 'https://loris.example.org', aud: 'https://loris.example.org' };
  it.each([
    ['a valid token', { ...L, iat: t, nbf: t, exp: t + 60, user: 'u' }, 'HS256', key, undefined],
    ['an expired one', { ...L, iat: t - 600, exp: t - 300, user: 'u' }, 'HS256', key, 'expired'],
    [
      'one within the clock tolerance',
      { ...L, iat: t - 600, exp: t - 20, user: 'u' },
      'HS256',
      key,
      undefined,
    ],
    ['a future nbf', { ...L, iat: t, nbf: t + 300, exp: t + 600, user: 'u' }, 'HS256', key, 'not_yet_valid'],
    [
      'another key',
      { ...L, iat: t, exp: t + 60, user: 'u' },
      'HS256',
      'Other-unit_key#2026$abc',
      'bad_signature',
    ],
    ['HS384', { ...L, iat: t, exp: t + 60, user: 'u' }, 'HS384', key, 'bad_algorithm'],
    ['no exp', { ...L, iat: t, user: 'u' }, 'HS256', key, 'bad_claims'],
    ['no iat', { ...L, exp: t + 60, user: 'u' }, 'HS256', key, 'bad_claims'],
    ['no iss', { aud: L.aud, iat: t, exp: t + 60, user: 'u' }, 'HS256', key, 'bad_issuer'],
    ['no aud', { iss: L.iss, iat: t, exp: t + 60, user: 'u' }, 'HS256', key, 'bad_issuer'],
    [
      'iss ≠ aud',
      { ...L, aud: 'https://x.example', iat: t, exp: t + 60, user: 'u' },
      'HS256',
      key,
      'bad_issuer',
    ],
    ['a numeric user', { ...L, iat: t, exp: t + 60, user: 5 }, 'HS256', key, 'bad_claims'],
  ] as [string, Record<string, unknown>, string, string, string | undefined][])(
    '%s',
    async (_, claims, alg, k, reason) => {
      const result = await verifyLorisToken(await sign(claims, alg, k), key);
      expect(result.ok ? undefined : result.reason).toBe(reason);
    },
  );

  it('rejects oversized and non-JWS input before decoding', async () => {
    expect(await verifyLorisToken('a'.repeat(5000), key)).toEqual({ ok: false, reason: 'too_long' });
    expect(await verifyLorisToken('not a token', key)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('data directory', () => {
  it('is 503 data_dir_unavailable when unset, relative or missing', async () => {
    for (const dir of [undefined, '', 'relative/data', '/no/such/loris/data']) {
      await expect(realDataDir(dir)).rejects.toMatchObject({ status: 503, code: 'data_dir_unavailable' });
    }
  });
});
