// An MCP server that speaks JSON-RPC by hand and writes raw lines to its stdout, so tests can
// put on the wire what no SDK would send: malformed lines, invalid sampling params, duplicate
// ids, cancellations for unknown ids, a crash with requests pending. Host-side control methods
// (`faulty/*`) tell it what to write and report what reached it, so the test checks delivery.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Every response that came back to a request this server sent, by JSON-RPC id key. */
const responses = new Map();
/** Every notification and request that reached it, in arrival order. */
const received = [];
const waiters = new Set();
const key = (id) => (typeof id === 'number' ? `n${id}` : `s${id}`);

const write = (message) => process.stdout.write(typeof message === 'string' ? `${message}\n` : `${JSON.stringify(message)}\n`);
const reply = (id, result) => write({ jsonrpc: '2.0', id, result });

function wakeWaiters() {
  for (const w of [...waiters]) if (w.ids.every((id) => responses.has(key(id)))) waiters.delete(w), w.done();
}

/** Waits until every id has at least one response, or `timeoutMs` passes. */
function waitFor(ids, timeoutMs) {
  return new Promise((resolve) => {
    const w = { ids, done: () => (clearTimeout(w.timer), resolve()) };
    w.timer = setTimeout(() => (waiters.delete(w), resolve()), timeoutMs);
    waiters.add(w);
    wakeWaiters();
  });
}

function report(ids) {
  return Object.fromEntries(ids.map((id) => [key(id), responses.get(key(id)) ?? []]));
}

async function handle(message) {
  const { id, method, params = {} } = message;
  switch (method) {
    case 'initialize':
      return reply(id, {
        protocolVersion: params.protocolVersion ?? '2025-11-25',
        capabilities: { tools: {}, logging: {} },
        serverInfo: { name: process.env.FAULTY_NAME ?? 'faulty-server', version: '1.0.0' },
        // What the host (through mcp-route) declared, for the capability tests.
        instructions: JSON.stringify(params.capabilities ?? {}),
        // FAULTY_INIT_PAD=N makes the response N bytes longer (a server with a long description).
        ...(process.env.FAULTY_INIT_PAD ? { _meta: { pad: 'p'.repeat(Number(process.env.FAULTY_INIT_PAD)) } } : {}),
      });
    case 'ping':
      return reply(id, {});
    case 'faulty/pid':
      return reply(id, { pid: process.pid });
    case 'faulty/env':
      return reply(id, { env: process.env });
    case 'faulty/proc-environ': {
      // What a same-user server can read of its parent's (mcp-route's) environment, and of
      // its own, which it always can: the control that shows reading /proc works here.
      const read = (pid) => {
        try {
          return { text: readFileSync(`/proc/${pid}/environ`, 'latin1') };
        } catch (err) {
          return { error: err.code ?? String(err) };
        }
      };
      return reply(id, { uid: process.getuid?.(), parentPid: process.ppid, parent: read(process.ppid), self: read('self') });
    }
    case 'faulty/echo':
      return reply(id, { seq: params.seq });
    case 'faulty/emit': {
      // Lines go out in one write when asked, so a test can put several frames in one chunk.
      const lines = [...(params.lines ?? [])];
      // Huge frames are built here rather than sent down through the proxy twice.
      for (const { id: sid, imageBytes } of params.bigImages ?? []) {
        const image = { type: 'image', mimeType: 'image/png', data: 'A'.repeat(imageBytes) };
        lines.push(JSON.stringify({ jsonrpc: '2.0', id: sid, method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: image }], maxTokens: 5 } }));
      }
      if (params.oneChunk) process.stdout.write(lines.map((l) => `${l}\n`).join(''));
      else for (const line of lines) write(line);
      if (params.exit !== undefined) {
        // Die with whatever is pending; stdout is flushed first so the lines do arrive.
        process.stdout.write('', () => process.exit(params.exit));
        return;
      }
      if (params.awaitIds) await waitFor(params.awaitIds, params.timeoutMs ?? 10_000);
      return reply(id, { written: lines.length, responses: params.awaitIds ? report(params.awaitIds) : undefined });
    }
    case 'faulty/responses': {
      if (params.awaitIds) await waitFor(params.awaitIds, params.timeoutMs ?? 10_000);
      return reply(id, { responses: report(params.ids ?? params.awaitIds ?? []), all: Object.fromEntries(responses), received });
    }
    case 'faulty/notify': {
      const lines = [];
      for (let i = 0; i < params.count; i++) lines.push(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: { seq: (params.offset ?? 0) + i } } }));
      process.stdout.write(`${lines.join('\n')}\n`);
      return reply(id, { sent: params.count });
    }
    case 'faulty/flood': {
      // `count` sampling requests in one write, ids `${prefix}${i}`: a server gone wild.
      const lines = [];
      for (let i = 0; i < params.count; i++)
        lines.push(
          JSON.stringify({
            jsonrpc: '2.0',
            id: `${params.prefix}${i}`,
            method: 'sampling/createMessage',
            params: { messages: [{ role: 'user', content: { type: 'text', text: 'flood' } }], maxTokens: 5 },
          }),
        );
      process.stdout.write(`${lines.join('\n')}\n`);
      return reply(id, { sent: params.count });
    }
    case 'faulty/tally': {
      // Waits until `expect` responses with ids starting `prefix` arrived; returns them by error code.
      const until = Date.now() + (params.timeoutMs ?? 20_000);
      const count = () => [...responses.entries()].filter(([k]) => k.startsWith(`s${params.prefix}`));
      while (count().length < params.expect && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      const byCode = {};
      let answered = 0;
      let duplicated = 0;
      for (const [, list] of count()) {
        answered++;
        if (list.length > 1) duplicated++;
        const code = list[0].error ? `${String(list[0].error.code)}:${list[0].error.data?.reason ?? ''}` : 'result';
        byCode[code] = (byCode[code] ?? 0) + 1;
      }
      return reply(id, { answered, duplicated, byCode });
    }
    case 'faulty/garbage': {
      // `mb` MiB of 'x' with no newline, written with backpressure, then a newline.
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      for (let i = 0; i < params.mb; i++) {
        if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
      }
      process.stdout.write('\n');
      return reply(id, { written: params.mb });
    }
    case 'faulty/raw-responses':
      return reply(id, { lines: rawResponses });
    case 'faulty/exit':
      process.exit(params.code ?? 0);
      return;
    default:
      if (id !== undefined) write({ jsonrpc: '2.0', id, error: { code: -32601, message: `Method not found: ${method}` } });
  }
}

