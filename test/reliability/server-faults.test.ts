// Hostile or broken servers behind the spawned CLI: lines that are not JSON-RPC, unknown
// methods, sampling requests with every required field missing in turn or of the wrong type,
// a 50 MB image, duplicate ids, cancellations for unknown ids, and a server that dies with
// requests pending. mcp-route must answer each sampling request once and keep passing traffic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI, openaiCompletionBody } from '../helpers/fake-openai.js';
import { assertAllGone, assertExactlyOnce, openaiPolicy, samplingLine, skipUnlessBuilt, startRoute, userText, type Route } from './harness.js';

const env = { OPENAI_API_KEY: 'server-faults-key-0123456789' };

async function withRoute(fn: (route: Route, fake: Awaited<ReturnType<typeof startFakeOpenAI>>) => Promise<void>, policy: { timeout?: string; deadline?: string } = {}): Promise<void> {
  const fake = await startFakeOpenAI();
  const route = await startRoute({ policy: openaiPolicy(fake.baseURL, policy), env }).catch(async (err) => {
    await fake.close();
    throw err;
  });
  const pids = [route.routerPid, route.serverPid];
  try {
    await fn(route, fake);
  } finally {
    await route.close();
    await fake.close();
    await assertAllGone(pids);
  }
}

test('lines that are not JSON-RPC and unknown methods are survived; valid frames around them still pass', { skip: skipUnlessBuilt, timeout: 20_000 }, async () => {
  await withRoute(async (route) => {
    const garbage = [
      'this is not JSON',
      '{"half": ',
      '[]',
      '42',
      'null',
      '{"jsonrpc":"2.0"}',
      '{"jsonrpc":"2.0","id":{"obj":1},"method":"x"}',
      '\u0000\u0001\u0002binary\uFFFD',
      '{"jsonrpc":"2.0","method":"notifications/totally-unknown","params":{"a":1}}',
      '{"jsonrpc":"2.0","id":"u1","method":"bogus/method","params":{}}',
      '{"jsonrpc":"2.0","id":"nobody-asked","result":{}}',
    ];
    const lines = [samplingLine('before'), ...garbage, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'after garbage' } }), samplingLine('after')];
    const { responses } = await route.call('faulty/emit', { lines, oneChunk: true, awaitIds: ['before', 'after', 'u1'], timeoutMs: 10_000 });
    assertExactlyOnce(responses, ['before', 'after', 'u1']);
    assert.ok(responses.sbefore[0].result && responses.safter[0].result);
    // The host's SDK answered the unknown method itself: it was passed through, not eaten.
    assert.equal(responses.su1[0].error.code, -32601);
    assert.deepEqual(await route.call('ping'), {});
    assert.ok(route.logs.includes('after garbage'), 'a valid notification after the garbage reached the host');
    assert.match(route.stderr(), /not JSON-RPC/);
    // Unknown methods from the host reach the server and its error comes back.
    await assert.rejects(route.call('no/such/method'), (e: { code?: number }) => e.code === -32601);
  });
});

