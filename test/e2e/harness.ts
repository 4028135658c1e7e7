// Shared set-up for end-to-end tests: the BUILT CLI (`node dist/cli/main.js run ...`) between
// a real SDK Client (the host) and the real fixture McpServer, over real stdio. Policies are
// written to a temp dir per test. `spawnRun` gives the raw child for exit-code assertions.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI, ROOT, isAlive } from '../helpers/cli.js';
import { StreamClientTransport } from '../proxy/stream-transport.js';

export { ROOT, CLI };
export const FIXTURE = fileURLToPath(new URL('../helpers/mcp-fixtures/sampling-server.mjs', import.meta.url));
export const built = existsSync(CLI);
export const skipUnlessBuilt = built ? false : 'dist/cli/main.js is missing: run `npm run build` first';
/** Options for every e2e test: skipped without a build, and never allowed to hang the suite. */
export const e2e = { skip: skipUnlessBuilt, timeout: 30_000 };

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'mcp-route-e2e-'));
}

export function writePolicy(dir: string, yaml: string, name = 'policy.yaml'): string {
  const path = join(dir, name);
  writeFileSync(path, yaml);
  return path;
}

export interface Host {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  close: () => Promise<void>;
}

/** Connects a real SDK client to `mcp-route run <runArgs> -- node <fixture>` via StdioClientTransport. */
export async function connectHost(
  runArgs: string[],
  options: { capabilities?: Record<string, unknown>; env?: NodeJS.ProcessEnv; server?: string[]; setup?: (client: Client) => void } = {},
): Promise<Host> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'run', '--grace', '300ms', ...runArgs, '--', ...(options.server ?? [process.execPath, FIXTURE])],
    env: { ...(process.env as Record<string, string>), ...(options.env as Record<string, string>) },
    cwd: ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'e2e-host', version: '1.0.0' }, { capabilities: options.capabilities ?? {} });
  options.setup?.(client);
  await client.connect(transport);
  return { client, transport, stderr: () => stderr, close: () => client.close() };
}

export interface RawRun {
  child: ChildProcessWithoutNullStreams;
  client: Client;
  stderr: () => string;
  /** Resolves once stderr matches (stderr and stdout are separate pipes: no ordering between them). */
  stderrMatching: (re: RegExp) => Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns the CLI in its own process group (killed on timeout) and connects a client over its stdio. */
export async function spawnRun(runArgs: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RawRun> {
  const child = spawn(process.execPath, [CLI, 'run', ...runArgs, '--', process.execPath, FIXTURE], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  }) as ChildProcessWithoutNullStreams;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {}
  }, options.timeoutMs ?? 15_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close', not 'exit': by then stderr has been read to the end.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    }),
  );
  const client = new Client({ name: 'e2e-raw-host', version: '1.0.0' }, { capabilities: {} });
  await client.connect(new StreamClientTransport(child.stdout, child.stdin));
  const stderrMatching = (re: RegExp) =>
    new Promise<string>((resolve) => {
      if (re.test(stderr)) return resolve(stderr);
      const onData = () => {
        if (!re.test(stderr)) return;
        child.stderr.off('data', onData);
        resolve(stderr);
      };
      child.stderr.on('data', onData);
    });
  return { child, client, stderr: () => stderr, stderrMatching, exited };
}

export async function callText(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const r = await client.callTool({ name, arguments: args });
  return (r.content as Array<{ type: string; text: string }>)[0]!.text;
}

/** Calls the fixture's `sample` tool and returns its JSON report ({ok, result} or {ok:false, code, message, data}). */
export async function sample(client: Client, args: Record<string, unknown>): Promise<any> {
  return JSON.parse(await callText(client, 'sample', args));
}

export { isAlive };
