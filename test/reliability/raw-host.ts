// A host that writes raw lines to the built CLI's stdin and reads raw lines from its stdout, for
// what no SDK client would send or accept: deep nesting, batches, ids beyond 2^53, malformed
// sampling results. The server behind it is the raw-line fixture, as in harness.ts.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, RAW_SERVER, ROOT, tempDir } from './harness.js';

export interface RawHost {
  child: ChildProcessWithoutNullStreams;
  /** Every line the host received, raw. */
  lines: string[];
  stderr: () => string;
  send: (line: string | Record<string, unknown>) => void;
  /** Resolves with the first received raw line (past or future) that `match` accepts. */
  waitForLine: (match: (line: string) => boolean, timeoutMs?: number) => Promise<string>;
  /** Sends a request with this id and resolves with the parsed response. */
  request: (id: number | string, method: string, params?: Record<string, unknown>) => Promise<any>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  close: () => Promise<void>;
}

export function startRawHost(o: { policy: string; env?: Record<string, string> }): RawHost {
  const dir = tempDir();
  const policyPath = join(dir, 'policy.yaml');
  writeFileSync(policyPath, o.policy);
  const child = spawn(process.execPath, [CLI, 'run', '--grace', '300ms', '--policy', policyPath, '--', process.execPath, RAW_SERVER], {
    cwd: ROOT,
    env: { ...process.env, ...o.env },
  });
  const lines: string[] = [];
  const waiters = new Set<{ match: (l: string) => boolean; done: (l: string) => void }>();
  let partial = '';
  child.stdout.on('data', (d: Buffer) => {
    partial += d.toString('utf8');
    let nl: number;
    while ((nl = partial.indexOf('\n')) !== -1) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.match(line)) waiters.delete(w), w.done(line);
    }
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const send = (line: string | Record<string, unknown>) => void child.stdin.write(`${typeof line === 'string' ? line : JSON.stringify(line)}\n`);
  const waitForLine = (match: (line: string) => boolean, timeoutMs = 15_000) => {
    const seen = lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const w = { match, done: (l: string) => (clearTimeout(timer), resolve(l)) };
      const timer = setTimeout(() => (waiters.delete(w), reject(new Error(`no matching line within ${timeoutMs} ms; got ${lines.length} lines; stderr: ${stderr.slice(-500)}`))), timeoutMs);
      waiters.add(w);
    });
  };
  const request = async (id: number | string, method: string, params: Record<string, unknown> = {}) => {
    send({ jsonrpc: '2.0', id, method, params });
    const line = await waitForLine((l) => {
      try {
        const m = JSON.parse(l);
        return m.id === id && m.method === undefined;
      } catch {
        return false;
      }
    });
    return JSON.parse(line);
  };
  const close = async () => {
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, lines, stderr: () => stderr, send, waitForLine, request, exited, close };
}

export const INITIALIZE = (capabilities: Record<string, unknown> = {}) => ({
  protocolVersion: '2025-06-18',
  capabilities,
  clientInfo: { name: 'raw-host', version: '1' },
});
