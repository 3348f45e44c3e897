'use strict';
/**
 * Serverless plugin for the local HTTP front (serverless-offline): tus request bodies (module uploads).
 *
 * serverless-offline buffers a request body (hapi, at most 10 MiB) and hands it to the handler as a string:
 * base64 only when the Content-Type contains `application/octet-stream`, else decoded as UTF-8 — which would
 * corrupt tus's `application/offset+octet-stream`. For /tus/upload paths this plugin:
 * - hands the body over in-process (lib/core/body-bridge.ts), once a handler bundle in this thread has announced
 *   itself (`consumer`): the route's payload becomes `output: 'stream'` (hapi's route settings are read per
 *   request), so the body is the request stream itself, unread, which the handler writes to the upload as it
 *   arrives — memory stays constant, there are no copies; it goes into a table on `globalThis` under a random
 *   one-time token sent to the handler in the internal header `x-loris-ephys-body`, and the event's body is
 *   empty (a request parsed before the switch hands over hapi's Buffer the same way). A client's own
 *   `x-loris-ephys-body` header is removed first, and an entry no handler claimed is dropped when the answer
 *   goes out (hapi drains an unread body). hapi refuses a streamed Content-Length over 64 MiB;
 * - otherwise (handlers in worker threads, or before the first handler loaded) makes hapi's view of the type
 *   `application/octet-stream`, so the body arrives intact as base64 (the handler still sees the header the
 *   client sent: serverless-offline builds the event from the raw headers);
 * - answers a body over hapi's limit with 413 chunk_too_large in the service's error shape.
 */
const { randomUUID } = require('node:crypto');
const { beforeServerStart } = require('./hapi-start.cjs');

const TUS_PREFIX = '/tus/upload';
const TUS_TYPE = 'application/offset+octet-stream';
const BODY_SYMBOL = Symbol.for('loris-ephys-api.request-body.v1');
const BODY_TOKEN_HEADER = 'x-loris-ephys-body';

/** hapi's body limit on streamed tus bodies: lib/core/config.ts MAX_UPLOAD_CHUNK_BYTES. */
const STREAMED_MAX_BYTES = 64 * 1024 * 1024;

const isTusPath = (path) => path === TUS_PREFIX || path.startsWith(`${TUS_PREFIX}/`);

function bodyTable() {
  const existing = globalThis[BODY_SYMBOL];
  if (existing && existing.entries instanceof Map) return existing;
  const table = { entries: new Map(), consumer: false };
  globalThis[BODY_SYMBOL] = table;
  return table;
}

/** Removes every `name` header from a raw header list ([name, value, name, value, ...]). */
function stripRawHeader(rawHeaders, name) {
  for (let i = rawHeaders.length - 2; i >= 0; i -= 2) {
    if (String(rawHeaders[i]).toLowerCase() === name) rawHeaders.splice(i, 2);
  }
}

function onRequest(request, h) {
  if (!isTusPath(request.path)) return h.continue;
  stripRawHeader(request.raw.req.rawHeaders, BODY_TOKEN_HEADER);
  delete request.headers[BODY_TOKEN_HEADER];
  const type = request.headers['content-type'];
  if (typeof type === 'string' && type.trim().toLowerCase().startsWith(TUS_TYPE)) {
    request.headers['content-type'] = 'application/octet-stream';
  }
  return h.continue;
}

/** Once handlers share this thread, tus bodies are streamed to them unread. */
function streamBodies(request, h) {
  const payload = request.route.settings.payload;
  if (isTusPath(request.path) && bodyTable().consumer && payload && payload.output !== 'stream') {
    payload.output = 'stream';
    // A streamed body costs no memory: hapi may take it up to the largest chunk a site may allow
    // (MAX_UPLOAD_CHUNK_BYTES in lib/core/config.ts); the handler holds it to LORIS_EPHYS_UPLOAD_MAX_CHUNK_BYTES.
    payload.maxBytes = STREAMED_MAX_BYTES;
  }
  return h.continue;
}

const isStream = (body) => body !== null && typeof body === 'object' && typeof body.pipe === 'function';

/** Resolves once an (empty) request stream has been read to its end. */
const drained = (stream) =>
  new Promise((resolve) => {
    stream.once('end', resolve);
    stream.once('error', resolve);
    stream.resume();
  });

async function handOver(request, h) {
  const body = request.payload;
  const table = bodyTable();
  // `Content-Length: 0` (a creation without data): read the empty stream now, or hapi, seeing the body unread,
  // would close the connection after the answer.
  if (isTusPath(request.path) && isStream(body) && request.headers['content-length'] === '0') {
    await drained(body);
    request.payload = undefined;
    return h.continue;
  }
  const present = isStream(body) || (Buffer.isBuffer(body) && body.length > 0);
  if (!isTusPath(request.path) || !table.consumer || !present) return h.continue;
  const token = randomUUID();
  table.entries.set(token, body);
  request.app.tusBodyToken = token;
  request.payload = undefined;
  request.raw.req.rawHeaders.push(BODY_TOKEN_HEADER, token);
  return h.continue;
}

function onPreResponse(request, h) {
  if (!isTusPath(request.path)) return h.continue;
  if (request.app.tusBodyToken) bodyTable().entries.delete(request.app.tusBodyToken);
  const response = request.response;
  if (!response.isBoom || response.output.statusCode !== 413) return h.continue;
  const error = {
    error: {
      code: 'chunk_too_large',
      message:
        'A request may carry at most LORIS_EPHYS_UPLOAD_MAX_CHUNK_BYTES (default 8 MiB) of the upload.',
    },
  };
  return (
    h
      .response(JSON.stringify(error))
      .type('application/json; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('Tus-Resumable', '1.0.0')
      // hapi answers before reading the body: the connection cannot carry another request, tell the client.
      .header('Connection', 'close')
      .code(413)
      .takeover()
  );
}

class TusBodyPlugin {
  constructor() {
    bodyTable();
    beforeServerStart('tus-body', (server) => {
      server.ext('onRequest', onRequest);
      server.ext('onPreAuth', streamBodies);
      server.ext('onPreHandler', handOver);
      server.ext('onPreResponse', onPreResponse);
    });
    this.hooks = {};
  }
}

module.exports = TusBodyPlugin;
