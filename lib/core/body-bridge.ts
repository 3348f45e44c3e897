/**
 * Request bodies handed over in-process (the reverse of stream-bridge.ts). serverless-offline gives a handler
 * its request body as a string: base64 of the bytes for binary types, after two more copies. For tus PATCHes
 * (module uploads) deploy/offline/tus-body.cjs instead puts the request's body — the request stream itself,
 * unread (hapi's `output: 'stream'`), or hapi's Buffer for a request that arrived before the switch — in a
 * table on `globalThis` under a random one-time token, passes the token in the internal header
 * `x-loris-ephys-body` and an empty body; the handler takes the body by its token. The plugin strips that header from what clients send, drops an
 * entry no handler claimed when the answer goes out, and hands over only once a handler bundle in its own
 * thread has announced itself (`acceptBodies()`): with handlers in worker threads (LORIS_EPHYS_IN_PROCESS=false)
 * and on AWS Lambda bodies arrive in the event as usual.
 */
import type { Readable } from 'node:stream';
import { ApiError } from './errors';

export const BODY_TOKEN_HEADER = 'x-loris-ephys-body';

/** The global shared with the plugin (CommonJS side: deploy/offline/tus-body.cjs, same symbol). */
const BODY_SYMBOL = Symbol.for('loris-ephys-api.request-body.v1');

/** A handed-over body: the bytes, or the request stream still to be read. */
export type HandedOverBody = Buffer | Readable;

interface BodyTable {
  entries: Map<string, HandedOverBody>;
  /** Set by a handler bundle in the plugin's thread: bodies may be handed over. */
  consumer: boolean;
}

function bodyTable(): BodyTable {
  const global = globalThis as Record<symbol, unknown>;
  const existing = global[BODY_SYMBOL] as BodyTable | undefined;
  if (existing && existing.entries instanceof Map) return existing;
  const table: BodyTable = { entries: new Map(), consumer: false };
  global[BODY_SYMBOL] = table;
  return table;
}

/** Called when a handler bundle that reads bodies with `handedOverBody` loads. */
export function acceptBodies(): void {
  bodyTable().consumer = true;
}

/**
 * The body handed over for `token` (once). A token with no body (a client sending the internal header where no
 * plugin strips it) is a 400.
 */
export function handedOverBody(token: string): HandedOverBody {
  const entries = bodyTable().entries;
  const body = entries.get(token);
  entries.delete(token);
  if (!body) throw new ApiError(400, 'invalid_request', `The ${BODY_TOKEN_HEADER} header is internal.`);
  return body;
}
