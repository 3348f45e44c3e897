/** GET /uploads: the caller's own uploads, newest first, at most 100 (module uploads). */
import { json } from '../../lib/core/http';
import { parseQuery } from '../../lib/service/access';
import { moduleHandler } from '../../lib/service/module-handler';
import { getConfig } from '../../lib/service/runtime';
import { callerOf, sweepIfDue, uploadsRuntime } from '../../lib/uploads/runtime';
import { ownRecords, statusOf } from '../../lib/uploads/status';

export const handler = moduleHandler('uploads', 'GET /uploads', async (event, { log }) => {
  parseQuery(event, {});
  const config = getConfig();
  const rt = await uploadsRuntime(config, log);
  const { user } = await callerOf(event, config, log);
  await sweepIfDue(rt, log);
  const records = await ownRecords(rt.records, user.username);
  const uploads = await Promise.all(records.map((record) => statusOf(rt, record)));
  return json({ uploads }, 200, { 'Cache-Control': 'no-store' });
});