const valid = () => ({ messages: [userText('hi')], maxTokens: 5 });
/** Every required field missing in turn, and wrong types: [label, params, path the message must name]. */
const INVALID: Array<[string, unknown, RegExp]> = [
  ['params missing', undefined, /params|expected an object/i],
  ['params null', null, /expected an object/],
  ['params an array', [], /expected an object/],
  ['messages missing', { maxTokens: 5 }, /messages/],
  ['maxTokens missing', { messages: [userText('hi')] }, /maxTokens/],
  ['role missing', { messages: [{ content: { type: 'text', text: 'hi' } }], maxTokens: 5 }, /messages\[0\]\.role/],
  ['content missing', { messages: [{ role: 'user' }], maxTokens: 5 }, /messages\[0\]\.content/],
  ['content type missing', { messages: [{ role: 'user', content: { text: 'hi' } }], maxTokens: 5 }, /messages\[0\]\.content/],
  ['text missing', { messages: [{ role: 'user', content: { type: 'text' } }], maxTokens: 5 }, /messages\[0\]\.content/],
  ['image data missing', { messages: [{ role: 'user', content: { type: 'image', mimeType: 'image/png' } }], maxTokens: 5 }, /messages\[0\]\.content/],
  ['image mimeType missing', { messages: [{ role: 'user', content: { type: 'image', data: 'AAAA' } }], maxTokens: 5 }, /messages\[0\]\.content/],
  ['messages a string', { messages: 'hi', maxTokens: 5 }, /messages/],
  ['maxTokens a string', { ...valid(), maxTokens: '5' }, /maxTokens/],
  ['maxTokens an object', { ...valid(), maxTokens: { n: 5 } }, /maxTokens/],
  ['role a number', { messages: [{ role: 7, content: { type: 'text', text: 'hi' } }], maxTokens: 5 }, /role/],
  ['role system', { messages: [{ role: 'system', content: { type: 'text', text: 'hi' } }], maxTokens: 5 }, /role/],
  ['text a number', { messages: [{ role: 'user', content: { type: 'text', text: 5 } }], maxTokens: 5 }, /messages\[0\]\.content/],
  ['content type unknown', { messages: [{ role: 'user', content: { type: 'video', url: 'x' } }], maxTokens: 5 }, /messages\[0\]\.content/],
  ['modelPreferences a string', { ...valid(), modelPreferences: 'fast' }, /modelPreferences/],
  ['hints not an array', { ...valid(), modelPreferences: { hints: 'claude' } }, /hints/],
  ['priority a string', { ...valid(), modelPreferences: { costPriority: 'high' } }, /costPriority/],
  ['systemPrompt a number', { ...valid(), systemPrompt: 1 }, /systemPrompt/],
  ['tools not an array', { ...valid(), tools: { name: 'x' } }, /tools/],
];

test('each invalid sampling request gets one -32602 naming the field, and no provider is called', { skip: skipUnlessBuilt, timeout: 20_000 }, async () => {
  await withRoute(async (route, fake) => {
    const ids = INVALID.map((_, i) => `bad-${i}`);
    const lines = INVALID.map(([, params], i) =>
      JSON.stringify(params === undefined ? { jsonrpc: '2.0', id: ids[i], method: 'sampling/createMessage' } : { jsonrpc: '2.0', id: ids[i], method: 'sampling/createMessage', params }),
    );
    const { responses } = await route.call('faulty/emit', { lines, awaitIds: ids, timeoutMs: 10_000 });
    assertExactlyOnce(responses, ids);
    INVALID.forEach(([label, , field], i) => {
      const [r] = responses[`s${ids[i]}`];
      assert.ok(r.error, `${label}: expected an error, got ${JSON.stringify(r).slice(0, 200)}`);
      assert.equal(r.error.code, -32602, `${label}: ${JSON.stringify(r.error)}`);
      assert.match(r.error.message, /^mcp-route:/, label);
      assert.match(r.error.message, field, `${label}: ${r.error.message}`);
    });
    assert.equal(fake.requests.length, 0, 'an invalid request must never reach a provider');
  });
});

test('a 50 MB base64 image is answered once, forwarded whole, and the proxy keeps serving', { skip: skipUnlessBuilt, timeout: 30_000 }, async () => {
  // Decided behaviour: answered. The prompt estimate counts an image as a flat 1600 tokens
  // whatever its size (README routing, "Prompt estimate"), so a big image does not exceed a
  // context window; the router forwards it intact and the provider is the judge of its size.
  const imageBytes = 50 * 1024 * 1024;
  await withRoute(
    async (route, fake) => {
      const { responses } = await route.call('faulty/emit', { bigImages: [{ id: 'huge', imageBytes }], lines: [samplingLine('small')], awaitIds: ['huge', 'small'], timeoutMs: 25_000 }, 28_000);
      assertExactlyOnce(responses, ['huge', 'small']);
      assert.ok(responses.ssmall[0].result, 'the small request next to it is answered');
      const huge = responses.shuge[0];
      assert.ok(huge.result, `the 50 MB image request is answered, got ${JSON.stringify(huge.error)}`);
      // Forwarded whole, exactly once: one provider request carries the full data URL.
      const withImage = fake.requests.filter((r) => r.rawBody.includes('data:image/png;base64,'));
      assert.equal(withImage.length, 1, 'the image reached the provider once');
      const url = /"url":"(data:image\/png;base64,A*)"/.exec(withImage[0]!.rawBody)?.[1];
      assert.equal(url?.length, 'data:image/png;base64,'.length + imageBytes, 'every byte of the image reached the provider');
      assert.deepEqual(await route.call('ping'), {});
      // Moving 50 MB over loopback twice (host to mcp-route, mcp-route to the provider) took over
      // 2 s on a loaded 2-core CI machine: the test is about forwarding, not speed.
    },
    { timeout: '20s', deadline: '25s' },
  );
});

