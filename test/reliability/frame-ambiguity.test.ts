// Frames whose meaning a shortcut could get wrong (issue 11, items 15 and 16): batches, keys
// given twice or spelled with escapes, ids that do not survive a round trip through a double,
// and ids that are null. A raw host on the built CLI sees exactly what reaches it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI, openaiCompletionBody } from '../helpers/fake-openai.js';
import { openaiPolicy, samplingLine, skipUnlessBuilt, userText } from './harness.js';
import { INITIALIZE, startRawHost, type RawHost } from './raw-host.js';

const env = { OPENAI_API_KEY: 'ambiguity-key-0123456789' };
const e2e = { skip: skipUnlessBuilt, timeout: 60_000 };
const SAMPLING_PARAMS = { messages: [userText('hi')], maxTokens: 5 };

async function withHost(fn: (host: RawHost, nextId: () => number) => Promise<void>): Promise<void> {
  const fake = await startFakeOpenAI();
  fake.setDefault(() => ({ body: openaiCompletionBody({ text: 'routed' }) }));
  const host = startRawHost({ policy: openaiPolicy(fake.baseURL), env });
  let id = 100;
  try {
    const init = await host.request(1, 'initialize', INITIALIZE());
    assert.ok(init.result, JSON.stringify(init));
    host.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    await fn(host, () => id++);
  } finally {
    await host.close();
    await fake.close();
  }
}

const isSamplingRequest = (l: string) => /"(m|\\u006d)(e|\\u0065)thod"\s*:\s*"sampling\/createMessage"/.test(l);
const noSamplingReachedTheHost = (host: RawHost) => assert.ok(!host.lines.some(isSamplingRequest), `a sampling request reached the host: ${host.lines.find(isSamplingRequest)?.slice(0, 300)}`);

test('a batched sampling request from the server is answered by mcp-route; the rest of the batch still reaches the host', e2e, async () => {
  await withHost(async (host, nextId) => {
    const note = { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'in a batch' } };
    const batch = JSON.stringify([JSON.parse(samplingLine('b1')), note, JSON.parse(samplingLine('b2'))]);
    const done = await host.request(nextId(), 'faulty/emit', { lines: [batch], awaitIds: ['b1', 'b2'] });
    assert.equal(done.result.responses.sb1[0].result?.content?.text, 'routed');
    assert.equal(done.result.responses.sb2[0].result?.content?.text, 'routed');
    noSamplingReachedTheHost(host);
    const forwarded = JSON.parse(host.lines.find((l) => l.includes('in a batch'))!);
    assert.deepEqual(forwarded, [note], 'the notification arrives, still as a batch');
  });
});

test('a batched initialize from the host still declares sampling to the server', e2e, async () => {
  const host = startRawHost({ policy: openaiPolicy('http://127.0.0.1:9/v1'), env });
  try {
    host.send(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'initialize', params: INITIALIZE() }]));
    const line = await host.waitForLine((l) => l.includes('"serverInfo"'));
    const init = JSON.parse(line);
    const declared = JSON.parse((Array.isArray(init) ? init[0] : init).result.instructions);
    assert.deepEqual(declared.sampling, { tools: {} }, `the server saw: ${JSON.stringify(declared)}`);
  } finally {
    await host.close();
  }
});

test('a frame over 2 KiB that names "method" twice, or spells it with escapes, is judged by the key that counts', e2e, async () => {
  await withHost(async (host, nextId) => {
    const pad = 'x'.repeat(3000);
    // JSON.parse (the host's parser) keeps the last "method": this is a sampling request.
    const twice = `{"jsonrpc":"2.0","id":"twice","method":"roots/list","params":{"pad":"${pad}"},"method":"sampling/createMessage","params":${JSON.stringify(SAMPLING_PARAMS)}}`;
    const escaped = `{"jsonrpc":"2.0","id":"escaped","m\\u0065thod":"sampling/createMessage","params":${JSON.stringify({ ...SAMPLING_PARAMS, metadata: { pad } })}}`;
    const done = await host.request(nextId(), 'faulty/emit', { lines: [twice, escaped], awaitIds: ['twice', 'escaped'] });
    assert.equal(done.result.responses.stwice[0].result?.content?.text, 'routed', JSON.stringify(done.result.responses.stwice));
    assert.equal(done.result.responses.sescaped[0].result?.content?.text, 'routed', JSON.stringify(done.result.responses.sescaped));
    noSamplingReachedTheHost(host);
  });
});

test('ids are copied as bytes: 9007199254740993 and 1e400 come back exactly, both ways', e2e, async () => {
  await withHost(async (host, nextId) => {
    const big = `{"jsonrpc":"2.0","id":9007199254740993,"method":"sampling/createMessage","params":${JSON.stringify(SAMPLING_PARAMS)}}`;
    const huge = `{"jsonrpc":"2.0","id":1e400,"method":"sampling/createMessage","params":${JSON.stringify(SAMPLING_PARAMS)}}`;
    await host.request(nextId(), 'faulty/emit', { lines: [big, huge, samplingLine('marker')], awaitIds: ['marker'] });
    let lines: string[] = [];
    for (let i = 0; i < 200 && lines.length < 2; i++) {
      const raw = (await host.request(nextId(), 'faulty/raw-responses')).result.lines as string[];
      lines = raw.filter((l) => l.startsWith('{"jsonrpc":"2.0","id":9007199254740993,') || l.startsWith('{"jsonrpc":"2.0","id":1e400,'));
      if (lines.length < 2) await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(lines.length, 2, 'both answers carry the ids exactly as sent');
    // Host -> server -> (server dies) -> host: mcp-route's own error copies the host's id too.
    host.send('{"jsonrpc":"2.0","id":9007199254740993,"method":"faulty/responses","params":{"awaitIds":["never"],"timeoutMs":60000}}');
    host.send({ jsonrpc: '2.0', id: nextId(), method: 'faulty/exit', params: { code: 0 } });
    const error = await host.waitForLine((l) => l.includes('the server exited'));
    assert.ok(error.startsWith('{"jsonrpc":"2.0","id":9007199254740993,"error":'), error);
  });
});

test('a sampling request with id null is answered as invalid, never forwarded to the host as a notification', e2e, async () => {
  await withHost(async (host, nextId) => {
    const nullId = `{"jsonrpc":"2.0","id":null,"method":"sampling/createMessage","params":${JSON.stringify(SAMPLING_PARAMS)}}`;
    const noId = `{"jsonrpc":"2.0","method":"sampling/createMessage","params":${JSON.stringify(SAMPLING_PARAMS)}}`;
    const done = await host.request(nextId(), 'faulty/emit', { lines: [nullId, noId, samplingLine('after')], awaitIds: ['after', null] });
    const [answer] = done.result.responses.snull;
    assert.equal(answer?.error?.code, -32600, JSON.stringify(done.result.responses));
    assert.match(answer.error.message, /needs a string or number id/);
    assert.ok(done.result.responses.safter[0].result);
    noSamplingReachedTheHost(host);
  });
});
