/**
 * How a MEEGqc report file is served, from its name: the media type (`.tsv` as text/plain so browsers show it,
 * as LORIS's server does) and the headers that keep an inline report from acting on LORIS's origin: HTML
 * reports run sandboxed (scripts allowed, no origin: `sandbox allow-scripts`, as LORIS's viewer frames them),
 * SVG fully sandboxed, and nothing is sniffed.
 */
import { extname } from 'node:path';

const TEXT = 'text/plain; charset=utf-8';

const TYPES: Record<string, string> = {
  '.tsv': TEXT,
  '.txt': TEXT,
  '.log': TEXT,
  '.ini': TEXT,
  '.yaml': TEXT,
  '.yml': TEXT,
  '.md': TEXT,
  '.csv': 'text/csv; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.h5': 'application/x-hdf5',
};

export const HTML_CSP = 'sandbox allow-scripts';
export const SVG_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** The media type of a file name (`application/octet-stream` when unknown). */
export const mediaTypeOf = (name: string): string =>
  TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';

/** Headers every served report file carries besides its type. */
export function reportHeaders(name: string): Record<string, string> {
  const type = mediaTypeOf(name);
  const csp = type.startsWith('text/html') ? HTML_CSP : type === 'image/svg+xml' ? SVG_CSP : undefined;
  return { 'X-Content-Type-Options': 'nosniff', ...(csp ? { 'Content-Security-Policy': csp } : {}) };
}

/**
 * `inline` or `attachment` with the name: an ASCII fallback (quotes, backslashes and controls replaced) and
 * the exact name in RFC 5987 form.
 */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
