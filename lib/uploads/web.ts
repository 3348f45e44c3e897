/**
 * A Lambda (API Gateway v2) event as a web `Request` for @tus/server's `handleWeb`, and its web `Response` as a
 * handler result. The body arrives whole in the event (serverless-offline and Lambda both buffer it), so it is
 * bounded by the chunk limit before it gets here.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { acceptBodies, BODY_TOKEN_HEADER, handedOverBody } from '../core/body-bridge';
import { ApiError } from '../core/errors';
import { header, type HandlerResult, type HttpEvent } from '../core/http';

/** The tus protocol version this service speaks. */
export const TUS_RESUMABLE = '1.0.0';

/** Every tus answer, errors included, says which protocol version it speaks (tus 1.0 core). */
export const TUS_HEADERS = { 'Tus-Resumable': TUS_RESUMABLE, 'Cache-Control': 'no-store' } as const;

export const tusError = (
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) => new ApiError(status, code, message, undefined, { ...TUS_HEADERS, ...headers });

acceptBodies();

/**
 * The request body as bytes: handed over in-process by the HTTP front (lib/core/body-bridge.ts), or from the
 * event (base64 when the runtime says so); null when there is none.
 */
export function eventBody(event: HttpEvent): Buffer | Readable | null {
  const token = header(event, BODY_TOKEN_HEADER);
  if (token !== undefined) return handedOverBody(token);
  if (event.body === undefined || event.body === null || event.body === '') return null;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

const chunkTooLarge = (maxChunkBytes: number) =>
  tusError(
    413,
    'chunk_too_large',
    `A request may carry at most ${maxChunkBytes} bytes of the upload: send it in smaller chunks.`,
  );

/** A streamed body read whole (to verify its checksum first), never more than `maxBytes`. */
async function collect(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += bytes.length;
    if (size > maxBytes) {
      stream.destroy();
      throw chunkTooLarge(maxBytes);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/**
 * The body, refused when larger than one chunk may be (413 chunk_too_large). A streamed body stays a stream
 * (written as it arrives: memory stays constant) unless it carries an Upload-Checksum, which must be verified
 * before a byte is written: that body is read first, bounded by the chunk limit.
 */
export async function boundedBody(
  event: HttpEvent,
  maxChunkBytes: number,
): Promise<Buffer | Readable | null> {
  const declared = Number(header(event, 'content-length') ?? '0');
  if (declared > maxChunkBytes) throw chunkTooLarge(maxChunkBytes);
  const body = eventBody(event);
  if (body instanceof Readable) {
    return header(event, 'upload-checksum') === undefined ? body : collect(body, maxChunkBytes);
  }
  if ((body?.length ?? 0) > maxChunkBytes) throw chunkTooLarge(maxChunkBytes);
  return body;
}

/**
 * Reads what @tus/server left of a streamed body (it answers 409 before reading one) so the connection can carry
 * the client's next request; past `maxBytes` the stream is dropped instead (hapi then closes the connection).
 */
export async function settleBody(body: Buffer | Readable | null, maxBytes: number): Promise<void> {
  if (!(body instanceof Readable) || body.readableEnded || body.destroyed) return;
  body.unpipe();
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        body.destroy();
        return;
      }
    }
  } catch {
    // the client went away: nothing to settle
  }
}

/**
 * tus checksum extension: `Upload-Checksum: sha256 <base64 digest>` of the body. An algorithm other than
 * sha256 is 400 unsupported_checksum_algorithm, a digest that does not match is 460 checksum_mismatch (the
 * body is then not written).
 */
export function verifyChecksum(event: HttpEvent, body: Buffer | Readable | null): void {
  const value = header(event, 'upload-checksum');
  if (value === undefined) return;
  const [algorithm = '', digest = '', ...rest] = value.trim().split(' ');
  if (algorithm.toLowerCase() !== 'sha256') {
    throw tusError(400, 'unsupported_checksum_algorithm', 'Upload-Checksum: the only algorithm is sha256.');
  }
  if (rest.length > 0 || !/^[\d+/a-z]{43}=$/i.test(digest)) {
    throw tusError(400, 'invalid_checksum', 'Upload-Checksum must be "sha256 <base64 digest>".');
  }
  if (body instanceof Readable) throw new Error('a body with a checksum is read before it is verified');
  const actual = createHash('sha256')
    .update(body ?? Buffer.alloc(0))
    .digest('base64');
  if (actual !== digest) {
    throw tusError(460, 'checksum_mismatch', 'The body does not match its Upload-Checksum; send it again.');
  }
}

/** A web Request for @tus/server: the event's method and headers on `path`, with `body`. */
export function toWebRequest(event: HttpEvent, path: string, body: Buffer | Readable | null): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    const lower = name.toLowerCase();
    if (value !== undefined && lower !== 'content-length' && lower !== BODY_TOKEN_HEADER)
      headers.set(name, value);
  }
  const method = event.requestContext.http.method.toUpperCase();
  if (!body || method === 'HEAD' || method === 'GET')
    return new Request(`http://upstream${path}`, { method, headers });
  // A web stream over the Buffer (undici would copy a Buffer body) or over the request stream, through a
  // PassThrough: @tus/server may cancel its stream, and destroying the request itself would close the connection.
  const stream =
    body instanceof Readable
      ? (Readable.toWeb(body.pipe(new PassThrough())) as ReadableStream<Uint8Array>)
      : new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new Uint8Array(body.buffer, body.byteOffset, body.length));
            controller.close();
          },
        });
  const init = { method, headers, body: stream, duplex: 'half' };
  return new Request(`http://upstream${path}`, init as RequestInit);
}

/** Headers of @tus/server's answer that the wrapper sets itself (or that describe a body we replace). */
const OWN_HEADERS = new Set([
  'content-length',
  'content-type',
  'connection',
  'tus-resumable',
  'cache-control',
]);

/** tus error bodies are one line of text; ours are JSON with a stable code. */
const TUS_ERROR_CODES: Record<number, string> = {
  400: 'invalid_request',
  403: 'forbidden',
  404: 'upload_not_found',
  409: 'offset_conflict',
  410: 'upload_expired',
  412: 'tus_version_unsupported',
  413: 'upload_too_large',
  415: 'invalid_content_type',
  423: 'upload_locked',
  460: 'checksum_mismatch',
};

/**
 * The tus answer as a handler result: its status and tus headers (no CORS headers: the HTTP front adds them
 * for allowed origins), errors as our JSON error with a code.
 */
export async function fromWebResponse(response: Response): Promise<HandlerResult> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!name.startsWith('access-control-') && !OWN_HEADERS.has(name)) headers[name] = value;
  });
  const text = await response.text();
  if (response.status >= 400) {
    // A 5xx text of @tus/server may carry internals: it is replaced (the wrapper logs the request).
    const message =
      response.status >= 500
        ? 'The upload could not be stored.'
        : text.trim().slice(0, 200) || 'The upload request failed.';
    const code =
      TUS_ERROR_CODES[response.status] ?? (response.status >= 500 ? 'internal_error' : 'tus_error');
    throw new ApiError(response.status, code, message, undefined, { ...headers, ...TUS_HEADERS });
  }
  return { kind: 'empty', status: response.status, headers: { ...headers, ...TUS_HEADERS } };
}
