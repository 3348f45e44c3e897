/** GET /ephys/{physio_file_id}/topographic-map: the scalp map of a window, band or ERP as PNG, SVG or JSON. */
import { runsAlone } from '../../lib/core/concurrency';
import {
  HEAVY_LIMITER,
  header,
  parseWith,
  PRIVATE_REVALIDATE,
  type HandlerResult,
  type HttpEvent,
  type RequestContext,
} from '../../lib/core/http';
import { topomapQuerySchema } from '../../lib/core/topomap-params';
import { moduleHandler } from '../../lib/service/module-handler';
import { processAnswerCache, runThroughCache } from '../../lib/service/answer-cache';
import { mapRunner } from '../../lib/service/map-runner';
import { mapAnswer } from '../../lib/service/map-task';
import { authorizeWithExtras, recordingSource } from '../../lib/service/requested-recording';
import { getConfig } from '../../lib/service/runtime';

// Authorisation and LORIS's knowledge of the recording here; a picture asked for before comes from the answer
// cache; opening, computing and rendering in a map worker (dist/topomap/worker.js beside this bundle), or in this
// thread on Lambda (lib/service/map-runner.ts).
const topomap = async (event: HttpEvent, ctx: RequestContext): Promise<HandlerResult> => {
  const query = parseWith(topomapQuerySchema, event.queryStringParameters ?? {});
  const config = getConfig();
  // LORIS's events only for an ERP map: a recording may have thousands, and the task is copied to a map worker.
  const events = query.metric === 'erp';
  const { access, extras } = await authorizeWithExtras(event, ctx.log, { events });
  const source = await recordingSource(access, { condition: query.condition, prefetched: extras, events });
  ctx.signal?.throwIfAborted(); // timed out already: no task
  const runner = mapRunner(config.workers, __dirname);
  const result = await runThroughCache(
    runner,
    processAnswerCache(config.answerCacheMb),
    {
      requestId: ctx.requestId,
      route: ctx.route,
      logLevel: config.logLevel,
      source,
      query,
      limits: config.limits,
      ifNoneMatch: header(event, 'if-none-match'),
      // The only heavy request in the process: the pool may have two idle workers make half of the PNG each.
      spareCore: runsAlone(HEAVY_LIMITER),
    },
    ctx.signal,
  );
  return mapAnswer(result, PRIVATE_REVALIDATE);
};

// Heavy route: shares the process-wide concurrency cap with sensors and answers 504 past the request timeout.
export const handler = moduleHandler('ephys', 'GET /ephys/{physio_file_id}/topographic-map', topomap, {
  limits: () => getConfig().limits,
});