// FAULTY_STUBBORN=1: ignore SIGTERM and the end of stdin (a server that must be killed).
if (process.env.FAULTY_STUBBORN) {
  process.on('SIGTERM', () => {});
  setInterval(() => {}, 1_000);
}
// FAULTY_EARLY_SAMPLING=id: a sampling request before anything was received (before initialize).
if (process.env.FAULTY_EARLY_SAMPLING) {
  write({ jsonrpc: '2.0', id: process.env.FAULTY_EARLY_SAMPLING, method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: 'early' } }], maxTokens: 5 } });
  process.stdout.write('', () => process.stderr.write('faulty: early sampling request written\n'));
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
/** Raw lines received that are responses (as text: ids beyond 2^53 must be checked as bytes). */
const rawResponses = [];

rl.on('line', (line) => {
  if (!line.trim()) return;
  let message;
  try {
    message = JSON.parse(line);
  } catch {
    received.push({ invalid: line.slice(0, 200) });
    return;
  }
  if (!line.includes('"method"') && rawResponses.length < 1000) rawResponses.push(line);
  // A batch: each element is handled as if it had come alone.
  for (const m of Array.isArray(message) ? message : [message]) onMessage(m);
});

function onMessage(message) {
  if (message.method === undefined && message.id !== undefined) {
    const k = key(message.id);
    const list = responses.get(k) ?? [];
    list.push(message.error ? { error: message.error } : { result: message.result });
    responses.set(k, list);
    wakeWaiters();
    return;
  }
  received.push(message.id === undefined ? { method: message.method, params: message.params } : { id: message.id, method: message.method });
  void handle(message);
}
rl.on('close', () => {
  if (!process.env.FAULTY_STUBBORN) process.exit(0);
});
