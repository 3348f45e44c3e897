/**
 * The HTTP answers of the MEEGqc routes, from an authorised recording: the single file (ETag, 304, one byte
 * range: 206/416) and the archive. Bodies are streams (lib/core/stream-bridge.ts): on premises they are piped to
 * the client; where answers cannot stream (AWS Lambda) they are buffered up to a limit, 413 beyond.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../core/errors';
import { PRIVATE_REVALIDATE, type HandlerResult } from '../core/http';
import type { Logger } from '../core/log';
import type { AuthorizedRecording } from '../service/access';
import { archiveName, planArchive } from './archive';
import { byteSourceStream } from './byte-stream';
import { contentDisposition, mediaTypeOf, reportHeaders } from './content-type';
import { checkedArchiveFiles, openMeegqcFile } from './files';

export interface ConditionalHeaders {
  ifNoneMatch?: string;
  range?: string;
  ifRange?: string;
}

const etagOf = (parts: string): string =>
  `"mq-${createHash('sha256').update(parts).digest('base64url').slice(0, 27)}"`;

/** True when an If-None-Match list names `etag` (weak comparison, `*` matches anything). */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const tags = header.split(',').map((t) => t.trim().replace(/^W\//, ''));
  return tags.includes('*') || tags.includes(etag);
}

export type RangeAnswer =
  { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

const RANGE = /^bytes=(\d{0,15})-(\d{0,15})$/;

/**
 * One byte range of a `size`-byte file (`start` inclusive, `end` exclusive). Anything but a single well-formed
 * range (several, other units, malformed) is ignored: the whole file is sent, as RFC 9110 allows.
 */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  const match = header === undefined ? null : RANGE.exec(header.trim());
  if (!match) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(first);
  const end = last === '' ? size : Math.min(size, Number(last) + 1);
  if (last !== '' && Number(last) < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}

/** GET /meegqc/{physio_file_id}/files/{meegqc_file_id}. */
export async function meegqcFileAnswer(
  recording: AuthorizedRecording,
  meegqcFileId: number,
  conditional: ConditionalHeaders,
  log?: Logger,
): Promise<HandlerResult> {
  const file = await openMeegqcFile(recording, meegqcFileId, log);
  const etag = etagOf(`${recording.id}\n${file.row.id}\n${file.path}\n${file.identity}`);
  const headers: Record<string, string> = {
    ...PRIVATE_REVALIDATE,
    ...reportHeaders(file.name),
    ETag: etag,
    'Accept-Ranges': 'bytes',
    'Content-Disposition': contentDisposition('inline', file.name),
  };
  if (noneMatch(conditional.ifNoneMatch, etag)) {
    await file.source.close();
    return { kind: 'empty', status: 304, headers };
  }
  const rangeApplies = conditional.ifRange === undefined || conditional.ifRange.trim() === etag;
  const range = rangeApplies ? parseRange(conditional.range, file.size) : ({ kind: 'full' } as const);
  if (range.kind === 'unsatisfiable') {
    await file.source.close();
    throw new ApiError(
      416,
      'range_not_satisfiable',
      `The range asked for lies outside the file (${file.size} bytes).`,
      undefined,
      { 'Content-Range': `bytes */${file.size}` },
    );
  }
  const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, file.size];
  const source = file.source;
  return {
    kind: 'stream',
    status: range.kind === 'partial' ? 206 : 200,
    contentType: mediaTypeOf(file.name),
    length: end - start,
    headers: {
      ...headers,
      ...(range.kind === 'partial' ? { 'Content-Range': `bytes ${start}-${end - 1}/${file.size}` } : {}),
    },
    body: {
      open: () => byteSourceStream(source, start, end),
      dispose: () => void source.close().catch(() => undefined),
    },
  };
}

/** GET /meegqc/{physio_file_id}/files/archive?category=. */
export async function meegqcArchiveAnswer(
  recording: AuthorizedRecording,
  category: string | undefined,
  log?: Logger,
): Promise<HandlerResult> {
  const files = await checkedArchiveFiles(recording, category, log);
  const archive = planArchive(recording.dataRoot, files);
  return {
    kind: 'stream',
    contentType: 'application/zip',
    length: archive.size,
    headers: {
      ...PRIVATE_REVALIDATE,
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': contentDisposition('attachment', archiveName(recording.filePath, category)),
    },
    body: { open: archive.open, dispose: () => undefined },
  };
}
