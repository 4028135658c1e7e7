import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyFrame, PARSE_ALWAYS_BELOW } from '../../src/proxy/classify-frame.js';

const big = 'x'.repeat(PARSE_ALWAYS_BELOW * 4);
const c = (v: unknown, needs: (m?: string) => boolean = () => false) => classifyFrame(Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), needs);

test('small frames are parsed and classified', () => {
  const text = '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{}}';
  const request = c(text);
  assert.deepEqual(
    { ...request, message: undefined },
    { kind: 'request', id: 3, method: 'tools/call', message: undefined, params: [text.indexOf('{}'), text.indexOf('{}') + 2] },
    "with where params' value is",
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
  assert.deepEqual({ ...skipped, params: undefined }, { kind: 'request', id: 9, method: 'sampling/createMessage', params: undefined });
  assert.ok(skipped.params, 'the span of params when not parsed');
  // Without an id at either end a notification cannot be told from a request cheaply: parsed.
  const note = c({ method: 'notifications/message', params: { data: big }, jsonrpc: '2.0' });
  assert.equal(note.kind, 'notification');
  assert.equal(note.method, 'notifications/message');
});

test('large non-JSON lines are invalid', () => {
  assert.equal(c(`console output ${big}`).kind, 'invalid');
  assert.equal(c(`{"cut": "${big}`).kind, 'invalid');
});

test('small frames read from their bytes agree with JSON.parse on ids, methods, duplicates and escapes', () => {
  const parsed = (text: string) => {
    const info = classifyFrame(Buffer.from(text), () => false);
    return { kind: info.kind, id: info.id, method: info.method, badId: info.badId };
  };
  // Plain integers and strings come from the bytes; everything else is parsed, as the receiver would.
  assert.deepEqual(parsed('{"jsonrpc":"2.0","id":123,"method":"tools/call","params":{}}'), { kind: 'request', id: 123, method: 'tools/call', badId: undefined });
  assert.deepEqual(parsed('{"id":"r-\\u0031","method":"ping"}'), { kind: 'request', id: 'r-1', method: 'ping', badId: undefined });
  assert.deepEqual(parsed('{"id":"é ü","result":{}}'), { kind: 'response', id: 'é ü', method: undefined, badId: undefined });
  assert.equal(parsed('{"id":-5,"result":{}}').id, -5);
  assert.equal(parsed('{"id":0,"result":{}}').id, 0);
  assert.equal(parsed('{"id":1.5e3,"result":{}}').id, 1500);
  // biome-ignore lint/correctness/noPrecisionLoss: the literal is what JSON.parse makes of this id, which is the point
  assert.equal(parsed('{"id":9007199254740993,"result":{}}').id, 9007199254740993);
  assert.equal(parsed('{"id":0123,"result":{}}').kind, 'unknown'); // not JSON: no id
  // The last duplicate wins; an escaped key is decoded (the slow way).
  assert.deepEqual(parsed('{"method":"a","id":1,"method":"b"}'), { kind: 'request', id: 1, method: 'b', badId: undefined });
  assert.deepEqual(parsed('{"id":1,"m\\u0065thod":"sampling/createMessage"}'), { kind: 'request', id: 1, method: 'sampling/createMessage', badId: undefined });
  assert.deepEqual(parsed('{"id":null,"method":"sampling/createMessage"}'), { kind: 'notification', id: undefined, method: 'sampling/createMessage', badId: true });
  assert.equal(parsed('{"id":"a\u0001","result":{}}').id, undefined); // a raw control character: not a JSON string
  // A method the caller needs is parsed in full, whatever its spelling.
  const needed = classifyFrame(Buffer.from('{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"x":1}}'), (m) => m === 'initialize');
  assert.deepEqual(needed.message?.params, { x: 1 });
  // Not an object at the top level: invalid, as before.
  for (const text of ['{"half": ', '{"a":1}}', '{"a" 1}', '42', 'null']) assert.equal(parsed(text).kind, 'invalid', text);
});

test('method names are read the same whether or not they were seen before (escapes, look-alikes, a flood of new names)', () => {
  for (let round = 0; round < 2; round++) {
    assert.equal(c('{"jsonrpc":"2.0","id":1,"method":"tools/call"}').method, 'tools/call');
    assert.equal(c('{"jsonrpc":"2.0","id":1,"method":"tools\\/call"}').method, 'tools/call', 'an escaped slash');
    assert.equal(c('{"jsonrpc":"2.0","id":1,"method":"tools/calL"}').method, 'tools/calL');
    assert.equal(c('{"jsonrpc":"2.0","id":1,"method":"tööls/call"}').method, 'tööls/call', 'non-ASCII is decoded, never matched');
    const invalidUtf8 = Buffer.from([...Buffer.from('{"id":1,"method":"'), 0xfc, ...Buffer.from('"}')]);
    assert.equal(classifyFrame(invalidUtf8, () => false).method, '\ufffd', 'a byte that is not UTF-8 reads as JSON.parse reads it');
  }
  for (let n = 0; n < 100; n++) assert.equal(c(`{"jsonrpc":"2.0","method":"m${n}"}`).method, `m${n}`);
  assert.equal(c('{"jsonrpc":"2.0","id":1,"method":"tools/call"}').method, 'tools/call');
});
