/**
 * GET /demo: the demo page (HTML with inline script and style, strict Content-Security-Policy); it lists the
 * recording's MEEGqc reports when the meegqc module is on.
 */
import { publicBase } from '../../lib/core/forwarded';
import { httpHandler, parseWith } from '../../lib/core/http';
import { isModuleEnabled } from '../../lib/core/modules';
import { DEMO_CSP, demoPage, demoQuerySchema } from '../../lib/demo/page';
import { getConfig } from '../../lib/service/runtime';

export const handler = httpHandler('GET /demo', async (event) => {
  const query = parseWith(demoQuerySchema, event.queryStringParameters ?? {});
  return {
    kind: 'text',
    contentType: 'text/html; charset=utf-8',
    body: demoPage(query.id, publicBase(event).prefix, {
      meegqc: isModuleEnabled(getConfig().modules, 'meegqc'),
    }),
    headers: {
      'Content-Security-Policy': DEMO_CSP,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    },
  };
});
