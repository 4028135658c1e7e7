// The gateway's port is a plain TCP listener whose connections are handed to an HTTP server
// made at the first one (src/gateway/gateway-port.ts): closing it must still end every
// connection, answered and idle or half-sent, as the HTTP server's own closeAllConnections did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { bindGatewayPort, closeGatewayPort } from '../../src/gateway/gateway-port.js';

async function connectTo(url: string): Promise<Socket> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/**
 * Resolves when the socket has closed. The port may end a connection with a reset (a socket
 * destroyed with bytes still unread, like the half-sent request, makes the kernel send RST):
 * for a client that is a way of being closed too, so an ECONNRESET is not a failure here.
 */
function closed(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET') reject(err);
    });
    socket.once('close', () => resolve());
  });
}

test('closing the gateway port ends a kept-alive connection and one whose headers never finished', { timeout: 30_000 }, async (t) => {
  const port = await bindGatewayPort('t0ken');
  port.serve((req, res) => res.end(`answered ${req.url}`));
  const kept = await connectTo(port.url);
  let answer = '';
  kept.on('data', (d: Buffer) => (answer += d.toString()));
  kept.write('GET /kept HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
  const half = await connectTo(port.url);
  half.write('GET /half HTTP/1.1\r\nHost: x\r\n');
  // Should this fail, the connections must not keep the test process alive.
  t.after(() => {
    kept.destroy();
    half.destroy();
    port.server.close();
  });
  while (!answer.endsWith('answered /kept')) await once(kept, 'data');
  assert.match(answer, /^HTTP\/1\.1 200 OK/);
  // The half-sent one would not end by itself before the test's timeout (headersTimeout is 60 s).
  await Promise.all([closeGatewayPort(port.server), closed(kept), closed(half)]);
  assert.equal(port.server.listening, false);
});
