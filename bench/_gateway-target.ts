// What the three gateway benches (gateway, cpu-gateway, callgrind-gateway) share: a one-model
// policy whose gateway speaks OpenAI to the bench's fake provider, and `mcp-route run` with a
// child that only reports the gateway's address and key (the environment mcp-route gave it).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes the benches' policy into `dir`; returns its path. */
export function writeGatewayPolicy(dir: string, providerBaseURL: string): string {
  const policy = join(dir, 'policy.yaml');
  writeFileSync(
    policy,
    `version: 1
providers:
  oa: { type: openai, baseURL: "${providerBaseURL}", apiKey: bench-key-123456 }
models:
  gpt-bench: { provider: oa }
gateway: { openai: true, anthropic: false }
`,
  );
  return policy;
}

/** Arguments for node: `mcp-route run` from the build at `cli`, whose child writes its gateway address to `report`. */
export function reportingRunArgs(cli: string, policy: string, report: string): string[] {
  const child = `require('fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify({ url: process.env.OPENAI_BASE_URL, key: process.env.OPENAI_API_KEY })); setInterval(() => {}, 1e9);`;
  return [cli, 'run', '--policy', policy, '--', process.execPath, '-e', child];
}

/** The child's report, once written whole; waits up to `timeoutMs` (valgrind starts slowly). */
export async function waitForReport(report: string, timeoutMs = 15_000): Promise<{ url: string; key: string }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return JSON.parse(readFileSync(report, 'utf8')) as { url: string; key: string };
    } catch {
      // Not written yet, or not whole yet.
    }
    if (Date.now() > until) throw new Error('timed out waiting for the mcp-route gateway to start');
    await new Promise((r) => setTimeout(r, 20));
  }
}
