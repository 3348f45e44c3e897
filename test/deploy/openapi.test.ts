/**
 * The OpenAPI document: every route of serverless.yml is documented (and nothing else), the document has a
 * valid OpenAPI 3.1 structure, every example validates against the JSON Schema published beside it and
 * against the zod schema it came from, the parameters are exactly the handlers' zod schemas, and the live
 * service's answers on a generated demo sample match the published schemas.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDemo } from '../../cli/demo';
import { errorEnvelopeSchema } from '../../lib/core/api-schemas';
import { API_ROUTES, openApiDocument } from '../../lib/api/openapi';
import { sensorsQuerySchema } from '../../lib/core/sensors-params';
import { topomapQuerySchema } from '../../lib/core/topomap-params';
import { get, startOffline, type OfflineService } from '../helpers/offline';
import { validate } from '../helpers/json-schema';
import { projectRoot } from '../helpers/testdata';

type Json = Record<string, unknown>;
const VERSION = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string })
  .version;
const doc = openApiDocument({ version: VERSION });
const paths = doc.paths as Record<string, { get: Json }>;
const operations = Object.entries(paths).map(([path, item]) => ({ path, op: item.get }));

/** `function → paths` of every httpApi event in serverless.yml, and how many events there are. */
function serverlessRoutes(): { byFunction: Map<string, Set<string>>; events: number } {
  const yml = readFileSync(join(projectRoot, 'serverless.yml'), 'utf8');
  const byFunction = new Map<string, Set<string>>();
  let current: string | undefined;
  let events = 0;
  for (const line of yml.slice(yml.indexOf('\nfunctions:'), yml.indexOf('\nplugins:')).split('\n')) {
    current = /^ {2}([\w-]+):\s*$/.exec(line)?.[1] ?? current;
    const path = /httpApi: \{ method: (?:GET|POST|OPTIONS|'\*'), path: (?:'([^']+)'|([^\s}]+)) \}/.exec(line);
    if (current && path) {
      events += 1;
      byFunction.set(current, (byFunction.get(current) ?? new Set()).add(path[1] ?? path[2] ?? ''));
    }
  }
  return { byFunction, events };
}

/** Every media-type object of the document with its location. */
function mediaObjects(): { where: string; media: Json }[] {
  return operations.flatMap(({ path, op }) =>
    Object.entries(op.responses as Record<string, Json>).flatMap(([status, response]) =>
      Object.entries((response.content ?? {}) as Record<string, Json>).map(([type, media]) => ({
        where: `${path} ${status} ${type}`,
        media,
      })),
    ),
  );
}

function allRefs(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(allRefs);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v] : allRefs(v)));
}

