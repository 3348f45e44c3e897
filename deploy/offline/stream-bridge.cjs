'use strict';
/**
 * Serverless plugin for the local HTTP front (serverless-offline, handlers in-process): streamed answers.
 *
 * A Lambda result's body is a string, so serverless-offline cannot send a handler's stream. This plugin puts a
 * hand-over table on `globalThis` (Symbol.for('loris-ephys-api.stream-bridge.v1'), read by
 * lib/core/stream-bridge.ts in the handler bundles). A handler with a streamed body registers it there under a
 * random one-time token and answers with an empty body and the token in the internal header
 * `x-loris-ephys-stream`. This plugin's hapi extension (onPreResponse) removes that header from every answer
 * and, when the token is registered, sends the registered stream instead of the empty body, with the handler's
 * status and headers: hapi pipes it to the client with back-pressure, so memory stays bounded.
 * A token that is not registered (it cannot happen unless something is broken) gives 500 internal_error. With
 * handlers in worker threads (LORIS_EPHYS_IN_PROCESS=false) the handlers do not see the table and buffer.
 */
const { beforeServerStart } = require('./hapi-start.cjs');

const BRIDGE_SYMBOL = Symbol.for('loris-ephys-api.stream-bridge.v1');
const TOKEN_HEADER = 'x-loris-ephys-stream';

function bridge() {
  if (!globalThis[BRIDGE_SYMBOL]) globalThis[BRIDGE_SYMBOL] = { entries: new Map() };
  return globalThis[BRIDGE_SYMBOL];
}

function tokenOf(headers) {
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() !== TOKEN_HEADER) continue;
    const value = headers[name];
    delete headers[name];
    return Array.isArray(value) ? String(value[0]) : String(value);
  }
  return undefined;
}

function sendStream(request, h) {
  const response = request.response;
  if (!response || response.isBoom || !response.headers) return h.continue;
  const token = tokenOf(response.headers);
  if (token === undefined) return h.continue;
  const entries = bridge().entries;
  const entry = entries.get(token);
  entries.delete(token);
  if (!entry) {
    return h
      .response(JSON.stringify({ error: { code: 'internal_error', message: 'The answer was lost.' } }))
      .type('application/json; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .code(500);
  }
  // A body already in memory is sent as it is (hapi sets its length); anything else streams.
  const payload = entry.bytes ?? entry.open();
  const replacement = h.response(payload).code(response.statusCode);
  for (const [name, value] of Object.entries(response.headers)) {
    replacement.header(name, Array.isArray(value) ? value.join(', ') : String(value));
  }
  // Not a takeover: later onPreResponse extensions (the origin guard's CORS filter) still see the answer.
  return replacement;
}

class StreamBridgePlugin {
  constructor() {
    bridge();
    beforeServerStart('stream-bridge', (server) => server.ext('onPreResponse', sendStream));
    this.hooks = {};
  }
}

module.exports = StreamBridgePlugin;
module.exports.TOKEN_HEADER = TOKEN_HEADER;
