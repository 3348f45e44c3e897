/** GET /ephys/{physioFileId}/topographic-map: the scalp map of a window, band or ERP as PNG, SVG or JSON. */
import { createHash } from 'node:crypto';
import { header, httpHandler, parseWith, type HandlerResult } from '../../lib/core/http';
import { topomapQuerySchema } from '../../lib/core/topomap-params';
import { openRequestedRecording } from '../../lib/service/requested-recording';
import { getConfig } from '../../lib/service/runtime';
import { computeMap, renderMap, topomapEtag } from '../../lib/service/topomap';

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

export const handler = httpHandler('GET /ephys/{physioFileId}/topographic-map', async (event, ctx): Promise<HandlerResult> => {
  const query = parseWith(topomapQuerySchema, event.queryStringParameters ?? {});
  const { opened } = await openRequestedRecording(event, ctx, { condition: query.condition });
  const etag = topomapEtag(opened, query, sha1);
  const headers = { 'Cache-Control': 'private, max-age=3600', ETag: etag };
  if (header(event, 'if-none-match') === etag) return { kind: 'empty', status: 304, headers };
  const map = await computeMap(opened, query, getConfig().limits);
  const { contentType, body } = await renderMap(map, opened, query);
  if (body instanceof Uint8Array) return { kind: 'binary', contentType, body, headers };
  if (typeof body === 'string') return { kind: 'text', contentType, body, headers };
  return { kind: 'json', body, headers };
});
