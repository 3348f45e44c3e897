/**
 * What a trusted front (LORIS's imaging_gateway, our PHP proxy) tells us about the original request. The
 * `X-Forwarded-*` headers count only when the connection comes from loopback, where that front runs; from
 * anywhere else they are ignored, so a client cannot choose the URLs we write or the address we judge it by.
 */
import { isIP } from 'node:net';
import { header, type HttpEvent } from './http';
import { trimEndOf } from './strings';

const MAX_HEADER_LENGTH = 1024;
const HOST_CHARS = /^[A-Z0-9.:[\]-]{1,255}$/i;
const PREFIX_CHARS = /^(?:\/[\w.~!$&'()*+,;=:@%-]*)*$/;

/** A header's trimmed value, ignored when absurdly long. */
function headerValue(event: HttpEvent, name: string): string | undefined {
  const value = header(event, name);
  return value !== undefined && value.length <= MAX_HEADER_LENGTH ? value.trim() : undefined;
}

export const isLoopbackAddress = (address: string | undefined): boolean =>
  address !== undefined &&
  (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));

/** The address the connection came from (API Gateway's sourceIp). */
export const peerAddress = (event: HttpEvent): string | undefined => event.requestContext?.http?.sourceIp;

/** Whether the headers of a front on loopback are to be believed for this request. */
export const fromTrustedFront = (event: HttpEvent): boolean => isLoopbackAddress(peerAddress(event));

/**
 * The client's address: the last entry of X-Forwarded-For (the one our loopback front appended) when the peer
 * is loopback, else the peer itself.
 */
export function clientAddress(event: HttpEvent): string | undefined {
  const peer = peerAddress(event);
  if (!isLoopbackAddress(peer)) return peer;
  const forwarded = headerValue(event, 'x-forwarded-for');
  const last = forwarded?.split(',').pop()?.trim();
  return last && isIP(last) ? last : peer;
}

export interface PublicBase {
  /** `https://host` when a front named it, else undefined (same origin as the request). */
  origin?: string;
  /** The path the front serves us under (e.g. `/loris/imaging_gateway`), '' at the root; no trailing slash. */
  prefix: string;
}

/** Where clients reach this service, as the trusted front describes it. */
export function publicBase(event: HttpEvent): PublicBase {
  if (!fromTrustedFront(event)) return { prefix: '' };
  const rawPrefix = headerValue(event, 'x-forwarded-prefix') ?? '';
  const prefix =
    PREFIX_CHARS.test(rawPrefix) && !rawPrefix.split('/').includes('..') ? trimEndOf(rawPrefix, '/') : '';
  const host = headerValue(event, 'x-forwarded-host');
  if (!host || !HOST_CHARS.test(host)) return { prefix };
  const proto = headerValue(event, 'x-forwarded-proto')?.toLowerCase() === 'https' ? 'https' : 'http';
  return { origin: `${proto}://${host}`, prefix };
}

/** An absolute-path or absolute URL for one of our paths (`/ephys/1/…`), as clients must request it. */
export function publicUrl(event: HttpEvent, path: string): string {
  const { origin, prefix } = publicBase(event);
  return `${origin ?? ''}${prefix}${path}`;
}
