/**
 * The load generator's HTTP client: one keep-alive HTTP/1.1 connection per simulated viewer, GET only, answers
 * with a Content-Length (what serverless-offline sends), bodies counted and dropped. Each connection reads into
 * one buffer of its own (net's `onread`), so an answer costs no allocation however large it is: the generator
 * shares the machine with the service it measures, and node:http allocated and parsed every 64 kB of every map.
 * Anything it does not understand (no Content-Length, a malformed status line, headers over 64 kB, a closed or
 * silent connection) ends the request with status 0 and drops the connection; the next request reconnects.
 */
import { connect, type Socket } from 'node:net';

/** Bytes a connection reads at once (also the most a response's status line and headers may take). */
const READ_BUFFER_BYTES = 64 * 1024;
const HEADER_END = Buffer.from('\r\n\r\n');

interface Pending {
  resolve(status: number): void;
  timer: NodeJS.Timeout;
  /** Header bytes seen so far (until the blank line). */
  head: Buffer[];
  headBytes: number;
  status: number;
  /** Body bytes still to come once the headers are in; -1 while they are not. */
  remaining: number;
}

export interface KeepAliveConnection {
  /** GET `path`; resolves with the status once the whole body is in, or 0 on any failure. One at a time. */
  get(path: string): Promise<number>;
  close(): void;
}

/** Status and Content-Length of a response head (status line and headers, without the blank line). */
export function parseHead(head: string): { status: number; length: number } | undefined {
  const lines = head.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3}) /.exec(`${lines[0] ?? ''} `);
  if (!status) return undefined;
  let length = -1;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === 'content-length') {
      const value = line.slice(colon + 1).trim();
      if (/^\d{1,15}$/.test(value)) length = Number(value);
    }
  }
  return length < 0 ? undefined : { status: Number(status[1]), length };
}

/** A keep-alive connection to `host:port` that reconnects when needed; `timeoutMs` bounds each request. */
export function keepAliveConnection(host: string, port: number, timeoutMs: number): KeepAliveConnection {
  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  let socket: Socket | undefined;
  let pending: Pending | undefined;

  const finish = (status: number, keep: boolean): void => {
    const p = pending;
    if (!p) return;
    pending = undefined;
    clearTimeout(p.timer);
    if (!keep) drop();
    p.resolve(status);
  };
  const drop = (): void => {
    const s = socket;
    socket = undefined;
    s?.destroy();
  };

  /** Bytes of one read: headers first (gathered until the blank line), then body bytes counted off. */
  const onRead = (n: number, bytes: Buffer): boolean => {
    const p = pending;
    if (!p) {
      drop(); // bytes nobody asked for
      return false;
    }
    let at = 0;
    if (p.remaining < 0) {
      p.head.push(Buffer.from(bytes.subarray(0, n)));
      p.headBytes += n;
      const all = Buffer.concat(p.head, p.headBytes);
      const end = all.indexOf(HEADER_END);
      if (end < 0) {
        if (p.headBytes > READ_BUFFER_BYTES) finish(0, false);
        return true;
      }
      const head = parseHead(all.subarray(0, end).toString('latin1'));
      if (!head) {
        finish(0, false);
        return true;
      }
      p.status = head.status;
      p.remaining = head.length;
      p.head = [];
      at = n - (all.length - (end + HEADER_END.length)); // body bytes of this read start here
    }
    p.remaining -= n - at;
    if (p.remaining === 0) finish(p.status, true);
    else if (p.remaining < 0) finish(0, false); // more than announced
    return true;
  };

  const open = (): Socket => {
    const s = connect({
      host,
      port,
      noDelay: true,
      onread: { buffer, callback: (n: number, b: Uint8Array) => onRead(n, b as Buffer) },
    });
    s.on('error', () => undefined);
    // Only the current connection's end fails the request in flight (a dropped one closes later).
    s.on('close', () => {
      if (socket !== s) return;
      socket = undefined;
      finish(0, false);
    });
    return s;
  };

  return {
    get(path) {
      if (pending) return Promise.resolve(0);
      return new Promise<number>((resolve) => {
        pending = {
          resolve,
          timer: setTimeout(() => finish(0, false), timeoutMs),
          head: [],
          headBytes: 0,
          status: 0,
          remaining: -1,
        };
        socket ??= open();
        socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);
      });
    },
    close: drop,
  };
}
