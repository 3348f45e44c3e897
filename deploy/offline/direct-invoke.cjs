'use strict';
/**
 * Serverless plugin for the local HTTP front (serverless-offline, handlers in-process): GET requests handed to
 * their handler directly once serverless-offline has loaded it.
 *
 * For every request serverless-offline runs its Lambda emulation around the handler: it builds the event (a
 * luxon date, a JWT decoded for an authorizer it then deletes), takes a function from its pool, copies the
 * function's environment into process.env, looks the handler module up on disk (five file-system calls and a
 * package.json parsed), races the call against a 29 s timer it never clears, and logs. On the project's 2-core
 * machine that was 0.5–1 ms of every map's time through LORIS (2026-12-07, README "Performance").
 *
 * This plugin adds one hapi extension (onPreHandler). A GET to a route of a function whose handler module
 * serverless-offline has already loaded (it is in require's cache: loaded, its environment set and read, which
 * our handlers do once, at their first call) is answered here: the same API Gateway v2 event serverless-offline
 * builds (`lambdaEvent`, checked against serverless-offline's own in test/deploy/direct-invoke.test.ts), a
 * Lambda context like its own, the handler called, and its result turned into hapi's answer as serverless-offline
 * turns it (`toHapiResponse`). Every other request (the first of each function, HEAD, other methods, a GET with a
 * body, an authorizer override) goes through serverless-offline as before. The other plugins' extensions
 * (origin guard, stream bridge) see the answer as they see serverless-offline's.
 *
 * Handlers answer by returning (a promise of) their result, as every handler of this service does (httpHandler);
 * a handler that answered only through Lambda's callback would not be served right here.
 *
 * LORIS_EPHYS_DIRECT_INVOKE=false switches it off. With handlers in worker threads (LORIS_EPHYS_IN_PROCESS=false)
 * it is off: the handler modules are not loaded in this thread.
 */
const { randomUUID } = require('node:crypto');
const { existsSync, realpathSync } = require('node:fs');
const { resolve } = require('node:path');
const { beforeServerStart } = require('./hapi-start.cjs');
const { refuse } = require('./origin-guard.cjs');

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n) => String(n).padStart(2, '0');

