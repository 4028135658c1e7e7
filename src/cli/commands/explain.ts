// `mcp-route explain`: runs the routing decision for one sampling request against a policy
// and shows why each model was kept, dropped or placed where it is, as `run` would meet it:
// with the budget state in the store (unless --no-state) and what the host declares
// (--host-sampling). Thin: load, decide, print, exit.
// Exit codes: 0 routed, 3 refused by the policy or a budget, 1 invalid policy or request, 2 usage.

import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { McpRouteError } from '../../errors.js';
import type { Policy } from '../../policy/types.js';
import { decisionToJson, formatDecisionText } from '../../routing/explain-format.js';
import { explainAsRun, type LiveExplanation } from '../../routing/explain-live.js';
import { usableProviderNames } from '../../providers/registry.js';
import { createBudgetGate } from '../../budgets/gate.js';
import { storeLabel } from '../../budgets/format.js';
import { parseSamplingRequestOrMessage } from '../../routing/validate-request.js';

interface ExplainOptions {
  policy?: string;
  server?: string;
  format: string;
  hostSampling?: boolean;
  /** Commander's --no-state: false when given. */
  state: boolean;
}

/** How long explain waits for the budget store before showing the decision without it. */
const STORE_READ_TIMEOUT_MS = 5000;

const EXAMPLE = `
The request file holds the params of a sampling/createMessage, a whole JSON-RPC message, or an
entry of a 2026 input_required result's inputRequests ({"method": "sampling/createMessage", "params": ...}).

Budgets are read from the policy's store as \`run\` would see them (--no-state skips that), and a
\`client\` provider counts only with --host-sampling, as \`run\` uses it only for a host that
declares sampling.

Example:
  $ mcp-route explain --policy prod.yaml request.json --server github --host-sampling
  $ echo '{"messages":[{"role":"user","content":{"type":"text","text":"hi"}}],"maxTokens":500,
          "modelPreferences":{"hints":[{"name":"sonnet"}],"costPriority":0.8}}' \\
      | mcp-route explain --policy prod.yaml - --format json

Exit codes: 0 routed, 3 refused by the policy or a budget, 1 invalid policy or request, 2 usage.`;

