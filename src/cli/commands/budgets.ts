// `mcp-route budgets`: what every budget of a policy has used, holds and has left right now,
// read from the store the policy names (the same counters every running router shares).

import { type Command, Option } from 'commander';
import { McpRouteError } from '../../errors.js';
import { createBudgetGate } from '../../budgets/gate.js';
import { formatBudgetTable, storeLabel } from '../../budgets/format.js';
import { commandPolicy, reportCommandError } from '../command-policy.js';
import type { Policy } from '../../policy/types.js';

interface BudgetsOptions {
  policy?: string;
  server?: string;
  reset?: string;
  format: 'text' | 'json';
}

export function registerBudgets(program: Command): void {
  program
    .command('budgets')
    .description("Print every budget's current state (used, reserved, remaining, reset time) from the policy's state store")
    .option('-p, --policy <file>', 'policy file (default: ./mcp-route.yaml, then ~/.config/mcp-route/policy.yaml)')
    .option('-s, --server <name>', 'show the counters that apply to this server name')
    .option('--reset <budget>', "forget the named budget's spend, holds and rate counters (every scope and window) in the store, then print the table")
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  $ mcp-route budgets --policy prod.yaml
  $ mcp-route budgets --policy prod.yaml --server github --format json | jq '.budgets[] | select(.remaining == 0)'
  $ mcp-route budgets --policy prod.yaml --reset daily-spend

Exit codes: 0 printed, 1 invalid policy or unreachable store, 2 usage error.`,
    )
    .action(async (opts: BudgetsOptions) => {
      let policy: Policy;
      try {
        policy = commandPolicy(opts.policy).policy;
      } catch (err) {
        reportCommandError('mcp-route budgets', err);
        process.exitCode = 1;
        return;
      }
      const gate = createBudgetGate(policy);
      try {
        if (opts.reset !== undefined) {
          const cleared = await gate.reset!(opts.reset);
          // stderr: stdout stays the table (or the JSON) that scripts parse.
          process.stderr.write(`mcp-route budgets: reset budget "${opts.reset}": ${cleared} counter(s) cleared in ${storeLabel(policy)}\n`);
        }
        const rows = await gate.status(opts.server !== undefined ? { server: opts.server } : {});
        if (opts.format === 'json') {
          const budgets = rows.map((r) => ({ ...r, resetsAt: r.resetsAt !== undefined ? new Date(r.resetsAt).toISOString() : null }));
          process.stdout.write(`${JSON.stringify({ policy: policy.source, store: policy.state.store, budgets }, null, 2)}\n`);
        } else {
          process.stdout.write(`policy: ${policy.source}\nstore:  ${storeLabel(policy)}\n\n${formatBudgetTable(rows)}`);
        }
      } catch (err) {
        const message = err instanceof McpRouteError ? err.message : `reading budgets failed: ${(err as Error).message}`;
        process.stderr.write(`mcp-route budgets: ${message}\n`);
        process.exitCode = 1;
      } finally {
        await gate.close().catch(() => {});
      }
    });
}
