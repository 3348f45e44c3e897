/** GET /ephys/{physio_file_id}/topographic-map: the scalp map of a window, band or ERP as PNG, SVG or JSON. */
import { runsAlone } from '../../lib/core/concurrency';
import {
  HEAVY_LIMITER,
  header,
  parseWith,
  PRIVATE_REVALIDATE,
  serverTiming,
  type HandlerResult,
  type HttpEvent,
  type RequestContext,
} from '../../lib/core/http';
import { topomapQuerySchema } from '../../lib/core/topomap-params';
import { moduleHandler } from '../../lib/service/module-handler';
import { processAnswerCache, runThroughCache } from '../../lib/service/answer-cache';
import { mapRunner } from '../../lib/service/map-runner';
import { mapAnswer, type MapAnswer } from '../../lib/service/map-task';
import { authorizeWithExtras, recordingSource } from '../../lib/service/requested-recording';
import { getConfig } from '../../lib/service/runtime';

// Authorisation and LORIS's knowledge of the recording here; a picture asked for before comes from the answer
// cache; opening, computing and rendering in a map worker (dist/topomap/worker.js beside this bundle), or in this
// thread on Lambda (lib/service/map-runner.ts).
const topomap = async (event: HttpEvent, ctx: RequestContext): Promise<HandlerResult> => {
  const started = performance.now();
  const query = parseWith(topomapQuerySchema, event.queryStringParameters ?? {});
  const config = getConfig();
  // LORIS's events only for an ERP map: a recording may have thousands, and the task is copied to a map worker.
  const events = query.metric === 'erp';
  const { access, extras } = await authorizeWithExtras(event, ctx.log, { events });
  const source = await recordingSource(access, { condition: query.condition, prefetched: extras, events });
  ctx.signal?.throwIfAborted(); // timed out already: no task
  const authorised = performance.now();
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
  const headers = config.serverTiming
    ? {
        ...PRIVATE_REVALIDATE,
        'Server-Timing': timingOf(authorised - started, performance.now() - authorised, result),
      }
    : PRIVATE_REVALIDATE;
  return mapAnswer(result, headers);
};

/**
 * LORIS_EPHYS_SERVER_TIMING: `auth` (the query, authorisation and LORIS's knowledge of the recording), `map` (the
 * answer cache or a map worker, hand-offs included), and the map task's own stages when it made the picture
 * (`open`, `compute`, `draw`; none for an answer kept from before).
 */
function timingOf(authMs: number, mapMs: number, result: MapAnswer): string {
  const stages: [string, number][] = [
    ['auth', authMs],
    ['map', mapMs],
  ];
  const made = result.kind === 'error' || result.kind === 'not-modified' ? undefined : result.timing;
  if (made) stages.push(['open', made.openMs], ['compute', made.computeMs], ['draw', made.drawMs]);
  return serverTiming(stages);
}

// Heavy route: shares the process-wide concurrency cap with sensors and answers 504 past the request timeout.
export const handler = moduleHandler('ephys', 'GET /ephys/{physio_file_id}/topographic-map', topomap, {
  limits: () => getConfig().limits,
});
