import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrayElements, topLevelMembers } from '../../src/proxy/json-top-level.js';

const text = (b: Buffer, span: readonly [number, number] | undefined) => (span ? b.subarray(span[0], span[1]).toString() : undefined);

test('top-level members as JSON.parse sees them: last duplicate wins, escaped keys decoded, nested keys ignored', () => {
  const b = Buffer.from('{"id":1,"params":{"method":"inner","s":"a \\"method\\": x"},"method":"a","m\\u0065thod":"b", "id" : 9007199254740993 }');
  const m = topLevelMembers(b)!;
  assert.equal(text(b, m.get('method')), '"b"');
  assert.equal(text(b, m.get('id')), '9007199254740993', 'the id bytes, not a rounded double');
  assert.deepEqual([...m.keys()], Object.keys(JSON.parse(b.toString())), 'the same keys, in the same order, as JSON.parse');
});

test('strings ending in escaped backslashes, and values nested 100k deep, are skipped without recursion', () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  const b = Buffer.from(`{"a":"x\\\\","deep":${deep},"id":"z"}`);
  const m = topLevelMembers(b)!;
  assert.equal(text(b, m.get('a')), '"x\\\\"');
  assert.equal(text(b, m.get('id')), '"z"');
});

test('malformed or non-object frames give undefined', () => {
  for (const bad of ['', '[]', '{"a":1', '{"a":1}x', '{"a" 1}', '{a:1}', '{"a":"unterminated}']) {
    assert.equal(topLevelMembers(Buffer.from(bad)), undefined, bad);
  }
  assert.deepEqual([...topLevelMembers(Buffer.from(' { } '))!.keys()], []);
});

test('batch elements are byte ranges of the original frame', () => {
  const b = Buffer.from('[ {"id":1,"x":[1,{"y":"]"}]} , {"method":"n"},7 ]');
  const spans = arrayElements(b)!;
  assert.deepEqual(
    spans.map((s) => text(b, s)),
    ['{"id":1,"x":[1,{"y":"]"}]}', '{"method":"n"}', '7'],
  );
  assert.equal(arrayElements(Buffer.from('[1,')), undefined);
  assert.deepEqual(arrayElements(Buffer.from('[]')), []);
});
