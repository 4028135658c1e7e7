// Host-side faults and pass-through order through the spawned CLI: a host that closes stdin
// in the middle of a request, and a flood of 10,000 pings while sampling is in flight. Every
// pass-through message must arrive once, in the order it was sent, in each direction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeOpenAI, openaiCompletionBody } from '../helpers/fake-openai.js';
import { assertAllGone, assertExactlyOnce, CLI, openaiPolicy, RAW_SERVER, ROOT, samplingLine, skipUnlessBuilt, startRoute, tempDir } from './harness.js';

const env = { OPENAI_API_KEY: 'host-faults-key-0123456789' };

test('the host closing stdin mid-request ends the server, the provider call and mcp-route itself', { skip: skipUnlessBuilt, timeout: 20_000 }, async () => {
  const fake = await startFakeOpenAI();
  fake.setDefault(() => ({ delay: 10_000, body: openaiCompletionBody() }));
  const dir = tempDir();
  const policy = join(dir, 'policy.yaml');
  writeFileSync(policy, openaiPolicy(fake.baseURL, { timeout: '20s', deadline: '30s' }));
  const child = spawn(process.execPath, [CLI, 'run', '--grace', '300ms', '--policy', policy, '--', process.execPath, RAW_SERVER], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let out = '';
  const lines: any[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(out.slice(0, nl)));
      out = out.slice(nl + 1);
      waiter?.();
    }
  });
  let waiter: (() => void) | undefined;
  const until = (pred: () => boolean) =>
    new Promise<void>((resolve) => {
      waiter = () => pred() && resolve();
      waiter();
    });
  const send = (m: unknown) => child.stdin.write(`${JSON.stringify(m)}\n`);
  try {
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    await until(() => lines.some((l) => l.id === 1));
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'faulty/pid' });
    await until(() => lines.some((l) => l.id === 2));
    const serverPid = lines.find((l) => l.id === 2).result.pid as number;
    send({ jsonrpc: '2.0', id: 3, method: 'faulty/emit', params: { lines: [samplingLine('inflight')] } });
    await fake.waitForRequests(1);
    // A request the server is still working on, half a frame, then the host goes away.
    send({ jsonrpc: '2.0', id: 4, method: 'faulty/responses', params: { awaitIds: ['never'], timeoutMs: 60_000 } });
    child.stdin.write('{"jsonrpc":"2.0","id":5,"meth');
    child.stdin.end();
    assert.equal(await exited, 0, "mcp-route exits with the server's code (it exits 0 when its stdin closes)");
    await fake.waitForClose(1);
    await assertAllGone([child.pid!, serverPid]);
    assert.equal(out, '', 'stdout ended on a line boundary');
  } finally {
    clearTimeout(killer);
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {}
    await fake.close();
  }
});

test('10,000 pings while sampling is in flight: all answered, pass-through order kept both ways', { skip: skipUnlessBuilt, timeout: 40_000 }, async () => {
  const fake = await startFakeOpenAI();
  fake.setDefault((req) => ({ delay: 100, body: openaiCompletionBody({ model: req.body?.model }) }));
  // A generous timeout: this test is about the flood, not provider timeouts.
  const route = await startRoute({ policy: openaiPolicy(fake.baseURL, { timeout: '10s', deadline: '20s' }), env });
  const pids = [route.routerPid, route.serverPid];
  try {
    const samplingIds = Array.from({ length: 50 }, (_, i) => `f${i}`);
    const sampling = route.call('faulty/emit', { lines: samplingIds.map((id) => samplingLine(id)), awaitIds: samplingIds, timeoutMs: 30_000 }, 35_000);
    await fake.waitForRequests(1);
    const ECHOES = 2_000;
    const NOTES = 5_000;
    const pings = Array.from({ length: 10_000 }, () => route.client.ping({ timeout: 30_000 }));
    const echoes = Array.from({ length: ECHOES }, (_, seq) => route.call('faulty/echo', { seq }, 30_000));
    const notify = route.call('faulty/notify', { count: NOTES }, 30_000);
    const pingResults = await Promise.all(pings);
    assert.equal(pingResults.length, 10_000);
    const echoed = await Promise.all(echoes);
    assert.deepEqual(
      echoed.map((e) => e.seq),
      Array.from({ length: ECHOES }, (_, i) => i),
      'each request got its own answer',
    );
    await notify;
    const { responses } = await sampling;
    assertExactlyOnce(responses, samplingIds);
    for (const id of samplingIds) assert.ok(responses[`s${id}`][0].result, `sampling ${id}: ${JSON.stringify(responses[`s${id}`][0])}`);

    // host -> server: the server saw every echo once, in the order the host sent them.
    const { received } = await route.call('faulty/responses', {});
    const seqs = (received as Array<{ method?: string; id?: unknown }>).filter((m) => m.method === 'faulty/echo');
    assert.equal(seqs.length, ECHOES);
    assert.equal((received as Array<{ method?: string }>).filter((m) => m.method === 'ping').length, 10_000);
    // Ids are allocated by the SDK client in send order, so increasing ids = order kept.
    const ids = seqs.map((m) => m.id as number);
    assert.ok(
      ids.every((id, i) => i === 0 || id > ids[i - 1]!),
      'host->server order kept',
    );
    // server -> host: notifications arrive once each, in order, interleaved with sampling traffic.
    const notes = route.logs.filter((d): d is { seq: number } => typeof d === 'object' && d !== null && 'seq' in d).map((d) => d.seq);
    assert.deepEqual(
      notes,
      Array.from({ length: NOTES }, (_, i) => i),
      'server->host order kept, nothing lost or duplicated',
    );
  } finally {
    await route.close();
    await fake.close();
    await assertAllGone(pids);
  }
});
