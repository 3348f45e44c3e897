/**
 * The OpenAPI 3.1 description of the service, generated from the zod schemas the handlers validate with
 * (query and path parameters) and the response schemas of lib/core/api-schemas.ts. `API_ROUTES` is the one
 * table of routes; the tests check it against serverless.yml and validate every example against its schema.
 */
import { z } from 'zod';
import { physioFileIdSchema } from '../service/access';
import { demoQuerySchema } from '../demo/page';
import {
  errorEnvelopeSchema,
  headShapeResponseSchema,
  healthResponseSchema,
  megSensorsResponseSchema,
  openApiDocumentSchema,
  recordingListSchema,
  recordingMetadataSchema,
  sensorsResponseSchema,
  topomapJsonSchema,
} from '../core/api-schemas';
import examples from './openapi-examples.json';
import { sensorsQuerySchema } from '../core/sensors-params';
import { topomapQuerySchema } from '../core/topomap-params';

type JsonObject = Record<string, unknown>;

export interface ResponseContent {
  /** Media type of the 200 answer. */
  mediaType: string;
  /** Named component schema (JSON answers) or null for text and binary bodies. */
  schema: { name: string; zod: z.ZodType } | null;
  example?: unknown;
}

export interface ApiRoute {
  /** The function in serverless.yml. */
  functionName: string;
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tag: 'service' | 'recordings' | 'maps' | 'documentation';
  /** Needs a LORIS token in LORIS mode (standalone mode has no authentication). */
  authenticated: boolean;
  query: z.ZodObject | null;
  content: ResponseContent[];
  errors: number[];
  /** Answers 304 to a matching If-None-Match. */
  etag?: boolean;
}

const RECORDING_ERRORS = [400, 401, 403, 404, 415, 422, 500, 503];
const schemaRef = (name: string, zod: z.ZodType) => ({ name, zod });