/** `dd/MMM/yyyy:HH:mm:ss ZZZ` in local time, as serverless-offline's formatToClfTime (luxon) writes it. */
function clfTime(millis) {
  const d = new Date(millis);
  const offset = -d.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const zone = `${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return `${two(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${time} ${zone}`;
}

/** Query parameters as HTTP API payload 2.0 gives them: repeated keys joined with commas; null when none. */
function queryParameters(searchParams) {
  let out = null;
  for (const [key, value] of searchParams) {
    out ??= {};
    out[key] = out[key] ? `${out[key]},${value}` : value;
  }
  return out;
}

/** Headers from the raw list, names lower-cased, the last of repeated names kept (serverless-offline's way). */
function rawHeaderObject(rawHeaders) {
  const headers = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) headers[rawHeaders[i].toLowerCase()] = rawHeaders[i + 1];
  return headers;
}

/**
 * The API Gateway v2 event serverless-offline's LambdaProxyIntegrationEventV2 makes for a GET without a body on a
 * route without an authorizer (it deletes the authorizer then, so the JWT it decodes for it is not needed).
 */
function lambdaEvent(request, routeKey) {
  const { url, info } = request;
  const params = { ...request.params };
  const cookies = request.state
    ? Object.entries(request.state).flatMap(([key, value]) =>
        Array.isArray(value) ? value.map((v) => `${key}=${v}`) : `${key}=${value}`,
      )
    : undefined;
  return {
    body: null,
    cookies,
    headers: rawHeaderObject(request.raw.req.rawHeaders || []),
    isBase64Encoded: false,
    pathParameters: Object.keys(params).length > 0 ? params : null,
    queryStringParameters: url.search ? queryParameters(url.searchParams) : null,
    rawPath: url.pathname,
    rawQueryString: url.searchParams.toString(),
    requestContext: {
      accountId: 'offlineContext_accountId',
      apiId: 'offlineContext_apiId',
      domainName: 'offlineContext_domainName',
      domainPrefix: 'offlineContext_domainPrefix',
      http: {
        method: request.method.toUpperCase(),
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: info.remoteAddress,
        userAgent: request.headers['user-agent'] || '',
      },
      operationName: undefined,
      requestId: 'offlineContext_resourceId',
      routeKey,
      stage: '$default',
      time: clfTime(info.received),
      timeEpoch: info.received,
    },
    routeKey,
    stageVariables: null,
    version: '2.0',
  };
}

/**
 * A handler's result as serverless-offline answers it for an HTTP API (payload 2.0): status (200 when missing),
 * each header appended, Content-Type application/json unless set, a base64 body decoded, a string body as it is.
 */
function toHapiResponse(h, result) {
  const proxied =
    typeof result === 'string' || !result || !result.statusCode
      ? {
          statusCode: 200,
          headers: { 'Content-Type': 'application/json' },
          body: typeof result === 'string' ? result : JSON.stringify(result),
        }
      : result;
  const body = proxied.body;
  if (body !== undefined && body !== null && typeof body !== 'string')
    return refuse(h, 502, 'internal_error', 'A handler answered a body that is not a string.');
  const decoded = typeof body === 'string' && proxied.isBase64Encoded ? Buffer.from(body, 'base64') : body;
  const response = h.response(decoded ?? undefined);
  response.code(proxied.statusCode || 200);
  for (const source of [proxied.headers, proxied.multiValueHeaders]) {
    for (const [name, value] of Object.entries(source || {})) {
      for (const one of [].concat(value)) response.header(name, String(one), { append: true });
    }
  }
  response.header('Content-Type', 'application/json', { duplicate: false, override: false });
  return response;
}

/** The handler call raced against the function's timeout (504, as serverless-offline answers), its timer cleared. */
async function invoke(handler, event, context, timeoutMs) {
  let timer;
  const timedOut = new Promise((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('Lambda timeout.'), { status: 504 })), timeoutMs);
  });
  try {
    return await Promise.race([handler(event, context), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The path require's cache knows a module by (its real path), when the file exists. */
const realFile = (path) => (existsSync(path) ? realpathSync(path) : path);

/**
 * [METHOD, path] of an httpApi event: serverless-offline rewrites `{ method, path }` into `{ routeKey: 'METHOD
 * /path' }` (the form it routes by), so both are read.
 */
function httpApiRoute(api) {
  if (!api || typeof api !== 'object') return [];
  if (typeof api.routeKey === 'string') {
    const space = api.routeKey.indexOf(' ');
    return space > 0 ? [api.routeKey.slice(0, space).toUpperCase(), api.routeKey.slice(space + 1)] : [];
  }
  return typeof api.path === 'string' ? [String(api.method).toUpperCase(), api.path] : [];
}

/** GET routes (hapi path → function) of the service's HTTP API events, for functions with a CommonJS handler. */
function getRoutes(serverless) {
  const servicePath = serverless.config.servicePath;
  const routes = new Map();
  const providerTimeout = serverless.service.provider.timeout;
  for (const [functionKey, definition] of Object.entries(serverless.service.functions || {})) {
    const match = /^(.+)\.([^./]+)$/.exec(definition.handler || '');
    if (!match) continue;
    for (const event of definition.events || []) {
      const [method, path] = httpApiRoute(event.httpApi);
      if (method !== 'GET' || !path || path.includes('+')) continue;
      routes.set(path, {
        functionName: definition.name || functionKey,
        file: realFile(resolve(servicePath, `${match[1]}.js`)),
        exportName: match[2],
        routeKey: `GET ${path}`,
        timeoutMs: (definition.timeout ?? providerTimeout ?? 6) * 1000,
        memorySize: definition.memorySize ?? serverless.service.provider.memorySize ?? 1024,
      });
    }
  }
  return routes;
}

/** The handler function of a route once serverless-offline has loaded its module, else undefined. */
function loadedHandler(route) {
  const loaded = require.cache[route.file];
  const handler = loaded && loaded.loaded ? loaded.exports[route.exportName] : undefined;
  return typeof handler === 'function' ? handler : undefined;
}

function lambdaContext(route) {
  const name = route.functionName;
  return {
    awsRequestId: randomUUID(),
    callbackWaitsForEmptyEventLoop: true,
    clientContext: undefined,
    functionName: name,
    functionVersion: '$LATEST',
    identity: undefined,
    invokedFunctionArn: `offline_invokedFunctionArn_for_${name}`,
    logGroupName: `offline_logGroupName_for_${name}`,
    logStreamName: `offline_logStreamName_for_${name}`,
    memoryLimitInMB: String(route.memorySize),
  };
}

/** Whether serverless-offline would do something for this request that lambdaEvent does not. */
function needsOffline(request) {
  if (request.method !== 'get') return true; // HEAD and the rest
  if (request.headers['sls-offline-authorizer-override'] || process.env.AUTHORIZER) return true;
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

function directInvoke(serverless) {
  let routes;
  return async (request, h) => {
    if (needsOffline(request)) return h.continue;
    routes ??= getRoutes(serverless);
    const route = routes.get(request.route.path);
    const handler = route && loadedHandler(route);
    if (!handler) return h.continue;
    let result;
    try {
      result = await invoke(
        handler,
        lambdaEvent(request, route.routeKey),
        lambdaContext(route),
        route.timeoutMs,
      );
    } catch (error) {
      if (error && error.status === 504)
        return refuse(h, 504, 'timeout', 'The handler did not answer in time.');
      return refuse(h, 502, 'internal_error', 'The handler failed.');
    }
    return toHapiResponse(h, result).takeover();
  };
}

/** On unless LORIS_EPHYS_DIRECT_INVOKE is false/0, and only with handlers in this process. */
function enabled(serverless) {
  const setting = String(process.env.LORIS_EPHYS_DIRECT_INVOKE ?? 'true').toLowerCase();
  if (setting === 'false' || setting === '0') return false;
  const offline = (serverless.service.custom && serverless.service.custom['serverless-offline']) || {};
  return offline.useInProcess === true || offline.useInProcess === 'true';
}

class DirectInvokePlugin {
  constructor(serverless) {
    this.hooks = {};
    beforeServerStart('direct-invoke', (server) => {
      if (enabled(serverless)) server.ext('onPreHandler', directInvoke(serverless));
    });
  }
}

module.exports = DirectInvokePlugin;
module.exports.lambdaEvent = lambdaEvent;
