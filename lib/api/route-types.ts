/**
 * The shape of one documented route and of one module (lib/modules.ts lists the modules). The OpenAPI document
 * (lib/api/openapi.ts) is built from these, keeping only the routes of the modules that are switched on.
 */
import type { z } from 'zod';
import type { ModuleName } from '../core/modules';
import type { HealthCheck } from '../service/health';

export interface ResponseContent {
  /** Media type of the 200 answer. */
  mediaType: string;
  /** Named component schema (JSON answers) or null for text and binary bodies. */
  schema: { name: string; zod: z.ZodType } | null;
  example?: unknown;
}

/** A path parameter besides physio_file_id (which every recording route has and is documented once). */
export interface PathParameter {
  name: string;
  description: string;
  schema: z.ZodType;
}

export type HttpMethod = 'get' | 'post' | 'head' | 'patch' | 'delete' | 'options';

/** A request or answer header a route documents. */
export interface HeaderDoc {
  name: string;
  description: string;
  required?: boolean;
}

export interface ApiRoute {
  /** The HTTP method (default get). */
  method?: HttpMethod;
  /** The module the route belongs to; `service` routes (/health, /openapi.json, /demo) are always on. */
  module: ModuleName | 'service';
  /** The function in serverless.yml. */
  functionName: string;
  path: string;
  operationId: string;
  summary: string;
  description: string;
  /** A tag of the document (SERVICE_TAGS in lib/api/openapi.ts or one of the module's `tags`). */
  tag: string;
  /** Needs a LORIS token in LORIS mode (standalone mode has no authentication). */
  authenticated: boolean;
  query: z.ZodObject | null;
  /** Path parameters other than physio_file_id, in path order. */
  pathParameters?: PathParameter[];
  content: ResponseContent[];
  errors: number[];
  /** Answers 304 to a matching If-None-Match. */
  etag?: boolean;
  /** Honours Range (206, 416). */
  ranges?: boolean;
  /** The success answer when it is not `200` with `content` (tus: 201/204 with headers only). */
  success?: { status: number; description: string; headers?: HeaderDoc[] };
  /** Request headers the route reads (tus headers). */
  requestHeaders?: HeaderDoc[];
  /** What an error status means on this route, where the service-wide description does not fit. */
  errorDescriptions?: Record<number, string>;
}

export interface ServiceModule {
  name: ModuleName;
  /** One line for the README and the document's tags. */
  summary: string;
  tags: { name: string; description: string }[];
  routes: ApiRoute[];
  /** Health checks reported by /health while the module is on (names prefixed by the module's). */
  healthChecks: Record<string, HealthCheck>;
}

export const RECORDING_ERRORS = [400, 401, 403, 404, 415, 422, 500, 503];
export const schemaRef = (name: string, zod: z.ZodType) => ({ name, zod });
