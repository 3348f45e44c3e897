'use strict';
/**
 * Serverless plugin for the local HTTP front: prints `Server ready: http://<host>:<port> 🚀` once serverless-offline
 * listens, when serverless's notices are off.
 *
 * scripts/start.mjs runs serverless at SLS_LOG_LEVEL=warning by default: at its default level (notice)
 * serverless-offline writes two lines for every request, which cost 0.37 ms of the front's CPU per request under
 * `npm run load` (measured 2026-12-06, 12 % of the main thread's work), and the service logs each request itself
 * (one structured line). Its start-up notices (the route table, "Server ready") go with them, so this plugin keeps
 * the ready line that operators, scripts and tests wait for. SLS_LOG_LEVEL=notice brings serverless-offline's own
 * lines back, and then this plugin stays silent.
 */
const QUIET_LEVELS = new Set(['error', 'warning']);

class ReadyBannerPlugin {
  constructor(serverless) {
    this.hooks = {
      // serverless-offline's own init hook has started its servers when this runs.
      'after:offline:start:init': () => {
        if (!QUIET_LEVELS.has(process.env.SLS_LOG_LEVEL)) return;
        const settings = serverless.service.custom?.['serverless-offline'] ?? {};
        const host = settings.host ?? 'localhost';
        const port = settings.httpPort ?? 3000;
        process.stdout.write(`Server ready: http://${host}:${port} 🚀\n`);
      },
    };
  }
}

module.exports = ReadyBannerPlugin;