test('duplicate request ids each get their own single answer; a cancel for an unknown id is harmless', { skip: skipUnlessBuilt, timeout: 20_000 }, async () => {
  await withRoute(async (route, fake) => {
    // The first twin is slow at the provider, so both are in flight with the same id.
    fake.enqueue({ delay: 150, body: openaiCompletionBody({ text: 'first' }) }, { body: openaiCompletionBody({ text: 'second' }) });
    const twin = (text: string) => samplingLine(7, { messages: [userText(text)], maxTokens: 5 });
    await route.call('faulty/emit', { lines: [twin('one'), twin('two')], oneChunk: true, awaitIds: [7] });
    const deadline = Date.now() + 5_000;
    let got: any[] = [];
    while (Date.now() < deadline) {
      got = (await route.call('faulty/responses', { ids: [7] })).responses.n7;
      if (got.length >= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(got.length, 2, `two requests with id 7, ${got.length} responses`);
    assert.deepEqual(got.map((r) => r.result?.content?.text).sort(), ['first', 'second']);

    const cancelUnknown = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'never-sent', reason: 'x' } });
    const { responses } = await route.call('faulty/emit', { lines: [cancelUnknown, samplingLine('next')], awaitIds: ['next'] });
    assertExactlyOnce(responses, ['next']);
    assert.deepEqual(await route.call('ping'), {});
  });
});

test('a cancelled sampling request gets no response and its provider call is aborted', { skip: skipUnlessBuilt, timeout: 20_000 }, async () => {
  await withRoute(async (route, fake) => {
    fake.enqueue({ delay: 10_000, body: openaiCompletionBody() });
    await route.call('faulty/emit', { lines: [samplingLine('c1', { ...valid(), maxTokens: 5 })] });
    await fake.waitForRequests(1);
    const cancel = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'c1', reason: 'user' } });
    await route.call('faulty/emit', { lines: [cancel] });
    await fake.waitForClose(1);
    await route.call('faulty/emit', { lines: [samplingLine('c2')], awaitIds: ['c2'] });
    const { responses } = await route.call('faulty/responses', { ids: ['c1', 'c2'] });
    assertExactlyOnce(responses, ['c2']);
    assert.equal(responses.sc1.length, 0, 'a cancelled request must not be answered');
  });
});

test('the server dying with requests pending: the host gets an error for each, provider calls stop, nothing is left', { skip: skipUnlessBuilt, timeout: 20_000 }, async () => {
  const fake = await startFakeOpenAI();
  fake.setDefault(() => ({ delay: 10_000, body: openaiCompletionBody() }));
  const route = await startRoute({ policy: openaiPolicy(fake.baseURL, { timeout: '20s', deadline: '30s' }), env }).catch(async (err) => {
    await fake.close();
    throw err;
  });
  const pids = [route.routerPid, route.serverPid];
  try {
    // Three sampling calls in flight at the provider...
    await route.call('faulty/emit', { lines: [samplingLine(1), samplingLine(2), samplingLine(3)] });
    await fake.waitForRequests(3);
    // ...and host requests pending when it dies.
    const pending = [route.call('faulty/responses', { awaitIds: ['never'], timeoutMs: 60_000 }), route.call('faulty/emit', { lines: [], exit: 3 })];
    const results = await Promise.allSettled(pending);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      const err = (r as PromiseRejectedResult).reason as { code?: number; message: string };
      // mcp-route's own answer (not the SDK giving up when the pipe closed): it names the exit code.
      assert.equal(err.code, -32000, err.message);
      assert.match(err.message, /mcp-route: the server exited \(code 3\)/);
    }
    await Promise.all([fake.waitForClose(1), fake.waitForClose(2), fake.waitForClose(3)]);
    await assertAllGone(pids);
  } finally {
    await route.close();
    await fake.close();
    await assertAllGone(pids);
  }
});