describe('OpenAPI document', () => {
  it('documents exactly the routes of serverless.yml, each with its function', () => {
    const { byFunction, events } = serverlessRoutes();
    const httpApiEvents = readFileSync(join(projectRoot, 'serverless.yml'), 'utf8').match(/httpApi:/g) ?? [];
    expect(events).toBe(httpApiEvents.length);
    expect(byFunction.size).toBeGreaterThanOrEqual(12);
    const everyModule = openApiDocument({ version: 'test', modules: ['ephys', 'meegqc', 'uploads'] });
    const allPaths = [...byFunction.values()].flatMap((set) => [...set]);
    expect(new Set(Object.keys(everyModule.paths as Json))).toEqual(new Set(allPaths));
    for (const [name, set] of byFunction) {
      expect([name, new Set(API_ROUTES.filter((r) => r.functionName === name).map((r) => r.path))]).toEqual([
        name,
        set,
      ]);
    }
  });

  it('documents the tus methods of the uploads module, only while it is on', () => {
    const on = openApiDocument({ version: 'test', modules: ['uploads'] }).paths as Record<string, Json>;
    expect(Object.keys(on['/tus/upload'] ?? {}).sort()).toEqual(['options', 'post']);
    expect(Object.keys(on['/tus/upload/{upload_id}'] ?? {}).sort()).toEqual(['delete', 'head', 'patch']);
    expect(Object.keys(on['/uploads/{upload_id}'] ?? {})).toEqual(['get']);
    expect(Object.keys(paths).filter((p) => p.includes('upload'))).toEqual([]);
  });

  it("lists the paths LORIS's viewer switches its imaging features on with, named as it names them", () => {
    const paths = Object.keys(openApiDocument({ version: 'test' }).paths as Json);
    // topographic-map button; 3D montage (both); the service routes the viewer and gateway probe
    for (const key of [
      '/ephys/{physio_file_id}/topographic-map',
      '/ephys/{physio_file_id}/meg/sensors',
      '/ephys/{physio_file_id}/meg/headshape',
      '/health',
      '/openapi.json',
      // MEEGqc panel
      '/meegqc/{physio_file_id}/files',
    ]) {
      expect(paths).toContain(key);
    }
    expect(paths.filter((p) => p.includes('physioFileId'))).toEqual([]);
  });

  it('lists only the service routes and those of the modules switched on', () => {
    const listed = (modules: ('ephys' | 'meegqc' | 'uploads')[]) =>
      Object.keys(openApiDocument({ version: 'test', modules }).paths as Json);
    const ephysOnly = listed(['ephys']);
    expect(ephysOnly.filter((p) => p.startsWith('/meegqc'))).toEqual([]);
    expect(ephysOnly).toContain('/ephys/{physio_file_id}/topographic-map');
    const meegqcOnly = listed(['meegqc']);
    expect(meegqcOnly.filter((p) => p.startsWith('/ephys'))).toEqual([]);
    expect(meegqcOnly.sort()).toEqual(
      [
        '/demo',
        '/health',
        '/openapi.json',
        '/meegqc/{physio_file_id}/files',
        '/meegqc/{physio_file_id}/files/archive',
        '/meegqc/{physio_file_id}/files/{meegqc_file_id}',
      ].sort(),
    );
    expect(listed([]).sort()).toEqual(['/demo', '/health', '/openapi.json']);
    for (const route of API_ROUTES) expect(['service', 'ephys', 'meegqc', 'uploads']).toContain(route.module);
    const schemas = Object.keys(
      ((openApiDocument({ version: 'test', modules: ['ephys'] }).components as Json).schemas ?? {}) as Json,
    );
    expect(schemas).not.toContain('MeegqcFileList');
  });

  it('has a valid OpenAPI 3.1 structure', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    const info = doc.info as Json;
    expect(info.title).toBe('loris-ephys-api');
    expect(info.version).toBe(VERSION);
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const schemes = (doc.components as Json).securitySchemes as Json;
    expect(schemes.bearerAuth).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    for (const { path, op } of operations) {
      expect(path).toMatch(/^\/(ephys\/|meegqc\/|health$|openapi\.json$|demo$)/);
      const params = (op.parameters ?? []) as Json[];
      for (const p of params) {
        expect(['query', 'path', 'header']).toContain(p.in);
        expect(typeof p.name).toBe('string');
        expect(typeof p.schema).toBe('object');
      }
      expect(new Set(params.map((p) => `${String(p.in)}:${String(p.name)}`)).size).toBe(params.length);
      // Every templated segment is a required path parameter, and every path parameter is templated.
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = params.filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name)).toEqual(templated);
      for (const p of declared) expect(p.required).toBe(true);
      const responses = op.responses as Record<string, Json>;
      expect(Object.keys(responses)).toContain('200');
      for (const [status, r] of Object.entries(responses)) {
        expect(status).toMatch(/^[1-5]\d\d$/);
        expect(typeof r.description).toBe('string');
      }
      for (const requirement of (op.security ?? doc.security) as Json[]) {
        for (const name of Object.keys(requirement)) expect(schemes[name]).toBeDefined();
      }
    }
    const refs = allRefs(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) expect(() => validate(null, { $ref: ref }, ref, { root: doc })).not.toThrow();
  });

  it('takes its parameters from the zod schemas the handlers validate with', () => {
    const names = (path: string, where: string) =>
      ((paths[path]?.get.parameters ?? []) as Json[]).filter((p) => p.in === where).map((p) => p.name);
    expect(names('/ephys/{physio_file_id}/topographic-map', 'query')).toEqual(
      Object.keys(topomapQuerySchema.shape),
    );
    expect(names('/ephys/{physio_file_id}/topographic-map', 'query')).toHaveLength(31);
    expect(names('/ephys/{physio_file_id}/sensors', 'query')).toEqual(['frame', 'types']);
    expect(Object.keys(sensorsQuerySchema.shape)).toEqual(['frame', 'types']);
    const idSchema = ((paths['/ephys/{physio_file_id}']?.get.parameters ?? []) as Json[])[0]?.schema as Json;
    expect(validate('3542773635', idSchema)).toEqual([]);
    expect(validate('0', idSchema)).not.toEqual([]);
    expect(validate('1 OR 1=1', idSchema)).not.toEqual([]);
    const band = ((paths['/ephys/{physio_file_id}/topographic-map']?.get.parameters ?? []) as Json[]).find(
      (p) => p.name === 'band',
    );
    expect(band?.schema).toEqual({ type: 'string', enum: ['delta', 'theta', 'alpha', 'beta', 'gamma'] });
  });

  it('has an example for every route, and every example validates against its published schema', () => {
    for (const { op, path } of operations) {
      const ok = (op.responses as Record<string, Json>)['200']?.content as Record<string, Json>;
      expect([path, Object.values(ok).some((m) => m.example !== undefined)]).toEqual([path, true]);
    }
    const withExamples = mediaObjects().filter(({ media }) => media.example !== undefined);
    expect(withExamples.length).toBeGreaterThanOrEqual(API_ROUTES.length + 2 * 7);
    for (const { where, media } of withExamples) {
      expect([where, validate(media.example, media.schema as Json, '$', { root: doc })]).toEqual([where, []]);
    }
  });

  it('validates every example with the zod schema it was generated from', () => {
    for (const route of API_ROUTES) {
      for (const c of route.content) {
        if (!c.schema) continue;
        const parsed = c.schema.zod.safeParse(c.example);
        expect([route.path, c.mediaType, parsed.success ? [] : parsed.error.issues]).toEqual([
          route.path,
          c.mediaType,
          [],
        ]);
      }
    }
    for (const { where, media } of mediaObjects().filter(({ where }) => / [45]\d\d /.test(where))) {
      if (media.example !== undefined)
        expect([where, errorEnvelopeSchema.safeParse(media.example).success]).toEqual([where, true]);
    }
  });

  it('rejects broken examples (the checks can fail)', () => {
    const sensors = paths['/ephys/{physio_file_id}/sensors']?.get.responses as Record<string, Json>;
    const media = (sensors['200']?.content as Record<string, Json>)['application/json'] as Json;
    const example = structuredClone(media.example) as { channels: { position: number[] }[] };
    example.channels[0]!.position = [0.1, 0.2];
    expect(validate(example, media.schema as Json, '$', { root: doc })).toEqual([
      '$.channels[0].position: matches none of anyOf',
    ]);
    expect(
      validate({ error: { code: 1 } }, { $ref: '#/components/schemas/Error' }, '$', { root: doc }),
    ).toEqual(['$.error.message: required', '$.error.code: expected string']);
  });
});

