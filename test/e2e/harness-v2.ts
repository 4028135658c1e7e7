// Set-up for the protocol 2026-07-28 end-to-end tests: a real SDK v2 Client (the host) spawning
// the BUILT CLI in front of the dual-era SDK v2 fixture server (mrtr-server.mjs). Both wires
// are recorded: what the host received (every message its transport delivered) and, through
// the fixture's MRTR_WIRE_LOG, every line the server read and wrote.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, type ClientOptions } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { CLI, ROOT } from '../helpers/cli.js';

export const MRTR_FIXTURE = fileURLToPath(new URL('../helpers/mcp-fixtures/mrtr-server.mjs', import.meta.url));

export type Msg = Record<string, any>;

export interface V2Host {
  client: Client;
  /** Messages the host's transport delivered, in order (after connect). */
  received: Msg[];
  /** Lines the server read (`in`) and wrote (`out`), from this session and the probe sibling. */
  serverWire: () => Array<{ dir: 'in' | 'out'; message: Msg }>;
  stderr: () => string;
  close: () => Promise<void>;
}

export async function connectV2Host(
  dir: string,
  runArgs: string[],
  options: { mode?: 'pin' | 'auto'; capabilities?: ClientOptions['capabilities']; setup?: (client: Client) => void; env?: NodeJS.ProcessEnv } = {},
): Promise<V2Host> {
  const wireLog = join(dir, `server-wire-${Math.random().toString(36).slice(2)}.jsonl`);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'run', '--grace', '300', ...runArgs, '--', process.execPath, MRTR_FIXTURE],
    env: { ...(process.env as Record<string, string>), ...(options.env as Record<string, string>), MRTR_WIRE_LOG: wireLog },
    cwd: ROOT,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client(
    { name: 'v2-host', version: '1.0.0' },
    {
      capabilities: options.capabilities ?? {},
      versionNegotiation: { mode: options.mode === 'auto' ? 'auto' : { pin: '2026-07-28' } },
    },
  );
  options.setup?.(client);
  await client.connect(transport);
  const received: Msg[] = [];
  const deliver = transport.onmessage!;
  transport.onmessage = ((...args: Parameters<typeof deliver>) => {
    received.push(args[0] as Msg);
    deliver.apply(transport, args);
  }) as typeof deliver;
  return {
    client,
    received,
    serverWire: () =>
      existsSync(wireLog)
        ? readFileSync(wireLog, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l))
        : [],
    stderr: () => stderr,
    close: () => client.close(),
  };
}

/** Resolves when `check` holds, polling an observable outcome (a file the server writes); never a fixed sleep. */
export async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The tools/call (or other) requests the server read for one tool or prompt name, in order. */
export function legsFor(host: V2Host, name: string): Msg[] {
  return host
    .serverWire()
    .filter((e) => e.dir === 'in' && typeof e.message.method === 'string' && e.message.params?.name === name)
    .map((e) => e.message);
}
