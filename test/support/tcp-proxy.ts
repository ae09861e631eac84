import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TEST_REDIS } from './server.js';

/** A TCP relay to a real service that a test can cut and restore, to simulate the service going away. */
export interface TcpProxy {
  port: number;
  /** Drops every open connection and refuses new ones, as a stopped service would. */
  cut(): Promise<void>;
  /** Accepts connections again on the same port. */
  restore(): Promise<void>;
  /** Keeps connections open but relays nothing, as a hung service or a network partition would. */
  freeze(): void;
  /** Relays again what was held back. */
  thaw(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    if (frozen) socket.pause();
    socket.on('close', () => sockets.delete(socket));
  };
  const relay = (client: Socket) => {
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
    if (frozen) {
      client.pause();
      upstream.pause();
    }
  };
  let server: Server = createServer(relay);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const port = await listen(0);
  let open = true;
  const cut = async () => {
    if (!open) return;
    open = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    port,
    cut,
    async restore() {
      if (open) return;
      server = createServer(relay);
      await listen(port);
      open = true;
    },
    freeze() {
      frozen = true;
      for (const socket of sockets) socket.pause();
    },
    thaw() {
      frozen = false;
      for (const socket of sockets) socket.resume();
    },
    close: cut,
  };
}

/** A local port nothing listens on (taken from the OS, then released). */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A proxy in front of the test Redis, and the REDIS_URL that goes through it. */
export async function proxiedRedis(): Promise<{ proxy: TcpProxy; url: string }> {
  const redis = new URL(TEST_REDIS);
  const proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
  const proxied = new URL(TEST_REDIS);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxy.port);
  return { proxy, url: proxied.toString() };
}
