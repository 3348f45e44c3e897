/**
 * The OpenAPI 3.1 description of the service, generated from the zod schemas the handlers validate with
 * (query and path parameters) and the response schemas of lib/core/api-schemas.ts and each module. `API_ROUTES`
 * is the one table of routes: the service routes below and every module's (lib/modules.ts); the document lists
 * only the service routes and those of the modules switched on. The tests check the table against
 * serverless.yml and validate every example against its schema.
 */
import { z } from 'zod';
import { physioFileIdSchema } from '../service/access';
import { demoQuerySchema } from '../demo/page';
import { errorEnvelopeSchema, healthResponseSchema, openApiDocumentSchema } from '../core/api-schemas';
import { DEFAULT_MODULES, MODULE_NAMES, parseModuleList, type ModuleName } from '../core/modules';
import { SERVICE_MODULES } from '../modules';
import examples from './openapi-examples.json';
import { schemaRef, type ApiRoute } from './route-types';

export type { ApiRoute, ResponseContent } from './route-types';

type JsonObject = Record<string, unknown>;

/** Routes of no module: always on. */
const SERVICE_ROUTES: ApiRoute[] = [
  {
    module: 'service',
    functionName: 'health',
    path: '/health',
    operationId: 'getHealth',
    summary: 'Liveness and readiness',
    description:
      'Status of the service and its dependencies (configuration, database, JWT key, data directory).',
    tag: 'service',
    authenticated: false,
    query: null,
    content: [
      {
        mediaType: 'application/json',
        schema: schemaRef('Health', healthResponseSchema),
        example: examples.health,
      },
    ],
    errors: [503],
  },
  {
    module: 'service',
    functionName: 'openapi',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document',
    description: 'The OpenAPI 3.1 description of every route.',
    tag: 'documentation',
    authenticated: false,
    query: z.object({}).strict(),
    content: [
      {
        mediaType: 'application/json',
        schema: schemaRef('OpenApiDocument', openApiDocumentSchema),
        example: { openapi: '3.1.0', info: { title: 'loris-ephys-api', version: '0.1.0' }, paths: {} },
      },
    ],
    errors: [400],
  },
  {
    module: 'service',
    functionName: 'demo',
    path: '/demo',
    operationId: 'getDemoPage',
    summary: 'Demo page',
    description:
      'An HTML page to try the service on one recording (time slider, window, band and filter controls, the ' +
      'map, a 3D sensor view). It calls only the routes above.',
    tag: 'documentation',
    authenticated: false,
    query: demoQuerySchema,
    content: [{ mediaType: 'text/html', schema: null, example: '<!doctype html>\n<html lang="en">…</html>' }],
    errors: [400],
  },
];

/** Every route: the service routes and every module's, in this order (health first, documentation last). */
export const API_ROUTES: ApiRoute[] = [
  ...SERVICE_ROUTES.filter((r) => r.tag === 'service'),
  ...SERVICE_MODULES.flatMap((m) => m.routes),
  ...SERVICE_ROUTES.filter((r) => r.tag !== 'service'),
];

const SERVICE_TAGS = [
  { name: 'service', description: 'Health' },
  { name: 'documentation', description: 'This description and the demo page' },
];

