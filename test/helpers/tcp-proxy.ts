/**
 * A TCP proxy on loopback in front of a server, for tests that cut
 * connections: `cut()` destroys every connection open through it (both
 * sides), as a dropped network would; new connections go on being accepted.
 * What each client sent (its first 64 KiB) is kept, so a test can read the
 * requests made on every connection.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

const LIMIT = 64 * 1024;

export interface TcpProxy {
  url: string;
  /** What each client sent (up to 64 KiB), in connection order. */
  requests: string[];
  /** Destroys every open connection. */
  cut(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const requests: string[] = [];
  const server: Server = createServer((client) => {
    const upstream = createConnection(target);
    const index = requests.push('') - 1;
    client.on('data', (chunk: Buffer) => {
      if (requests[index].length < LIMIT) requests[index] += chunk.toString('latin1').slice(0, LIMIT - requests[index].length);
    });
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (typeof addr !== 'object' || addr === null) throw new Error('proxy has no address');
  const cut = (): void => {
    for (const s of open) s.destroy();
  };
  return {
    url: `http://127.0.0.1:${addr.port}`,
    requests,
    cut,
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
