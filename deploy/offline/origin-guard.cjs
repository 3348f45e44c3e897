'use strict';
/**
 * Serverless plugin for the local HTTP front (serverless-offline), loaded after it in serverless.yml.
 *
 * serverless-offline answers every request that has an `Origin` with `Access-Control-Allow-Origin: <origin>`
 * and `Access-Control-Allow-Credentials: true`, and approves every preflight. This plugin adds one hapi
 * extension to each server it starts, run after serverless-offline's own:
 * - CORS: every `Access-Control-*` header is removed unless the request's Origin is listed in
 *   LORIS_EPHYS_CORS_ORIGINS (comma-separated, exact match); a listed origin gets `Access-Control-Allow-Origin`
 *   without credentials (the service authenticates with tokens, never cookies).
 * - Standalone mode (no authentication): a connection that did not arrive on a loopback address is refused
 *   (403 not_loopback), whatever address the server was told to bind, and so is a `Host` header that does not
 *   name a loopback host (421 host_not_allowed), which closes DNS rebinding.
 * - An unknown route answers 404 `{"error":{"code":"not_found"}}`, as a route of a module that is switched off
 *   does (serverless-offline's own 404 lists every route).
 * AWS has neither problem (API Gateway adds no CORS headers unless configured; standalone mode never runs there).
 */
const { beforeServerStart } = require('./hapi-start.cjs');

const allowedOrigins = () =>
  new Set(
    (process.env.LORIS_EPHYS_CORS_ORIGINS || '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  );

const isLoopbackAddress = (address) =>
  typeof address === 'string' &&
  (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));

/** The host name of a Host header (`name`, `name:port`, `[v6]`, `[v6]:port`), lower-cased; '' when malformed. */
function hostName(host) {
  if (typeof host !== 'string' || host.length === 0 || host.length > 255) return '';
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end > 0 ? host.slice(1, end).toLowerCase() : '';
  }
  const colon = host.indexOf(':');
  return (colon < 0 ? host : host.slice(0, colon)).toLowerCase();
}

const isLoopbackName = (name) =>
  name === 'localhost' ||
  name === '::1' ||
  (name.startsWith('127.') &&
    name.split('.').length === 4 &&
    name.split('.').every((p) => /^\d{1,3}$/.test(p)));

/** Answers `{"error":{code,message}}` with `status` at once (also used by direct-invoke.cjs). */
function refuse(h, status, code, message) {
  return h
    .response(JSON.stringify({ error: { code, message } }))
    .type('application/json; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .code(status)
    .takeover();
}

function checkStandaloneConnection(request, h) {
  if (process.env.LORIS_EPHYS_MODE !== 'standalone') return h.continue;
  if (!isLoopbackAddress(request.raw.req.socket.localAddress)) {
    return refuse(
      h,
      403,
      'not_loopback',
      'Standalone mode has no authentication and answers on loopback only.',
    );
  }
  if (!isLoopbackName(hostName(request.headers.host))) {
    return refuse(
      h,
      421,
      'host_not_allowed',
      'Standalone mode answers only requests addressed to a loopback host.',
    );
  }
  return h.continue;
}

// tus (module uploads): its methods and headers for allowed origins, its answer headers readable by the page.
const TUS_PREFIX = '/tus/upload';
const isTusPath = (path) => path === TUS_PREFIX || path.startsWith(`${TUS_PREFIX}/`);
const TUS_ALLOW_HEADERS =
  'Authorization, Content-Type, Tus-Resumable, Upload-Length, Upload-Metadata, Upload-Offset, Upload-Checksum, X-Request-ID';
const TUS_EXPOSE_HEADERS =
  'Location, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Tus-Checksum-Algorithm, Upload-Offset, Upload-Length, Upload-Expires, X-Request-ID';

function restrictCors(request, h) {
  const origin = request.headers.origin;
  if (origin === undefined) return h.continue;
  const response = request.response.isBoom ? request.response.output : request.response;
  const headers = response.headers || {};
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase().startsWith('access-control-')) delete headers[name];
  }
  if (allowedOrigins().has(origin)) {
    headers['access-control-allow-origin'] = origin;
    headers.vary = headers.vary ? `${headers.vary}, Origin` : 'Origin';
    if (isTusPath(request.path)) {
      headers['access-control-expose-headers'] = TUS_EXPOSE_HEADERS;
      if (request.method === 'options') {
        headers['access-control-allow-methods'] = 'POST, HEAD, PATCH, DELETE, OPTIONS';
        headers['access-control-allow-headers'] = TUS_ALLOW_HEADERS;
        headers['access-control-max-age'] = '600';
      }
    } else if (request.method === 'options') {
      headers['access-control-allow-methods'] = 'GET, HEAD, OPTIONS';
      headers['access-control-allow-headers'] = 'Authorization, Accept, If-None-Match, X-Request-ID';
      headers['access-control-expose-headers'] = 'ETag, X-Request-ID, Retry-After';
      headers['access-control-max-age'] = '600';
    }
  } else if (request.method === 'options') {
    response.statusCode = 403;
  }
  return h.continue;
}

function unknownRoute(request, h) {
  if (request.route.path !== '/{p*}' || request.response.isBoom || request.response.statusCode !== 404)
    return h.continue;
  return refuse(h, 404, 'not_found', 'No such route.');
}

class OriginGuardPlugin {
  constructor() {
    beforeServerStart('origin-guard', (server) => {
      server.ext('onRequest', checkStandaloneConnection);
      server.ext('onPreResponse', unknownRoute);
      server.ext('onPreResponse', restrictCors);
    });
    this.hooks = {};
  }
}

module.exports = OriginGuardPlugin;
module.exports.hostName = hostName;
module.exports.isLoopbackName = isLoopbackName;
module.exports.refuse = refuse;
