// The 2026 capability rewrite done on the bytes (era.ts, samplingCapabilityBytes) against the
// parse-and-re-encode rewrite it replaces on the hot path (withSamplingCapability): the same
// message as JSON.parse reads it, key order included, for every shape it accepts; the shapes
// it declines go to the parse path, and the proxy still answers them that way.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_CAPABILITIES_META, includesBytes, PROTOCOL_VERSION_META, samplingCapabilityBytes, withSamplingCapability } from '../../src/proxy/era.js';
import { rpcMembers } from '../../src/proxy/json-top-level.js';
import { prng } from '../helpers/prng.js';

const PV = JSON.stringify(PROTOCOL_VERSION_META);
const CAPS = JSON.stringify(CLIENT_CAPABILITIES_META);

/** The byte rewrite of a frame given as text: undefined when declined. */
function rewrite(text: string, tools: boolean) {
  const frame = Buffer.from(text);
  const members = rpcMembers(frame);
  assert.ok(members && members !== 'escaped-key' && members.params, `a request with params: ${text}`);
  return samplingCapabilityBytes(frame, members.params, tools);
}

/** The rewritten frame as JSON.parse reads it, and as the parse path would have made it; equal including key order. */
function compare(text: string, tools: boolean): 'rewritten' | 'unchanged' | 'declined' {
  const result = rewrite(text, tools);
  if (!result) return 'declined';
  const expected = withSamplingCapability(JSON.parse(text), tools);
  const bytes = result.rewritten ?? Buffer.from(`${text}\n`);
  assert.equal(bytes.at(-1), 0x0a, 'ends the line');
  assert.equal(JSON.stringify(JSON.parse(bytes.toString())), JSON.stringify(expected), `same message and key order for ${text} (tools ${tools})`);
  return result.rewritten ? 'rewritten' : 'unchanged';
}

const request = (meta: string, params = '"name":"echo","arguments":{"text":"hi"}') => `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{${params}${params ? ',' : ''}"_meta":${meta}}}`;
const capsText = (caps: string) => `{${PV}:"2026-07-28",${CAPS}:${caps}}`;

