/**
 * GET /health: whether the service can serve (200) or not (503: database, JWT key or data directory).
 * LORIS's viewer asks with `Accept: text/plain` and reads only the status; other callers get JSON, with the
 * checks' details for those allowed to read them. No token is needed, and a bad one is ignored.
 */
import { header, httpHandler, json } from '../../lib/core/http';
import { mayReadHealthDetails } from '../../lib/service/access-health';
import { moduleHealthChecks } from '../../lib/modules';
import { runHealthChecks } from '../../lib/service/health';
import { getConfig, SERVICE_VERSION, uptimeSeconds } from '../../lib/service/runtime';

const NO_STORE = { 'Cache-Control': 'no-store' };

export const handler = httpHandler('GET /health', async (event) => {
  const config = getConfig();
  const checks = await runHealthChecks(config, moduleHealthChecks(config.modules));
  const ok = Object.values(checks).every((c) => c.ok);
  const status = ok ? 200 : 503;
  const wantsText = (header(event, 'accept') ?? '').toLowerCase().startsWith('text/plain');
  if (wantsText) {
    const body = ok ? 'ok\n' : 'unavailable\n';
    return { kind: 'text', status, contentType: 'text/plain; charset=utf-8', body, headers: NO_STORE };
  }
  const summary = { status: ok ? 'ok' : 'degraded', version: SERVICE_VERSION };
  if (!(await mayReadHealthDetails(event, config))) return json(summary, status, NO_STORE);
  return json({ ...summary, uptimeSeconds: uptimeSeconds(), checks }, status, NO_STORE);
});