function fail(code: number, message: string): never {
  process.stderr.write(message.endsWith('\n') ? message : `${message}\n`);
  process.exit(code);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function loadPolicy(path: string | undefined): Promise<Policy> {
  // Loaded lazily so that a problem in the policy loader cannot stop the other subcommands from starting.
  const { commandPolicy } = await import('../command-policy.js');
  return commandPolicy(path).policy;
}

/** `file:line:col: error: not valid JSON: ...`, the position taken from V8's "at position N". */
function jsonError(label: string, text: string, err: Error): string {
  const m = / in JSON at position (\d+)/.exec(err.message);
  const what = err.message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '');
  if (!m) return `${label}: error: not valid JSON: ${what}`;
  const before = text.slice(0, Number(m[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${label}:${line}:${column}: error: not valid JSON: ${what}`;
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('show which models a sampling request would go to under a policy, and why')
    .argument('[request]', 'JSON file with the sampling/createMessage params, JSON-RPC message or inputRequests entry; "-" or omitted reads stdin')
    .option('-p, --policy <file>', 'policy file (default: discovered like `mcp-route run`)')
    .option('-s, --server <name>', 'server name that rules and budgets match on (what `run --server-name` gives)')
    .option('--host-sampling', 'the host declares the sampling capability (as VS Code does), so `client` providers can answer')
    .option('--no-state', 'do not read budget state from the store: judge every budget as unused')
    .option('-f, --format <format>', 'text or json', 'text')
    .addHelpText('after', EXAMPLE)
    .action(explain);
}

async function explain(requestPath: string | undefined, options: ExplainOptions): Promise<void> {
  if (options.format !== 'text' && options.format !== 'json') {
    fail(2, `mcp-route explain: --format must be text or json, got "${options.format}"`);
  }
  if (requestPath === undefined && process.stdin.isTTY) {
    fail(2, 'mcp-route explain: give a request file, or "-" and pipe the request on stdin (see --help)');
  }
  let policy: Policy;
  try {
    policy = await loadPolicy(options.policy);
  } catch (err) {
    if (err instanceof McpRouteError) fail(1, err.message);
    throw err;
  }
  const request = await readRequest(requestPath);
  const hostSampling = options.hostSampling === true;
  const usableProviders = usableProviderNames(policy, { hostSampling });
  const readState = options.state && policy.budgets.length > 0;
  const { live, stateError } = await explainLive(policy, request, { serverName: options.server, usableProviders }, readState);
  const { decision, blocked, refusedBy } = live;
  if (options.format === 'json') {
    const budgets = {
      read: readState && stateError === undefined,
      ...(readState ? { store: storeLabel(policy) } : {}),
      ...(stateError !== undefined ? { error: stateError } : {}),
      blocked,
      ...(refusedBy ? { refusedBy } : {}),
    };
    process.stdout.write(`${JSON.stringify({ ...decisionToJson(decision), host: { sampling: hostSampling }, budgets }, null, 2)}\n`);
  } else {
    const notes = [
      `host:     ${hostSampling ? 'declares sampling (--host-sampling)' : 'does not declare sampling (pass --host-sampling for a host that does)'}`,
      `budgets:  ${!policy.budgets.length ? 'none in the policy' : !options.state ? 'not read (--no-state): every budget counts as unused' : stateError !== undefined ? `not read: ${stateError}` : `read from ${storeLabel(policy)}`}`,
      ...blocked.map((b) => `  ${b.provider}/${b.model}: ${b.message} (onExceed: ${b.onExceed})`),
    ];
    process.stdout.write(formatDecisionText(decision, policy, { notes, ...(refusedBy ? { refusedBy } : {}) }));
  }
  process.exitCode = decision.action === 'route' && !refusedBy ? 0 : 3;
}

/** The request from a file or stdin, as params; every problem exits 1 naming the file (and line:col for JSON). */
async function readRequest(requestPath: string | undefined): Promise<ReturnType<typeof parseSamplingRequestOrMessage>> {
  const fromStdin = requestPath === undefined || requestPath === '-';
  const label = fromStdin ? '<stdin>' : requestPath;
  let text: string;
  try {
    text = fromStdin ? await readStdin() : readFileSync(requestPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    fail(1, `mcp-route explain: cannot read request ${label}: ${reason}`);
  }
  if (text.trim() === '') fail(1, `${label}: error: the request is empty; give the params of a sampling/createMessage as JSON (see --help)`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    fail(1, jsonError(label, text, err as Error));
  }
  try {
    return parseSamplingRequestOrMessage(raw);
  } catch (err) {
    if (err instanceof McpRouteError) fail(1, `${label}: error: ${err.message}`);
    throw err;
  }
}

/** The decision as `run` would meet it, with budget state from the store when asked; a store that fails is reported, not fatal. */
async function explainLive(
  policy: Policy,
  request: ReturnType<typeof parseSamplingRequestOrMessage>,
  base: Parameters<typeof explainAsRun>[2],
  readState: boolean,
): Promise<{ live: LiveExplanation; stateError?: string }> {
  if (!readState) return { live: await explainAsRun(policy, request, base) };
  const gate = createBudgetGate(policy);
  try {
    return { live: await withTimeout(explainAsRun(policy, request, { ...base, gate }), STORE_READ_TIMEOUT_MS, `no answer from the store in ${STORE_READ_TIMEOUT_MS / 1000}s`) };
  } catch (err) {
    const stateError = err instanceof Error ? err.message : String(err);
    process.stderr.write(`mcp-route explain: budget state not read from ${storeLabel(policy)}: ${stateError}; showing the decision without it\n`);
    return { live: await explainAsRun(policy, request, base), stateError };
  } finally {
    void gate.close().catch(() => {});
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
