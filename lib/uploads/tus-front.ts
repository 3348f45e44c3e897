/**
 * The tus 1.0 endpoint (`/tus/upload`, `/tus/upload/{upload_id}`): our checks, then @tus/server.
 * - OPTIONS: tus discovery (no token needed): versions, extensions, max size, checksum algorithms.
 * - POST (creation, creation-with-upload): token → Upload-Metadata → size cap → LORIS's rules
 *   (validateUploadTarget) → disk space, all before a byte is stored; then tus creates the upload, owned by
 *   the caller. `Location: /tus/upload/<id>`, path-absolute, so LORIS's gateway rewrites it.
 * - HEAD, PATCH, DELETE: token → the caller's own upload (anybody else's is 404 as an unknown id) → chunk size
 *   and checksum (PATCH) → tus. A finished upload answers HEAD with its full offset and refuses PATCH/DELETE.
 */
import type { Config } from '../core/config';
import { ApiError } from '../core/errors';
import { header, type HandlerResult, type HttpEvent, type RequestContext } from '../core/http';
import { validateUploadTarget } from './rules';
import { parseUploadTarget } from './metadata';
import { newUploadId, type UploadRecord } from './records';
import {
  assertDiskSpace,
  callerOf,
  ownRecord,
  sweepIfDue,
  TUS_PATH,
  uploadsRuntime,
  type UploadsRuntime,
} from './runtime';
import {
  boundedBody,
  fromWebResponse,
  settleBody,
  toWebRequest,
  tusError,
  TUS_HEADERS,
  verifyChecksum,
} from './web';

const methodNotAllowed = (allow: string): ApiError =>
  new ApiError(405, 'method_not_allowed', `Allowed here: ${allow}.`, undefined, { Allow: allow });

/** Upload-Length: a non-negative decimal integer (400 otherwise), at most the cap (413 upload_too_large). */
function uploadLength(event: HttpEvent, maxBytes: number): number {
  if (header(event, 'upload-defer-length') !== undefined) {
    throw tusError(400, 'length_required', 'Upload-Length is required: deferred lengths are not supported.');
  }
  const value = header(event, 'upload-length') ?? '';
  if (!/^\d{1,16}$/.test(value)) {
    throw tusError(400, 'invalid_request', 'Upload-Length must be the size of the upload in bytes.');
  }
  const length = Number(value);
  if (length > maxBytes) {
    throw tusError(413, 'upload_too_large', `An upload may be at most ${maxBytes} bytes.`, {
      'Tus-Max-Size': String(maxBytes),
    });
  }
  return length;
}

async function discovery(rt: UploadsRuntime, event: HttpEvent): Promise<HandlerResult> {
  const result = await fromWebResponse(await rt.server.handleWeb(toWebRequest(event, TUS_PATH, null)));
  const headers = { ...result.headers };
  headers['tus-extension'] = `${headers['tus-extension'] ?? ''},checksum`;
  headers['Tus-Checksum-Algorithm'] = 'sha256';
  return { ...result, headers };
}

async function create(
  rt: UploadsRuntime,
  event: HttpEvent,
  config: Config,
  ctx: RequestContext,
): Promise<HandlerResult> {
  const { db, user } = await callerOf(event, config, ctx.log);
  await sweepIfDue(rt, ctx.log);
  const target = parseUploadTarget(header(event, 'upload-metadata'));
  const length = uploadLength(event, rt.settings.maxBytes);
  const resolved = await validateUploadTarget(db, user, target);
  await assertDiskSpace(rt, length);
  const body = await boundedBody(event, rt.settings.maxChunkBytes);
  verifyChecksum(event, body);
  const request = toWebRequest(event, TUS_PATH, body);
  const id = newUploadId();
  rt.creations.set(request, { id, owner: user.username, target, resolved, length });
  ctx.log.info('upload created', { uploadId: id, user: user.username, kind: target.kind, length });
  const response = await rt.server.handleWeb(request);
  await settleBody(body, rt.settings.maxChunkBytes);
  return fromWebResponse(response);
}

/** HEAD/PATCH/DELETE on an upload whose bytes are all in: the tus resource is complete and read-only. */
function finished(method: string, record: UploadRecord): HandlerResult {
  const offsets = { 'Upload-Offset': String(record.length), 'Upload-Length': String(record.length) };
  if (method === 'HEAD') return { kind: 'empty', status: 200, headers: { ...TUS_HEADERS, ...offsets } };
  throw tusError(409, 'upload_complete', `The upload is complete (state ${record.state}).`, offsets);
}

async function existing(
  rt: UploadsRuntime,
  event: HttpEvent,
  config: Config,
  ctx: RequestContext,
  method: string,
): Promise<HandlerResult> {
  const { user } = await callerOf(event, config, ctx.log);
  await sweepIfDue(rt, ctx.log);
  const record = await ownRecord(rt.records, event.pathParameters?.upload_id, user);
  if (record.state !== 'receiving') return finished(method, record);
  const body = method === 'PATCH' ? await boundedBody(event, rt.settings.maxChunkBytes) : null;
  if (method === 'PATCH') verifyChecksum(event, body);
  const path = `${TUS_PATH}/${record.id}`;
  const response = await rt.server.handleWeb(toWebRequest(event, path, body));
  await settleBody(body, rt.settings.maxChunkBytes);
  const result = await fromWebResponse(response);
  if (method === 'DELETE') {
    await rt.records.remove(record.id);
    ctx.log.info('upload deleted', { uploadId: record.id });
  }
  return result;
}

/** The tus endpoint: `/tus/upload` (OPTIONS, POST) and `/tus/upload/{upload_id}` (HEAD, PATCH, DELETE). */
export async function tusRequest(
  event: HttpEvent,
  ctx: RequestContext,
  config: Config,
): Promise<HandlerResult> {
  const rt = await uploadsRuntime(config, ctx.log);
  const method = event.requestContext.http.method.toUpperCase();
  if (event.pathParameters?.upload_id === undefined) {
    if (method === 'OPTIONS') return discovery(rt, event);
    if (method === 'POST') return create(rt, event, config, ctx);
    throw methodNotAllowed('OPTIONS, POST');
  }
  if (method === 'HEAD' || method === 'PATCH' || method === 'DELETE') {
    return existing(rt, event, config, ctx, method);
  }
  if (method === 'OPTIONS') return discovery(rt, event);
  throw methodNotAllowed('HEAD, PATCH, DELETE, OPTIONS');
}
