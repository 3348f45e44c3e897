/** GET /uploads/{upload_id}: the caller's upload, its state following LORIS's rows (module uploads). */
import { json } from '../../lib/core/http';
import { parseQuery } from '../../lib/service/access';
import { moduleHandler } from '../../lib/service/module-handler';
import { getConfig } from '../../lib/service/runtime';
import { callerOf, ownRecord, sweepIfDue, uploadsRuntime } from '../../lib/uploads/runtime';
import { refreshed, statusOf } from '../../lib/uploads/status';

export const handler = moduleHandler('uploads', 'GET /uploads/{upload_id}', async (event, { log }) => {
  parseQuery(event, {});
  const config = getConfig();
  const rt = await uploadsRuntime(config, log);
  const { db, user } = await callerOf(event, config, log);
  await sweepIfDue(rt, log);
  const record = await ownRecord(rt.records, event.pathParameters?.upload_id, user);
  const status = await statusOf(rt, await refreshed(rt.records, db, record, log));
  return json(status, 200, { 'Cache-Control': 'no-store' });
});