export const API_ROUTES: ApiRoute[] = [
  {
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
    functionName: 'recordings',
    path: '/ephys/recordings',
    operationId: 'listRecordings',
    summary: 'Recordings of the standalone data directory',
    description:
      'Standalone mode only (404 not_available in LORIS mode, where LORIS lists recordings itself).',
    tag: 'recordings',
    authenticated: false,
    query: z.object({}).strict(),
    content: [
      {
        mediaType: 'application/json',
        schema: schemaRef('RecordingList', recordingListSchema),
        example: examples.recordings,
      },
    ],
    errors: [400, 404, 500],
  },
  {
    functionName: 'recording',
    path: '/ephys/{physio_file_id}',
    operationId: 'getRecording',
    summary: 'Metadata of one recording',
    description: 'The LORIS metadata of a recording the caller may see (session, site, project, file name).',
    tag: 'recordings',
    authenticated: true,
    query: z.object({}).strict(),
    content: [
      {
        mediaType: 'application/json',
        schema: schemaRef('RecordingMetadata', recordingMetadataSchema),
        example: examples.recording,
      },
    ],
    errors: RECORDING_ERRORS,
  },
  {
    functionName: 'sensors',
    path: '/ephys/{physio_file_id}/sensors',
    operationId: 'getSensors',
    summary: 'Sensor and electrode positions',
    description:
      'Positions (metres) and MEG coil frames in the head or device frame, fiducials and the device-to-head ' +
      'transform, for a 3D view.',
    tag: 'recordings',
    authenticated: true,
    query: sensorsQuerySchema,
    content: [
      {
        mediaType: 'application/json',
        schema: schemaRef('Sensors', sensorsResponseSchema),
        example: examples.sensors,
      },
    ],
    errors: RECORDING_ERRORS,
  },
  {
    functionName: 'meg-sensors',
    path: '/ephys/{physio_file_id}/meg/sensors',
    operationId: 'getMegSensors',
    summary: 'MEG sensor positions (proof-of-concept shape)',
    description:
      'MEG channel positions by name in the head frame (metres); 404 not_meg for recordings without MEG.',
    tag: 'recordings',
    authenticated: true,
    query: z.object({}).strict(),
    content: [
      {
        mediaType: 'application/json',
        schema: schemaRef('MegSensors', megSensorsResponseSchema),
        example: examples.megSensors,
      },
    ],
    errors: RECORDING_ERRORS,
  },
  {
    functionName: 'meg-headshape',
    path: '/ephys/{physio_file_id}/meg/headshape',
    operationId: 'getHeadShape',
    summary: 'Digitised head shape',
    description:
      'Head-shape points in the head frame (metres): from LORIS (CTF headshape.pos) or from the recording; ' +
      '404 no_head_shape when neither has any.',
    tag: 'recordings',
    authenticated: true,
    query: z.object({}).strict(),
    content: [
      {
        mediaType: 'application/json',
        schema: schemaRef('HeadShape', headShapeResponseSchema),
        example: examples.headshape,
      },
    ],
    errors: RECORDING_ERRORS,
  },
  {
    functionName: 'topomap',
    path: '/ephys/{physio_file_id}/topographic-map',
    operationId: 'getTopographicMap',
    summary: 'Topographic map of a time window, band or ERP',
    description:
      'The scalp map as MNE-Python 1.3 draws it (plot_topomap): mean, RMS, band power or ERP of a window, ' +
      'optionally band-pass filtered, as PNG, SVG or JSON (format=).',
    tag: 'maps',
    authenticated: true,
    query: topomapQuerySchema,
    content: [
      { mediaType: 'image/png', schema: null },
      { mediaType: 'image/svg+xml', schema: null },
      {
        mediaType: 'application/json',
        schema: schemaRef('TopographicMap', topomapJsonSchema),
        example: examples.topomap,
      },
    ],
    errors: RECORDING_ERRORS,
    etag: true,
  },
  {
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
  404: 'No such recording (or no such thing for it: not_meg, no_head_shape, not_available)',
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
  const result: JsonObject = { 200: { description: 'OK', content } };
  if (route.etag) result[304] = { description: 'Not modified (If-None-Match matched the ETag)' };
  for (const status of route.errors) {
    const example = ERROR_EXAMPLES[status];
    result[status] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'Error',
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
  const parameters = [
    ...(route.path.includes('{physio_file_id}') ? [pathParameter()] : []),
    ...(route.query ? queryParameters(route.query) : []),
    ...(route.etag
      ? [{ name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }]
      : []),
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

function componentSchemas(): JsonObject {
  const named = API_ROUTES.flatMap((r) => r.content.flatMap((c) => (c.schema ? [c.schema] : [])));
  const schemas: JsonObject = { Error: jsonSchema(errorEnvelopeSchema, 'output') };
  for (const { name, zod } of named) schemas[name] = jsonSchema(zod, 'output');
  return schemas;
}

/**
 * The whole document; `version` is the service's package version, `serverUrl` where clients reach the service
 * (behind LORIS's gateway, e.g. `https://site/loris/imaging_gateway`; '/' when called directly).
 */
export function openApiDocument({
  version,
  serverUrl = '/',
}: {
  version: string;
  serverUrl?: string;
}): JsonObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'loris-ephys-api',
      version,
      summary: "LORIS's electrophysiology imaging API",
      description:
        'EEG/MEG topographic maps and sensor positions for LORIS recordings, exact against MNE-Python 1.3. ' +
        'In LORIS mode every recording route needs a LORIS JWT (Authorization: Bearer); behind the LORIS ' +
        'proxy the proxy adds it. Standalone mode has no authentication and runs on loopback only.',
      license: { name: 'GPL-3.0-or-later', identifier: 'GPL-3.0-or-later' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: serverUrl }],
    tags: [
      { name: 'service', description: 'Health' },
      { name: 'recordings', description: 'Recordings, their metadata and sensor positions' },
      { name: 'maps', description: 'Topographic maps' },
      { name: 'documentation', description: 'This description and the demo page' },
    ],
    security: [{ bearerAuth: [] }],
    paths: Object.fromEntries(API_ROUTES.map((route) => [route.path, { get: operation(route) }])),
    components: {
      schemas: componentSchemas(),
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
