/**
 * GET /openapi.json: the OpenAPI 3.1 description of every route, built from the handlers' schemas. LORIS's
 * viewer switches each imaging feature on when its path is listed here. `servers` names where the caller
 * reaches us (the gateway's public URL when a loopback front says so). Only the modules switched on are listed.
 */
import { z } from 'zod';
import { openApiDocument } from '../../lib/api/openapi';
import { publicUrl } from '../../lib/core/forwarded';
import { httpHandler, json, parseWith } from '../../lib/core/http';
import { getConfig, SERVICE_VERSION } from '../../lib/service/runtime';

export const handler = httpHandler('GET /openapi.json', async (event) => {
  parseWith(z.object({}).strict(), event.queryStringParameters ?? {});
  const serverUrl = publicUrl(event, '') || '/';
  return json(openApiDocument({ version: SERVICE_VERSION, serverUrl, modules: getConfig().modules }), 200, {
    'Cache-Control': 'no-cache',
  });
});
