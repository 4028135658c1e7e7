// TCP endpoints on 127.0.0.1 that misbehave the way a sick store does: one that accepts
// connections and never answers a byte, and a relay to a real server that can be cut
// (a partition: bytes stop flowing both ways, connections stay open) and healed.

import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpEndpoint {
  port: number;
  /** How many connections were accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

function listen(server: Server, sockets: Set<Socket>): Promise<number> {
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/** Accepts every connection, reads whatever arrives, never writes. */
export async function startSilentServer(): Promise<TcpEndpoint> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((s) => {
    accepted++;
    s.on('data', () => {});
  });
  const port = await listen(server, sockets);
  return { port, connections: () => accepted, close: closer(server, sockets) };
}

/** Relays to `target` until cut(); while cut, bytes in either direction are dropped. */
export async function startRelay(target: { host: string; port: number }): Promise<TcpEndpoint & { cut(): void; heal(): void }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let cut = false;
  const server = createServer((client) => {
    accepted++;
    const upstream = createConnection(target);
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => sockets.delete(upstream));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('data', (d) => void (cut || upstream.write(d)));
    upstream.on('data', (d) => void (cut || client.write(d)));
  });
  const port = await listen(server, sockets);
  return { port, connections: () => accepted, close: closer(server, sockets), cut: () => void (cut = true), heal: () => void (cut = false) };
}
