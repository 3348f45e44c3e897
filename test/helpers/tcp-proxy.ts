/**
 * A TCP proxy in the test process, standing between the service and MariaDB so a test can take the database
 * away (close: connections cut, port refused), make it hang (blackhole: connections accepted, nothing
 * forwarded) and bring it back on the same port.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** 'up' forwards, 'blackhole' accepts and stalls, 'down' refuses (nothing listens). */
  setMode(mode: 'up' | 'blackhole' | 'down'): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let mode: 'up' | 'blackhole' | 'down' = 'up';
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const onConnection = (client: Socket) => {
    track(client);
    if (mode === 'blackhole') return;
    const upstream = connect(targetPort, targetHost);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer(onConnection);
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server?.address();
        if (address && typeof address === 'object') port = address.port;
        resolve();
      });
    });
  const stop = async () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    get port() {
      return port;
    },
    async setMode(next) {
      if (next === 'down') await stop();
      else {
        if (next === 'blackhole') for (const s of sockets) s.destroy();
        if (!server) await listen();
      }
      mode = next;
    },
    close: stop,
  };
}
