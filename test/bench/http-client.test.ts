/** The load generator's keep-alive client (bench/http-client.ts) against real servers on loopback. */
import { createServer as createHttpServer, type Server } from 'node:http';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { keepAliveConnection, parseHead } from '../../bench/http-client';

const portOf = (server: Server | NetServer): number => (server.address() as AddressInfo).port;
const listen = (server: Server | NetServer): Promise<void> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const close = (server: Server | NetServer): Promise<void> =>
  new Promise((resolve) => server.close(() => resolve()));

describe('parseHead', () => {
  it('reads the status and Content-Length, and refuses what it does not understand', () => {
    expect(parseHead('HTTP/1.1 200 OK\r\ncontent-type: image/png\r\nContent-Length: 12')).toEqual({
      status: 200,
      length: 12,
    });
    expect(parseHead('HTTP/1.1 404 Not Found\r\ncontent-length:0')).toEqual({ status: 404, length: 0 });
    expect(parseHead('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked')).toBeUndefined();
    expect(parseHead('HTTP/1.1 200 OK\r\ncontent-length: -1')).toBeUndefined();
    expect(parseHead('SSH-2.0-OpenSSH\r\ncontent-length: 1')).toBeUndefined();
  });
});

describe('keepAliveConnection', () => {
  let server: Server;
  let connections = 0;
  beforeAll(async () => {
    server = createHttpServer((req, res) => {
      const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size') ?? 0);
      if (req.url?.startsWith('/missing')) {
        res.writeHead(404, { 'content-length': 2 }).end('no');
        return;
      }
      if (req.url?.startsWith('/chunked')) {
        res.writeHead(200, { 'transfer-encoding': 'chunked' }).end('abc');
        return;
      }
      if (req.url?.startsWith('/silent')) return; // never answers
      res.writeHead(200, { 'content-length': size }).end(Buffer.alloc(size, 7));
    });
    server.on('connection', () => connections++);
    await listen(server);
  });
  afterAll(() => close(server));

  it('gets answers of any size one after another on one connection', async () => {
    const before = connections;
    const c = keepAliveConnection('127.0.0.1', portOf(server), 5000);
    for (const size of [0, 1, 65535, 65536, 65537, 1_000_000, 250_000, 10])
      expect(await c.get(`/map?size=${size}`)).toBe(200);
    expect(await c.get('/missing')).toBe(404);
    expect(await c.get('/map?size=5')).toBe(200);
    expect(connections - before).toBe(1);
    c.close();
  });

  it('fails an answer without Content-Length or one that never comes, then reconnects', async () => {
    const before = connections;
    const c = keepAliveConnection('127.0.0.1', portOf(server), 300);
    expect(await c.get('/chunked')).toBe(0);
    expect(await c.get('/map?size=100')).toBe(200);
    expect(await c.get('/silent')).toBe(0);
    expect(await c.get('/map?size=100')).toBe(200);
    expect(connections - before).toBe(3);
    c.close();
  });

  it('reads headers split across packets and fails a connection closed mid-body', async () => {
    const raw: NetServer = createNetServer((socket: Socket) => {
      socket.once('data', (request) => {
        const head = 'HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n';
        if (request.toString().startsWith('GET /cut ')) {
          socket.end(`${head}abc`); // three of six body bytes, then the end
          return;
        }
        const bytes = Buffer.from(`${head}abcdef`);
        let i = 0;
        const next = (): void => {
          if (i >= bytes.length) return;
          socket.write(bytes.subarray(i, i + 1));
          i++;
          setTimeout(next, 1);
        };
        next();
      });
    });
    await listen(raw);
    try {
      const c = keepAliveConnection('127.0.0.1', portOf(raw), 5000);
      expect(await c.get('/split')).toBe(200);
      c.close();
      const d = keepAliveConnection('127.0.0.1', portOf(raw), 5000);
      expect(await d.get('/cut')).toBe(0);
      d.close();
    } finally {
      await close(raw);
    }
  });
});
