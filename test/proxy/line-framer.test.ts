import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineFramer, type FrameVerdict } from '../../src/proxy/line-framer.js';

function run(chunks: string[], judge: (frame: string) => FrameVerdict) {
  const frames: string[] = [];
  const writes: string[] = [];
  const framer = new LineFramer(
    (f) => {
      frames.push(f.toString());
      return judge(f.toString());
    },
    (b) => writes.push(b.toString()),
  );
  for (const c of chunks) framer.push(Buffer.from(c));
  framer.end();
  return { frames, writes, out: writes.join('') };
}

test('passes frames through byte for byte, one write per chunk when nothing is intercepted', () => {
  const r = run(['{"a":1}\n{"b":2}\r\n{"c":3}\n'], () => true);
  assert.deepEqual(r.frames, ['{"a":1}', '{"b":2}', '{"c":3}']);
  assert.deepEqual(r.writes, ['{"a":1}\n{"b":2}\r\n{"c":3}\n']);
});

test('reassembles frames split across many chunks, including a split newline position', () => {
  const line = JSON.stringify({ text: 'y'.repeat(5000) });
  const whole = `${line}\n{"z":1}\n`;
  const chunks: string[] = [];
  for (let i = 0; i < whole.length; i += 777) chunks.push(whole.slice(i, i + 777));
  const r = run(chunks, () => true);
  assert.deepEqual(r.frames, [line, '{"z":1}']);
  assert.equal(r.out, whole);
});

test('drops and replaces frames without disturbing the order of the others', () => {
  const r = run(['1\n2\n3\n', '4\n5'], (f) => (f === '2' ? null : f === '4' ? Buffer.from('four\n') : true));
  assert.equal(r.out, '1\n3\nfour\n5\n');
});

test('a final line without newline is still a frame; blank lines are dropped', () => {
  const r = run(['\n\n{"x":1}'], () => true);
  assert.deepEqual(r.frames, ['{"x":1}']);
  assert.equal(r.out, '{"x":1}\n');
});

test('streams a long line chunk by chunk when the decider says so, and hands over its tail', async () => {
  const { STREAM_AFTER } = await import('../../src/proxy/line-framer.js');
  const long = `{"result":{"text":"${'z'.repeat(STREAM_AFTER * 3)}"},"jsonrpc":"2.0","id":77}`;
  const writes: Buffer[] = [];
  const tails: string[] = [];
  const frames: string[] = [];
  const framer = new LineFramer(
    (f) => (frames.push(f.toString()), true),
    (b) => writes.push(Buffer.from(b)),
    () => ({ onEnd: (tail) => tails.push(tail.toString()) }),
  );
  const whole = `${long}\n{"small":1}\n`;
  const chunkSize = 8192;
  let sawMidLine = false;
  for (let i = 0; i < whole.length; i += chunkSize) {
    framer.push(Buffer.from(whole.slice(i, i + chunkSize)));
    if (framer.midLine) sawMidLine = true;
  }
  assert.equal(Buffer.concat(writes).toString(), whole, 'bytes unchanged');
  assert.ok(sawMidLine, 'the long line was written before it was complete');
  assert.ok(writes.length > 3, 'in several pieces');
  assert.deepEqual(frames, ['{"small":1}'], 'the streamed line never reached onFrame');
  assert.equal(tails.length, 1);
  assert.ok(tails[0]!.endsWith('"id":77}'), tails[0]);
});

test('lineEndInFrame: a chunk that is one whole line is handed over with its line ending; withoutLineEnd takes it off', async () => {
  const { withoutLineEnd } = await import('../../src/proxy/line-framer.js');
  const frames: Buffer[] = [];
  const writes: string[] = [];
  const framer = new LineFramer(
    (f) => (frames.push(f), true),
    (b) => writes.push(b.toString()),
    undefined,
    undefined,
    { lineEndInFrame: true },
  );
  const one = Buffer.from('{"a":1}\r\n');
  framer.push(one);
  framer.push(Buffer.from('{"b":2}\n{"c":3}\n'));
  assert.equal(frames[0], one, 'the chunk itself, not a view of it');
  assert.deepEqual(
    frames.map((f) => f.toString()),
    ['{"a":1}\r\n', '{"b":2}', '{"c":3}'],
  );
  assert.deepEqual(
    frames.map((f) => withoutLineEnd(f).toString()),
    ['{"a":1}', '{"b":2}', '{"c":3}'],
  );
  assert.equal(writes.join(''), '{"a":1}\r\n{"b":2}\n{"c":3}\n', 'bytes unchanged');
});
