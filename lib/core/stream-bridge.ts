/**
 * Streamed answers. An API Gateway v2 Lambda result is a string, so a handler cannot hand a stream to AWS or to
 * serverless-offline. On premises, deploy/offline/stream-bridge.cjs (a serverless plugin running in the same
 * process as in-process handlers) publishes a hand-over table on `globalThis`: the handler registers the body's
 * stream under a random one-time token and answers with the token in an internal header and an empty body; the
 * plugin takes the stream by that token when hapi is about to send the answer, removes the header and lets
 * hapi pipe the stream to the client with back-pressure. Memory stays bounded whatever the size.
 *
 * Where no bridge is installed (AWS Lambda, serverless-offline with worker threads, tests calling a bundle) the
 * body is collected, up to BUFFERED_BODY_LIMIT: Lambda refuses results over 6 MB and the body travels base64
 * encoded (4/3 larger). Past the limit the answer is 413 `response_too_large`, before anything is read when the
 * size is known in advance.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ApiError } from './errors';

/** Bytes a buffered (non-streamed) body may have: base64 of it stays under Lambda's 6 MB result limit. */
export const BUFFERED_BODY_LIMIT = 4 * 1024 * 1024;

/** Internal header carrying the hand-over token from the handler to the plugin; never sent to a client. */
export const STREAM_TOKEN_HEADER = 'x-loris-ephys-stream';

/** The global the plugin installs (CommonJS side: deploy/offline/stream-bridge.cjs, same symbol). */
const BRIDGE_SYMBOL = Symbol.for('loris-ephys-api.stream-bridge.v1');

/** A registered body not claimed within this time is disposed of (its files closed). */
export const HAND_OVER_TTL_MS = 30_000;
/** At most this many bodies wait to be claimed; beyond it the answer is 503 (something is wrong with the front). */
const MAX_PENDING = 256;

export interface StreamBody {
  /** Opens the body; called at most once. */
  open: () => Readable;
  /** Releases what the body holds (open files) when it is never opened. */
  dispose: () => void;
  /** The whole body when it is already in memory: the plugin sends these bytes as they are (no stream). */
  bytes?: Buffer;
}

interface PendingBody extends StreamBody {
  expires: number;
}

interface Bridge {
  entries: Map<string, PendingBody>;
}

function installedBridge(): Bridge | undefined {
  const candidate = (globalThis as Record<symbol, unknown>)[BRIDGE_SYMBOL];
  if (typeof candidate !== 'object' || candidate === null || !('entries' in candidate)) return undefined;
  return candidate.entries instanceof Map ? (candidate as Bridge) : undefined;
}

/** True when answers can really stream in this process (serverless-offline in-process with the plugin). */
export const canStream = (): boolean => installedBridge() !== undefined;

function sweep(bridge: Bridge, now: number): void {
  for (const [token, entry] of bridge.entries) {
    if (entry.expires > now) continue;
    bridge.entries.delete(token);
    entry.dispose();
  }
}

/**
 * Registers `body` with the bridge and returns the token to put in STREAM_TOKEN_HEADER; undefined when no
 * bridge is installed (the caller then buffers).
 */
export function handOver(body: StreamBody, now = Date.now()): string | undefined {
  const bridge = installedBridge();
  if (!bridge) return undefined;
  sweep(bridge, now);
  if (bridge.entries.size >= MAX_PENDING) {
    body.dispose();
    throw new ApiError(
      503,
      'stream_unavailable',
      'Too many answers wait to be sent; retry shortly.',
      undefined,
      {
        'Retry-After': '1',
      },
    );
  }
  const token = randomUUID();
  bridge.entries.set(token, { ...body, expires: now + HAND_OVER_TTL_MS });
  return token;
}

export const responseTooLarge = (limit: number): ApiError =>
  new ApiError(
    413,
    'response_too_large',
    `This answer is larger than this runtime can return in one response (${limit} bytes): on AWS Lambda ` +
      'answers are limited to 6 MB; download it from the on-premises service, which streams.',
    { limitBytes: limit },
  );

/** Reads a whole stream into memory, refusing (413) past `limit` bytes. */
export async function collect(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      total += buffer.length;
      if (total > limit) throw responseTooLarge(limit);
      chunks.push(buffer);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, total);
}

export type LambdaResponse = APIGatewayProxyStructuredResultV2;

/**
 * The Lambda result of a streamed answer: the hand-over (empty body, token header) when a bridge is installed,
 * else the collected body, base64.
 */
export async function streamedResponse(
  status: number,
  headers: Record<string, string>,
  body: StreamBody,
  length: number | undefined,
  limit = BUFFERED_BODY_LIMIT,
): Promise<LambdaResponse> {
  const token = handOver(body);
  if (token !== undefined) {
    const sized: Record<string, string> = length !== undefined ? { 'Content-Length': String(length) } : {};
    return { statusCode: status, headers: { ...headers, ...sized, [STREAM_TOKEN_HEADER]: token }, body: '' };
  }
  if (length !== undefined && length > limit) {
    body.dispose();
    throw responseTooLarge(limit);
  }
  const bytes = await collect(body.open(), limit);
  return { statusCode: status, headers, body: bytes.toString('base64'), isBase64Encoded: true };
}

/**
 * Answers at least this large go through the bridge as bytes when one is installed. serverless-offline keeps every
 * Lambda result reachable until its own 29 s timeout timer fires (it races the handler against an uncancelled
 * timer), so a body inside the result — a PNG as base64, a grid as JSON — would stay in memory that long: at 60
 * maps/s, over 600 MB. Through the bridge the result holds only headers and hapi sends the bytes (no base64 either).
 */
export const HAND_OVER_MIN_BYTES = 4096;

/**
 * The Lambda result of a body already in memory, handed over to the bridge: empty body and the token header.
 * Undefined when no bridge is installed (the caller builds the ordinary result).
 */
export function handedOverBytes(
  status: number,
  headers: Record<string, string>,
  bytes: Buffer,
): LambdaResponse | undefined {
  const body: StreamBody = { open: () => Readable.from([bytes]), dispose: () => undefined, bytes };
  const token = handOver(body);
  if (token === undefined) return undefined;
  // hapi sets the length of a Buffer payload itself (and drops it when it compresses).
  return { statusCode: status, headers: { ...headers, [STREAM_TOKEN_HEADER]: token }, body: '' };
}
