'use strict';
/**
 * Serverless plugin for the local HTTP front: `serverless offline` skips osls's JSON-schema check of
 * serverless.yml. Every other command (package, deploy, print) still checks it, in osls's `error` mode.
 *
 * The check compiles the whole AWS provider schema into a generated validator (an 8 MB module) that osls keeps in a
 * module-level cache for the life of the process: in the long-running front that is 21 MB of JavaScript heap
 * (source and bytecode) and 33 MB of RSS that never serve a request (measured 2026-12-06: RSS after start
 * 154 → 122 MB, after the first requests 176 → 141 MB). The configuration the front runs is the one `npm test`
 * packages (test/package.test.ts) and prints (test/deploy/aws-stage.test.ts), both checked.
 */
class OfflineConfigCheckPlugin {
  constructor(serverless) {
    if (isOfflineCommand(serverless.processedInput?.commands)) {
      serverless.configSchemaHandler.validateConfig = async () => {};
    }
  }
}

/** True for `serverless offline` and its subcommands (`offline start`). */
function isOfflineCommand(commands) {
  return Array.isArray(commands) && commands[0] === 'offline';
}

module.exports = OfflineConfigCheckPlugin;
module.exports.isOfflineCommand = isOfflineCommand;
