// Set-up shared by the fault and security suites: the BUILT CLI between a real SDK Client
// (StdioClientTransport) and the raw-line fixture server (test/helpers/faulty/raw-server.mjs),
// with policies pointing at fake providers on 127.0.0.1. Also the invariant checks every
// suite applies: one response per sampling id, and no process left behind.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LoggingMessageNotificationSchema, ResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { CLI, ROOT, isAlive } from '../helpers/cli.js';

export { CLI, ROOT };
export const RAW_SERVER = fileURLToPath(new URL('../helpers/faulty/raw-server.mjs', import.meta.url));
export const skipUnlessBuilt = existsSync(CLI) ? false : 'dist/cli/main.js is missing: run `npm run build` first';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mcp-route-rel-'));
}

/** A policy with one OpenAI-compatible provider at `baseURL`, fast retries, and any extra YAML appended. */
export function openaiPolicy(baseURL: string, o: { apiKey?: string; extra?: string; defaults?: string; model?: string; timeout?: string; deadline?: string } = {}): string {
  return [
    'version: 1',
    'providers:',
    '  oa:',
    '    type: openai',
    `    apiKey: "${o.apiKey ?? '${OPENAI_API_KEY}'}"`,
    `    baseURL: ${baseURL}`,
    'models:',
    `  ${o.model ?? 'gpt-x'}:`,
    '    provider: oa',
    '    supports: [text, image, tools]',
    '    contextWindow: 100000000',
    'defaults:',
    `  models: [${o.model ?? 'gpt-x'}]`,
    `  timeout: ${o.timeout ?? '2s'}`,
    `  deadline: ${o.deadline ?? '5s'}`,
    '  retry: { attempts: 3, initialDelay: 1ms, maxDelay: 5ms }',
    '  cooldown: 0ms',
    ...(o.defaults ? [o.defaults] : []),
    ...(o.extra ? [o.extra] : []),
    'state:',
    '  store: memory',
    '',
  ].join('\n');
}

export interface Route {
  client: Client;
  transport: StdioClientTransport;
  routerPid: number;
  serverPid: number;
  stderr: () => string;
  /** Logging notifications the host received, in order. */
  logs: unknown[];
  /** A request to the fixture (or anything else) through mcp-route. */
  call: (method: string, params?: Record<string, unknown>, timeoutMs?: number) => Promise<any>;
  close: () => Promise<void>;
}

export interface RouteOptions {
  policy: string;
  env?: Record<string, string>;
  args?: string[];
  capabilities?: Record<string, unknown>;
  dir?: string;
  /** The server command instead of `node raw-server.mjs` (e.g. wrapped in `sh -c`). */
  command?: string[];
  /** Called before connecting, to set the host's request handlers. */
  setup?: (client: Client) => void;
  /** Leave --policy out and start in `dir`, where the policy is written as mcp-route.yaml (discovery). */
  discover?: boolean;
  /** A command that runs mcp-route (e.g. ['setpriv', '--reuid=65534', ...]); it must exec, so the pid stays. */
  wrap?: string[];
  /** The CLI file to run instead of dist/cli/main.js (e.g. the bin, dist/cli/main.cjs). */
  cli?: string;
}

export async function startRoute(o: RouteOptions): Promise<Route> {
  const dir = o.dir ?? tempDir();
  const policyPath = join(dir, o.discover ? 'mcp-route.yaml' : 'policy.yaml');
  writeFileSync(policyPath, o.policy);
  const routeArgs = [o.cli ?? CLI, 'run', '--grace', '300ms', ...(o.discover ? [] : ['--policy', policyPath]), ...(o.args ?? []), '--', ...(o.command ?? [process.execPath, RAW_SERVER])];
  const transport = new StdioClientTransport({
    command: o.wrap?.[0] ?? process.execPath,
    args: o.wrap ? [...o.wrap.slice(1), process.execPath, ...routeArgs] : routeArgs,
    env: { ...(process.env as Record<string, string>), ...o.env },
    cwd: o.discover ? dir : ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'reliability-host', version: '1.0.0' }, { capabilities: o.capabilities ?? {} });
  const logs: unknown[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params.data));
  o.setup?.(client);
  await client.connect(transport);
  const call = (method: string, params: Record<string, unknown> = {}, timeoutMs = 20_000) => client.request({ method, params } as never, ResultSchema, { timeout: timeoutMs }) as Promise<any>;
  const { pid: serverPid } = await call('faulty/pid');
  return {
    client,
    transport,
    routerPid: transport.pid!,
    serverPid,
    stderr: () => stderr,
    logs,
    call,
    close: () => client.close(),
  };
}

/** Resolves when every pid has exited; fails (and kills them) after `ms`. Polls: exit of a non-child has no event. */
export async function assertAllGone(pids: number[], ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (pids.some(isAlive)) {
    if (Date.now() > until) {
      const left = pids.filter(isAlive);
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
      assert.fail(`processes left behind: ${left.join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const userText = (text: string) => ({ role: 'user', content: { type: 'text', text } });

/** A raw `sampling/createMessage` line as the server would write it. */
export function samplingLine(id: number | string, params: unknown = { messages: [userText('hi')], maxTokens: 5 }): string {
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'sampling/createMessage', params });
}

/** Exactly one response per id: `responses` is the fixture's report ({key: [{result}|{error}]}). */
export function assertExactlyOnce(responses: Record<string, Array<{ result?: unknown; error?: unknown }>>, ids: Array<number | string>): void {
  for (const id of ids) {
    const k = typeof id === 'number' ? `n${id}` : `s${id}`;
    const got = responses[k] ?? [];
    assert.equal(got.length, 1, `sampling request ${JSON.stringify(id)} got ${got.length} responses: ${JSON.stringify(got).slice(0, 300)}`);
  }
}

export { prng } from '../helpers/prng.js';

export { isAlive };
