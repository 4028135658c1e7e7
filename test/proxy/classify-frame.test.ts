import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyFrame, PARSE_ALWAYS_BELOW } from '../../src/proxy/classify-frame.js';

const big = 'x'.repeat(PARSE_ALWAYS_BELOW * 4);
const c = (v: unknown, needs: (m?: string) => boolean = () => false) => classifyFrame(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), needs);

test('small frames are parsed and classified', () => {
  assert.deepEqual(
    { ...c({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: {} }), message: undefined },
    { kind: 'request', id: 3, method: 'tools/call', message: undefined },
  );
  assert.equal(c({ jsonrpc: '2.0', method: 'notifications/progress' }).kind, 'notification');
  assert.equal(c({ jsonrpc: '2.0', id: 'a', result: {} }).id, 'a');
  assert.equal(c('not json').kind, 'invalid');
  assert.equal(c('[{"jsonrpc":"2.0","id":1,"method":"ping"}]').kind, 'batch');
});

test('large responses are classified from their ends without parsing, whatever the key order', () => {
  const sdkOrder = c({ result: { content: [{ type: 'text', text: big }] }, jsonrpc: '2.0', id: 41 });
  assert.deepEqual(sdkOrder, { kind: 'response', id: 41 });
  const pythonOrder = c({ jsonrpc: '2.0', id: 'req-7', result: { content: [{ type: 'text', text: big }] } });
  assert.deepEqual(pythonOrder, { kind: 'response', id: 'req-7' });
  // A nested "id" at the end must not be taken for the top-level one.
  const nested = c({ jsonrpc: '2.0', id: 5, result: { text: big, item: { id: 99 } } });
  assert.equal(nested.id, 5);
  const nestedLast = c({ result: { text: big, item: { id: 99 } }, jsonrpc: '2.0', id: 6 });
  assert.equal(nestedLast.id, 6);
});

test('large requests whose method the caller needs are parsed in full', () => {
  const frame = { method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: big } }] }, jsonrpc: '2.0', id: 9 };
  const info = c(frame, (m) => m === 'sampling/createMessage');
  assert.equal(info.kind, 'request');
  assert.equal(info.id, 9);
  assert.ok(info.message, 'parsed');
  const skipped = c(frame, () => false);
  assert.deepEqual(skipped, { kind: 'request', id: 9, method: 'sampling/createMessage' });
  // Without an id at either end a notification cannot be told from a request cheaply: parsed.
  const note = c({ method: 'notifications/message', params: { data: big }, jsonrpc: '2.0' });
  assert.equal(note.kind, 'notification');
  assert.equal(note.method, 'notifications/message');
});

test('large non-JSON lines are invalid', () => {
  assert.equal(c(`console output ${big}`).kind, 'invalid');
  assert.equal(c(`{"cut": "${big}`).kind, 'invalid');
});
