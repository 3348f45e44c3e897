/**
 * Replays every API Gateway event fixture in events/ through the BUILT bundle in dist/ and checks the
 * response: status, listed headers, JSON body (with placeholders) or image type, size and content.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { tmpdir } from 'node:os';
import { z } from 'zod';
import { makeDemo } from '../cli/demo';
import { mismatches, subsetMismatches } from './helpers/match';
import { hasTestData, projectRoot, testDataDir } from './helpers/testdata';

const fixtureSchema = z.object({
  description: z.string(),
  function: z.string(),
  requires: z.array(z.enum(['testdata', 'demo'])).optional(),
  env: z.record(z.string(), z.string()).default({}),
  event: z.record(z.string(), z.unknown()),
  expected: z.object({
    status: z.number(),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.unknown().optional(),
    /** Only these keys, numbers within `tolerance` (values from MNE). */
    bodySubset: z.unknown().optional(),
    tolerance: z.number().default(0),
    /** A text body, exactly. */
    text: z.string().optional(),
    /** Strings the text body must contain. */
    textContains: z.array(z.string()).optional(),
    image: z
      .object({
        type: z.enum(['png', 'svg']),
        width: z.number(),
        height: z.number(),
        minOpaqueFraction: z.number().default(0.05),
      })
      .optional(),
  }),
});
type Fixture = z.infer<typeof fixtureSchema>;

interface LambdaResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}
type Handler = (event: unknown, context: unknown) => Promise<LambdaResponse>;

const eventsDir = join(projectRoot, 'events');
const demoData = process.env.LORIS_EPHYS_DEMO_DATA ?? join(tmpdir(), 'loris-ephys-replay-demo');

function listFixtures(): { file: string; fixture: Fixture }[] {
  return readdirSync(eventsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(eventsDir, d.name))
        .filter((f) => f.endsWith('.json'))
        .map((f) => join(d.name, f)),
    )
    .map((file) => ({
      file,
      fixture: fixtureSchema.parse(JSON.parse(readFileSync(join(eventsDir, file), 'utf8'))),
    }));
}

const expand = (value: string): string =>
  value
    .replaceAll('${TESTDATA}', testDataDir())
    .replaceAll('${DEMO_DATA}', demoData)
    .replaceAll('${PROJECT}', projectRoot);

async function invoke(fixture: Fixture): Promise<LambdaResponse> {
  const bundle = join(projectRoot, 'dist', fixture.function, 'index.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build`);
  const saved = { ...process.env };
  process.env.LORIS_EPHYS_LOG_LEVEL = 'warn';
  for (const [k, v] of Object.entries(fixture.env)) process.env[k] = expand(v);
  try {
    let handler: Handler | undefined;
    jest.isolateModules(() => {
      // The built CommonJS bundle is loaded as Lambda loads it, in a fresh module registry per fixture.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = (require(bundle) as { handler: Handler }).handler;
    });
    if (!handler) throw new Error('no handler exported');
    return await handler(fixture.event, { awsRequestId: `replay-${fixture.function}` });
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

async function checkImage(response: LambdaResponse, image: NonNullable<Fixture['expected']['image']>) {
  const bytes = response.isBase64Encoded ? Buffer.from(response.body, 'base64') : Buffer.from(response.body);
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  expect(info.width).toBe(image.width);
  expect(info.height).toBe(image.height);
  if (image.type === 'png') expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  else expect(bytes.toString('utf8', 0, 200)).toContain('<svg');
  let opaque = 0;
  for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) opaque++;
  expect(opaque / (info.width * info.height)).toBeGreaterThanOrEqual(image.minOpaqueFraction);
}

describe('event fixtures replayed through dist/ bundles', () => {
  const fixtures = listFixtures();
  beforeAll(() => {
    if (!existsSync(join(demoData, '.complete'))) makeDemo(demoData);
  });
  it('has fixtures for every function in serverless.yml', () => {
    const yml = readFileSync(join(projectRoot, 'serverless.yml'), 'utf8');
    const functions = [...yml.matchAll(/handler: dist\/([\w-]+)\/index\.handler/g)].map((m) => m[1]);
    for (const fn of functions) expect(fixtures.some((f) => f.fixture.function === fn)).toBe(true);
  });
  for (const { file, fixture } of fixtures) {
    const missing = fixture.requires?.includes('testdata') && !hasTestData();
    (missing ? it.skip : it)(`${file}: ${fixture.description}`, async () => {
      const response = await invoke(fixture);
      expect(response.statusCode).toBe(fixture.expected.status);
      const headers = Object.fromEntries(
        Object.entries(response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
      );
      for (const [name, value] of Object.entries(fixture.expected.headers)) {
        expect(`${name}: ${headers[name.toLowerCase()]}`).toBe(`${name}: ${value}`);
      }
      if (fixture.expected.image) {
        await checkImage(response, fixture.expected.image);
      } else if (fixture.expected.body !== undefined) {
        const body: unknown = JSON.parse(response.body);
        expect(mismatches(body, fixture.expected.body)).toEqual([]);
      }
      if (fixture.expected.bodySubset !== undefined) {
        const body: unknown = JSON.parse(response.body);
        const { bodySubset, tolerance } = fixture.expected;
        expect(subsetMismatches(body, bodySubset, tolerance)).toEqual([]);
      }
      if (fixture.expected.text !== undefined) expect(response.body).toBe(fixture.expected.text);
      for (const part of fixture.expected.textContains ?? []) expect(response.body).toContain(part);
    });
  }
});
