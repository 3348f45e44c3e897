/**
 * tus `Upload-Metadata` → UploadTarget (pure). The header is `key base64(value)` pairs separated by commas
 * (tus 1.0 creation extension); the keys we read are `kind`, `filename`, `pscid`, `candid`, `visit` and
 * `isPhantom` (DICOM only). Others are ignored (clients such as tus-js-client may add `filetype`).
 * A malformed header or target is a 400 `invalid_metadata` listing the failing fields.
 */
import { z } from 'zod';
import { ApiError } from '../core/errors';
import { zodDetails } from '../core/http';
import { UPLOAD_KINDS, type UploadTarget } from './types';

/** Bounds on what a client may send: the header's length and the number of pairs in it. */
export const MAX_METADATA_CHARS = 8192;
export const MAX_METADATA_PAIRS = 32;

const invalidMetadata = (message: string, details?: unknown): ApiError =>
  new ApiError(400, 'invalid_metadata', message, details);

const BASE64 = /^[\d+/a-z]*={0,2}$/i;
// tus: a key is non-empty and holds neither spaces nor commas; we also keep it to printable ASCII.
const KEY = /^[\x21-\x2b\x2d-\x7e]{1,64}$/;

/** Decodes the header into a key → value map; duplicate keys, bad keys and bad base64 are refused. */
export function parseMetadataHeader(header: string | undefined): Map<string, string> {
  const pairs = new Map<string, string>();
  if (header === undefined || header.trim() === '') return pairs;
  if (header.length > MAX_METADATA_CHARS) {
    throw invalidMetadata(`Upload-Metadata is longer than ${MAX_METADATA_CHARS} characters.`);
  }
  const items = header.split(',');
  if (items.length > MAX_METADATA_PAIRS) {
    throw invalidMetadata(`Upload-Metadata has more than ${MAX_METADATA_PAIRS} pairs.`);
  }
  for (const item of items) {
    const [key = '', value = '', ...rest] = item.trim().split(' ');
    if (!KEY.test(key) || rest.length > 0) throw invalidMetadata('Upload-Metadata is malformed.');
    if (pairs.has(key)) throw invalidMetadata(`Upload-Metadata names ${key} twice.`);
    if (value.length % 4 !== 0 || !BASE64.test(value)) {
      throw invalidMetadata(`Upload-Metadata: the value of ${key} is not base64.`);
    }
    pairs.set(key, Buffer.from(value, 'base64').toString('utf8'));
  }
  return pairs;
}

/** A name or label: no path separators, no control characters. */
function isPlain(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x2f || code === 0x5c) return false;
  }
  return true;
}
const label = (what: string) =>
  z
    .string()
    .max(255, `${what} is too long`)
    .refine(isPlain, `${what} may not contain control characters or slashes`);

const targetSchema = z
  .object({
    kind: z.enum(UPLOAD_KINDS, { message: `kind must be one of ${UPLOAD_KINDS.join(', ')}` }),
    filename: label('filename')
      .min(1, 'filename is required')
      .refine((v) => v !== '.' && v !== '..', 'filename is not a file name'),
    pscid: label('pscid').optional(),
    candid: z
      .string()
      .regex(/^\d{1,10}$/, 'candid must be digits')
      .optional(),
    visit: label('visit').optional(),
    isPhantom: z.enum(['true', 'false', '1', '0'], { message: 'isPhantom must be true or false' }).optional(),
  })
  .transform((m, ctx): UploadTarget => {
    const isPhantom = m.isPhantom === 'true' || m.isPhantom === '1';
    if (isPhantom && m.kind !== 'dicom') {
      ctx.addIssue({ code: 'custom', path: ['isPhantom'], message: 'only DICOM uploads may be phantoms' });
    }
    if (!isPhantom) {
      for (const key of ['pscid', 'candid', 'visit'] as const) {
        if (!m[key]) ctx.addIssue({ code: 'custom', path: [key], message: `${key} is required` });
      }
    }
    return {
      kind: m.kind,
      filename: m.filename,
      pscid: m.pscid ?? '',
      candid: m.candid ?? '',
      visit: m.visit ?? '',
      isPhantom,
    };
  });

/** The upload's target from its `Upload-Metadata` header; 400 invalid_metadata when it is not one. */
export function parseUploadTarget(header: string | undefined): UploadTarget {
  const pairs = parseMetadataHeader(header);
  const result = targetSchema.safeParse({
    kind: pairs.get('kind'),
    filename: pairs.get('filename'),
    pscid: pairs.get('pscid'),
    candid: pairs.get('candid'),
    visit: pairs.get('visit'),
    isPhantom: pairs.get('isPhantom'),
  });
  if (!result.success) {
    throw invalidMetadata('Upload-Metadata does not describe an upload.', zodDetails(result.error));
  }
  return result.data;
}

/** The header a client sends for `target` (the CLI and the tests build it this way). */
export function formatUploadMetadata(target: UploadTarget): string {
  const entries: [string, string][] = [
    ['kind', target.kind],
    ['filename', target.filename],
    ['pscid', target.pscid],
    ['candid', target.candid],
    ['visit', target.visit],
    ['isPhantom', String(target.isPhantom)],
  ];
  return entries.map(([k, v]) => `${k} ${Buffer.from(v, 'utf8').toString('base64')}`).join(',');
}
