'use strict';
/**
 * Serverless plugin for the local HTTP front (serverless-offline): tus request bodies (module uploads).
 *
 * serverless-offline buffers a request body (hapi, at most 10 MiB) and hands it to the handler as base64 only
 * when the Content-Type contains `application/octet-stream`; tus sends `application/offset+octet-stream`,
 * which it would decode as UTF-8 and corrupt. For /tus/upload paths this plugin makes hapi's view of that type
 * `application/octet-stream`, so the body arrives intact as base64; the handler still sees the header the
 * client sent (serverless-offline builds the event from the raw headers). A body over hapi's limit is
 * answered 413 chunk_too_large in the service's error shape instead of hapi's.
 */
const { beforeServerStart } = require('./hapi-start.cjs');

const TUS_PREFIX = '/tus/upload';
const TUS_TYPE = 'application/offset+octet-stream';

const isTusPath = (path) => path === TUS_PREFIX || path.startsWith(`${TUS_PREFIX}/`);

function binaryBody(request, h) {
  if (!isTusPath(request.path)) return h.continue;
  const type = request.headers['content-type'];
  if (typeof type === 'string' && type.trim().toLowerCase().startsWith(TUS_TYPE)) {
    request.headers['content-type'] = 'application/octet-stream';
  }
  return h.continue;
}

function chunkTooLarge(request, h) {
  const response = request.response;
  if (!isTusPath(request.path) || !response.isBoom || response.output.statusCode !== 413) return h.continue;
  const body = {
    error: {
      code: 'chunk_too_large',
      message:
        'A request may carry at most LORIS_EPHYS_UPLOAD_MAX_CHUNK_BYTES (default 8 MiB) of the upload.',
    },
  };
  return (
    h
      .response(JSON.stringify(body))
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
    beforeServerStart('tus-body', (server) => {
      server.ext('onRequest', binaryBody);
      server.ext('onPreResponse', chunkTooLarge);
    });
    this.hooks = {};
  }
}

module.exports = TusBodyPlugin;