describe('live answers match the published document', () => {
  let service: OfflineService | undefined;
  let dataDir = '';
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'loris-ephys-openapi-'));
    makeDemo(dataDir);
    service = await startOffline({
      LORIS_EPHYS_MODE: 'standalone',
      LORIS_EPHYS_DATA: dataDir,
      LORIS_EPHYS_LOG_LEVEL: 'warn',
    });
  }, 60000);
  afterAll(async () => {
    await service?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the document at /openapi.json', async () => {
    const answer = await get(`${service!.baseUrl}/openapi.json`);
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual(doc);
  });

  it('answers every route as documented, on the demo recording', async () => {
    const base = service!.baseUrl;
    const list = (await get(`${base}/ephys/recordings`)).json() as { recordings: { id: number }[] };
    const id = String(list.recordings[0]?.id);
    const requests: [string, string][] = [
      ['/health', ''],
      ['/ephys/recordings', ''],
      ['/ephys/{physio_file_id}', ''],
      ['/ephys/{physio_file_id}/sensors', 'frame=head'],
      ['/ephys/{physio_file_id}/meg/sensors', ''],
      ['/ephys/{physio_file_id}/meg/headshape', ''],
      ['/ephys/{physio_file_id}/topographic-map', 'tmin=10&tmax=11&format=json&res=16'],
      ['/ephys/{physio_file_id}/topographic-map', 't=10&size=128'],
      ['/ephys/{physio_file_id}/topographic-map', 't=10&format=svg&size=128'],
      ['/ephys/{physio_file_id}/topographic-map', 't=soon'],
      ['/ephys/{physio_file_id}/sensors', 'frame=nose'],
      ['/openapi.json', ''],
      ['/demo', ''],
    ];
    const statuses: string[] = [];
    for (const [template, query] of requests) {
      const answer = await get(
        `${base}${template.replace('{physio_file_id}', id)}${query ? `?${query}` : ''}`,
      );
      const responses = paths[template]?.get.responses as Record<string, Json>;
      const documented = responses[String(answer.status)]?.content as Record<string, Json> | undefined;
      const type = (answer.headers.get('content-type') ?? '').split(';')[0]!;
      statuses.push(`${answer.status} ${type}`);
      expect([template, query, answer.status, documented?.[type] !== undefined]).toEqual([
        template,
        query,
        answer.status,
        true,
      ]);
      const schema = documented?.[type]?.schema as Json;
      if (type === 'application/json') {
        expect([template, query, validate(answer.json(), schema, '$', { root: doc })]).toEqual([
          template,
          query,
          [],
        ]);
      }
    }
    expect(statuses).toEqual([
      '200 application/json',
      '200 application/json',
      '200 application/json',
      '200 application/json',
      '404 application/json',
      '200 application/json',
      '200 application/json',
      '200 image/png',
      '200 image/svg+xml',
      '400 application/json',
      '400 application/json',
      '200 application/json',
      '200 text/html',
    ]);
  }, 60000);
});
