/** GET /ephys/health: liveness and readiness of the service and its dependencies. */
import { httpHandler, json } from '../../lib/core/http';
import '../../lib/service/access-health';
import { runHealthChecks } from '../../lib/service/health';
import { getConfig, SERVICE_VERSION, uptimeSeconds } from '../../lib/service/runtime';

export const handler = httpHandler('GET /ephys/health', async () => {
  const checks = await runHealthChecks(getConfig());
  const ok = Object.values(checks).every((c) => c.ok);
  return json(
    { status: ok ? 'ok' : 'degraded', version: SERVICE_VERSION, uptimeSeconds: uptimeSeconds(), checks },
    ok ? 200 : 503,
    { 'Cache-Control': 'no-store' },
  );
});
