/** GET /ephys/openapi.json: the OpenAPI 3.1 description of every route, built from the handlers' schemas. */
import { httpHandler, json, parseWith } from '../../lib/core/http';
import { z } from 'zod';
import { openApiDocument } from '../../lib/core/openapi';
import { SERVICE_VERSION } from '../../lib/service/runtime';

export const handler = httpHandler('GET /ephys/openapi.json', async (event) => {
  parseWith(z.object({}).strict(), event.queryStringParameters ?? {});
  return json(openApiDocument({ version: SERVICE_VERSION }), 200, { 'Cache-Control': 'public, max-age=300' });
});
