// A minimal HTTP relay for bench/gateway.ts: no auth, no parsing, no policy, one keep-alive
// agent. It forwards each request to the upstream base URL (argv[2]) and each response chunk
// back as it arrives, so what it adds over a direct call is the floor any process in the
// middle pays (two more loopback hops and a wake-up of this process for each).
import http from 'node:http';

const upstream = new URL(process.argv[2]);
const base = upstream.pathname.replace(/\/$/, '');
const agent = new http.Agent({ keepAlive: true, noDelay: true });

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const headers = { 'content-type': req.headers['content-type'] ?? 'application/json', authorization: req.headers.authorization ?? '', 'content-length': body.length };
    const path = base + (req.url ?? '/').replace(/^\/v1/, '');
    const up = http.request({ hostname: upstream.hostname, port: upstream.port, path, method: req.method, agent, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json' });
      answer.on('data', (c) => res.write(c));
      answer.on('end', () => res.end());
    });
    up.on('error', () => res.destroy());
    up.end(body);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}`));