/** JSON Schema (2020-12, OpenAPI 3.1's dialect) of a zod schema, as the request or the answer sees it. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

function queryParameters(query: z.ZodObject): JsonObject[] {
  const schema = jsonSchema(query, 'input');
  const properties = (schema.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: 'query',
      required: required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: propertySchema,
    };
  });
}

const pathParameter = () => ({
  name: 'physio_file_id',
  in: 'path',
  required: true,
  description: 'PhysiologicalFileID in LORIS; in standalone mode the id listed by /ephys/recordings',
  schema: jsonSchema(physioFileIdSchema, 'input'),
});

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (invalid_request lists the failing parameters; invalid_time, window_too_long, ...)',
  401: 'Missing, invalid or expired LORIS token',
  403: 'The account may not see this recording',
  404: 'No such recording (or no such thing for it: not_meg, no_head_shape, not_available, meegqc_file_not_found)',
  413: 'The answer is too large for this runtime (response_too_large: AWS Lambda, which cannot stream)',
  416: 'The Range asked for lies outside the file',
  415: 'Unsupported recording format',
  422: 'The recording cannot be read',
  500: 'Internal error (the answer carries a requestId)',
  503: 'A dependency is unavailable (database, JWT key)',
};

const ERROR_EXAMPLES: Record<number, unknown> = { 400: examples.invalidRequest, 404: examples.notFound };

function responses(route: ApiRoute): JsonObject {
  const content = Object.fromEntries(
    route.content.map((c) => [
      c.mediaType,
      {
        schema: c.schema ? { $ref: `#/components/schemas/${c.schema.name}` } : { type: 'string' },
        ...(c.example !== undefined ? { example: c.example } : {}),
      },
    ]),
  );
  const success = route.success;
  const result: JsonObject = success
    ? {
        [success.status]: {
          description: success.description,
          ...(success.headers
            ? {
                headers: Object.fromEntries(
                  success.headers.map((h) => [
                    h.name,
                    { description: h.description, schema: { type: 'string' } },
                  ]),
                ),
              }
            : {}),
        },
      }
    : { 200: { description: 'OK', content } };
  if (route.ranges) result[206] = { description: 'Partial content (the Range asked for)', content };
  if (route.etag) result[304] = { description: 'Not modified (If-None-Match matched the ETag)' };
  for (const status of route.errors) {
    const example = ERROR_EXAMPLES[status];
    result[status] = {
      description: route.errorDescriptions?.[status] ?? ERROR_DESCRIPTIONS[status] ?? 'Error',
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/Error' },
          ...(example ? { example } : {}),
        },
      },
    };
  }
  return result;
}

function operation(route: ApiRoute): JsonObject {
  const header = (name: string) => ({ name, in: 'header', required: false, schema: { type: 'string' } });
  const parameters = [
    ...(route.path.includes('{physio_file_id}') ? [pathParameter()] : []),
    ...(route.pathParameters ?? []).map((p) => ({
      name: p.name,
      in: 'path',
      required: true,
      description: p.description,
      schema: jsonSchema(p.schema, 'input'),
    })),
    ...(route.query ? queryParameters(route.query) : []),
    ...(route.etag ? [header('If-None-Match')] : []),
    ...(route.ranges ? [header('Range'), header('If-Range')] : []),
    ...(route.requestHeaders ?? []).map((h) => ({
      ...header(h.name),
      required: h.required ?? false,
      description: h.description,
    })),
  ];
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: route.description,
    tags: [route.tag],
    ...(route.authenticated ? {} : { security: [] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    responses: responses(route),
  };
}

/** `{path: {method: operation}}`, the routes of one path (several methods) under one item. */
function pathItems(routes: ApiRoute[]): JsonObject {
  const items: Record<string, JsonObject> = {};
  for (const route of routes) {
    items[route.path] = { ...items[route.path], [route.method ?? 'get']: operation(route) };
  }
  return items;
}

function componentSchemas(routes: ApiRoute[]): JsonObject {
  const named = routes.flatMap((r) => r.content.flatMap((c) => (c.schema ? [c.schema] : [])));
  const schemas: JsonObject = { Error: jsonSchema(errorEnvelopeSchema, 'output') };
  for (const { name, zod } of named) schemas[name] = jsonSchema(zod, 'output');
  return schemas;
}

/** The routes a service with `modules` switched on answers: the service routes and those modules'. */
export const enabledRoutes = (modules: readonly ModuleName[]): ApiRoute[] =>
  API_ROUTES.filter((r) => r.module === 'service' || modules.includes(r.module));

/**
 * The whole document; `version` is the service's package version, `serverUrl` where clients reach the service
 * (behind LORIS's gateway, e.g. `https://site/loris/imaging_gateway`; '/' when called directly), `modules` the
 * modules switched on (default: LORIS_EPHYS_MODULES's default), whose routes alone are listed.
 */
export function openApiDocument({
  version,
  serverUrl = '/',
  modules = parseModuleList.parse(DEFAULT_MODULES),
}: {
  version: string;
  serverUrl?: string;
  modules?: readonly ModuleName[];
}): JsonObject {
  const routes = enabledRoutes(modules);
  const moduleTags = SERVICE_MODULES.filter((m) => modules.includes(m.name)).flatMap((m) => m.tags);
  const usedTags = new Set(routes.map((r) => r.tag));
  return {
    openapi: '3.1.0',
    info: {
      title: 'loris-ephys-api',
      version,
      summary: "LORIS's electrophysiology imaging API",
      description:
        'EEG/MEG topographic maps and sensor positions for LORIS recordings, exact against MNE-Python 1.3, and ' +
        'the MEEGqc quality-control reports of a recording (modules: ' +
        MODULE_NAMES.filter((m) => modules.includes(m)).join(', ') +
        '). ' +
        'In LORIS mode every recording route needs a LORIS JWT (Authorization: Bearer); behind the LORIS ' +
        'proxy the proxy adds it. Standalone mode has no authentication and runs on loopback only.',
      license: { name: 'GPL-3.0-or-later', identifier: 'GPL-3.0-or-later' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: serverUrl }],
    tags: [SERVICE_TAGS[0], ...moduleTags, SERVICE_TAGS[1]].filter((t) => t && usedTags.has(t.name)),
    security: [{ bearerAuth: [] }],
    paths: pathItems(routes),
    components: {
      schemas: componentSchemas(routes),
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A LORIS JWT (HS256 with LORIS JWTKey, claim user = login name)',
        },
      },
    },
  };
}