describe('the sampling capability inserted on the bytes', () => {
  it('gives the same bytes for a frame that keeps its line ending (\\n or \\r\\n) as for one without: one newline at the end', () => {
    for (const tools of [false, true]) {
      for (const text of [request(`{${PV}:"2026-07-28"}`), request(capsText('{}')), request(capsText('{"sampling":{}}'))]) {
        const bare = rewrite(text, tools)?.rewritten;
        assert.ok(bare || !tools, `rewritten: ${text}`);
        for (const ending of ['\n', '\r\n']) assert.deepEqual(rewrite(`${text}${ending}`, tools)?.rewritten, bare, `${JSON.stringify(ending)} ${text}`);
      }
    }
  });

  it('adds the capabilities object when the host sent none, sampling when they lack it, and keeps every declared capability', () => {
    for (const tools of [false, true]) {
      assert.equal(compare(request(`{${PV}:"2026-07-28"}`), tools), 'rewritten');
      assert.equal(compare(request(capsText('{}')), tools), 'rewritten');
      assert.equal(compare(request(capsText('{"elicitation":{"form":{}},"roots":{"listChanged":true}}')), tools), 'rewritten');
    }
    const out = rewrite(request(capsText('{"roots":{}}')), true)!.rewritten!.toString();
    assert.deepEqual(JSON.parse(out).params._meta[CLIENT_CAPABILITIES_META], { roots: {}, sampling: { tools: {} } });
  });

  it('leaves the frame as it is when the host declared sampling (and tools, when the policy may allow them)', () => {
    assert.equal(compare(request(capsText('{"sampling":{}}')), false), 'unchanged');
    assert.equal(compare(request(capsText('{"sampling":{"tools":{}}}')), true), 'unchanged');
    assert.equal(compare(request(capsText('{"sampling":{}}')), true), 'rewritten', 'tools added inside the host’s sampling');
    assert.equal(compare(request(capsText('{"sampling":{"context":{}}}')), true), 'rewritten');
  });

  it('reads duplicate keys as JSON.parse does: the last one wins, and is the one rewritten', () => {
    // An earlier _meta with capabilities is dropped by the receiver; the last one has none.
    const dupMeta = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"_meta":${capsText('{"sampling":{}}')},"name":"x","_meta":{${PV}:"2026-07-28"}}}`;
    assert.equal(compare(dupMeta, false), 'rewritten');
    const dupCaps = request(`{${PV}:"2026-07-28",${CAPS}:{"sampling":{}},${CAPS}:{"roots":{}}}`);
    assert.equal(compare(dupCaps, false), 'rewritten');
    assert.equal(compare(request(capsText('{"sampling":null,"sampling":{}}')), false), 'unchanged');
    assert.equal(compare(request(capsText('{"sampling":{},"sampling":null}')), false), 'declined', 'the last sampling is not an object');
    // A later duplicate _meta that is not an object: not a 2026 request on the bytes.
    assert.equal(rewrite(`{"jsonrpc":"2.0","id":1,"method":"m","params":{"_meta":${capsText('{}')},"_meta":null}}`, false), undefined);
  });

  it('keeps every other byte: escaped strings, big numbers and blanks pass untouched', () => {
    const text = `{ "jsonrpc" : "2.0", "id" : 9007199254740993, "method":"tools/call",\t"params" : { "name" : "a\\"b\\\\", "arguments":{"n":1e400,"s":"\\u00fc \\ud800"},\r\n "_meta" : { ${PV} : "2026-07-28" , ${CAPS} : { } } } }`;
    const out = rewrite(text, false)!.rewritten!.toString();
    assert.ok(out.includes('9007199254740993') && out.includes('1e400') && out.includes('"a\\"b\\\\"') && out.includes('\\ud800'), out);
    assert.equal(out, `${text.replace('{ } }', '{ "sampling":{}} }')}\n`);
    assert.equal(compare(JSON.stringify(JSON.parse(text), null, 2), true), 'rewritten', 'pretty-printed');
  });

  it('reads the progress token, and declines what only the parse path can judge', () => {
    assert.equal(rewrite(request(`{${PV}:"2026-07-28","progressToken":"t-1"}`), false)?.progressToken, 't-1');
    assert.equal(rewrite(request(`{"progressToken":42,${PV}:"2026-07-28"}`), false)?.progressToken, 42);
    const declined = [
      request(`{${PV}:2026}`), // not a string: not a 2026 request
      request(`{"progressToken":1}`),
      request(capsText('null')),
      request(capsText('[]')),
      request(capsText('{"sampling":true}')),
      request(capsText('{"sampling":{"tools":false}}')),
      request(`{"\\u0069o.modelcontextprotocol/protocolVersion":"2026-07-28"}`), // an escaped key
      request(capsText('{"s\\u0061mpling":{}}')),
      request(capsText('{}'), '"name":"x","requestState":"s"'), // a retry: handles are the parse path's
      request(capsText('{}'), '"inputResponses":{}'),
      '{"jsonrpc":"2.0","id":1,"method":"m","params":[1]}',
      '{"jsonrpc":"2.0","id":1,"method":"m","params":{"_meta":"x"}}',
    ];
    for (const text of declined) assert.equal(rewrite(text, true), undefined, text);
    assert.equal(rewrite(request(capsText('{"sampling":{"tools":false}}')), false)?.rewritten, undefined, 'tools not needed: sampling is enough');
  });

  it('agrees with the parse path on thousands of generated requests', () => {
    const random = prng(2026);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const blank = () => pick(['', '', ' ', '\n  ', '\t']);
    const obj = (members: string[]) => `{${blank()}${members.join(`${blank()},${blank()}`)}${blank()}}`;
    const member = (key: string, value: string) => `${JSON.stringify(key)}${blank()}:${blank()}${value}`;
    const value = (): string => pick(['{}', '[]', 'null', '1', '-2.5e3', '"x"', '"\\"}{\\\\"', '{"a":[{"b":"]"}]}', '"ü 😀"']);
    const samplingValue = () => pick(['{}', '{}', obj([member('tools', pick(['{}', '{"x":1}', 'true']))]), obj([member('context', '{}')]), 'null']);
    const capsValue = () => {
      const members: string[] = [];
      for (let k = Math.floor(random() * 4); k > 0; k--)
        members.push(member(pick(['roots', 'elicitation', 'sampling', 'experimental', 'tasks']), pick(['roots', 'sampling']) === 'sampling' ? samplingValue() : value()));
      return pick([obj(members), obj(members), 'null']);
    };
    const metaValue = () => {
      const members = [member(PROTOCOL_VERSION_META, pick(['"2026-07-28"', '"2026-07-28"', '20260728']))];
      if (random() < 0.8) members.push(member(CLIENT_CAPABILITIES_META, capsValue()));
      if (random() < 0.3) members.push(member(CLIENT_CAPABILITIES_META, capsValue())); // a duplicate
      if (random() < 0.3) members.push(member('progressToken', pick(['1', '"p"'])));
      if (random() < 0.3) members.push(member('io.modelcontextprotocol/clientInfo', '{"name":"h","version":"1"}'));
      return obj(members.sort(() => random() - 0.5));
    };
    const counts = { rewritten: 0, unchanged: 0, declined: 0 };
    for (let n = 0; n < 3000; n++) {
      const params = [member('name', '"t"'), member('arguments', value()), member('_meta', metaValue())];
      if (random() < 0.1) params.push(member('_meta', metaValue()));
      const text = obj([member('jsonrpc', '"2.0"'), member('id', String(n)), member('method', '"tools/call"'), member('params', obj(params.sort(() => random() - 0.5)))]);
      counts[compare(text, random() < 0.5)]++;
    }
    // The generator is not allowed to drift into shapes the bytes never take.
    assert.ok(counts.rewritten > 1000 && counts.unchanged > 50, JSON.stringify(counts));
  });
});

describe('includesBytes: the substring search the 2026 checks use', () => {
  it('agrees with Buffer.indexOf, however many rare bytes come before a match or stand alone', () => {
    const needle = Buffer.from('"input_required"');
    const rareAt = needle.indexOf('_');
    const random = prng(19);
    // Pieces that make near misses likely: the needle itself, its halves, lone rare bytes.
    const pieces = ['"input_required"', '"input_', '_required"', '_', 'x', '"', 'input', 'required'];
    for (let n = 0; n < 3000; n++) {
      let text = '';
      const count = Math.floor(random() * 12);
      for (let k = 0; k < count; k++) text += pieces[Math.floor(random() * pieces.length)];
      const b = Buffer.from(text);
      assert.equal(includesBytes(b, needle, rareAt), b.indexOf(needle) !== -1, text);
    }
    assert.equal(includesBytes(Buffer.from(`${'_'.repeat(50)}"input_required"`), needle, rareAt), true, 'found after many lone rare bytes');
    assert.equal(includesBytes(Buffer.from('_required"'), needle, rareAt), false, 'a rare byte too near the start');
  });
});
