/** GET /ephys/{physio_file_id}/topographic-map: the scalp map of a window, band or ERP as PNG, SVG or JSON. */
import { createHash } from 'node:crypto';
import {
  header,
  parseWith,
  PRIVATE_REVALIDATE,
  type HandlerResult,
  type HttpEvent,
  type RequestContext,
} from '../../lib/core/http';
import { topomapQuerySchema } from '../../lib/core/topomap-params';
import { openRequestedRecording } from '../../lib/service/requested-recording';
import { moduleHandler } from '../../lib/service/module-handler';
import { getConfig } from '../../lib/service/runtime';
import { computeMap, renderMap, topomapEtag } from '../../lib/service/topomap';

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

const topomap = async (event: HttpEvent, ctx: RequestContext): Promise<HandlerResult> => {
  const query = parseWith(topomapQuerySchema, event.queryStringParameters ?? {});
  const { opened } = await openRequestedRecording(event, ctx, { condition: query.condition });
  const etag = topomapEtag(opened, query, sha1);
  const headers = { ...PRIVATE_REVALIDATE, ETag: etag };
  if (header(event, 'if-none-match') === etag) return { kind: 'empty', status: 304, headers };
  ctx.signal?.throwIfAborted(); // timed out already: skip the compute and render
  const map = await computeMap(opened, query, getConfig().limits, ctx.signal);
  ctx.signal?.throwIfAborted();
  const { contentType, body } = await renderMap(map, opened, query);
  if (body instanceof Uint8Array) return { kind: 'binary', contentType, body, headers };
  if (typeof body === 'string') return { kind: 'text', contentType, body, headers };
  return { kind: 'json', body, headers };
};

// Heavy route: shares the process-wide concurrency cap with sensors and answers 504 past the request timeout.
export const handler = moduleHandler('ephys', 'GET /ephys/{physio_file_id}/topographic-map', topomap, {
  limits: () => getConfig().limits,
});
