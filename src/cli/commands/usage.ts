// `mcp-route usage`: what was spent, from the audit log (the policy's audit.path, or --audit).
// Thin: the report is built in src/audit/usage-report.ts.

import { type Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { commandPolicy, reportCommandError } from '../command-policy.js';
import { formatUsageTable, parseSince, readAuditLines, summariseAudit, USAGE_GROUPS, type UsageGroup } from '../../audit/usage-report.js';

interface UsageOptions {
  policy?: string;
  audit?: string;
  since?: string;
  until?: string;
  by: UsageGroup;
  format: 'text' | 'json';
}

export function registerUsage(program: Command): void {
  program
    .command('usage')
    .description('Report requests, outcomes, tokens and USD from the audit log, grouped by server, model, provider, rule, day or entry point')
    .option('-p, --policy <file>', 'policy whose audit.path to read (default: discovered, as for run)')
    .option('-a, --audit <file>', 'audit file to read (overrides the policy)')
    .option('--since <when>', 'from this time: 30m, 24h, 7d, 2w, a date or an ISO time')
    .option('--until <when>', 'up to this time (exclusive), same forms')
    .addOption(new Option('-b, --by <group>', 'group rows by').choices([...USAGE_GROUPS]).default('server'))
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
Examples:
  $ mcp-route usage --policy prod.yaml --since 24h
  $ mcp-route usage --audit ~/.local/state/mcp-route/audit.jsonl --by day --since 7d --format json

Outcomes: ok; refused (a rule, tools denied, no usable model); budget; failed (every other error); dry run.
Exit codes: 0 printed, 1 no audit file, 2 usage error.`,
    )
    .action(async (opts: UsageOptions) => {
      const fail = (message: string, code: number) => {
        process.stderr.write(`mcp-route usage: ${message}\n`);
        process.exitCode = code;
      };
      let since: number | undefined;
      let until: number | undefined;
      try {
        const now = Date.now();
        if (opts.since !== undefined) since = parseSince(opts.since, now);
        if (opts.until !== undefined) until = parseSince(opts.until, now);
      } catch (err) {
        return fail((err as Error).message, 2);
      }
      let path = opts.audit;
      if (path === undefined) {
        try {
          const policy = commandPolicy(opts.policy).policy;
          path = policy.audit.path;
          if (!path) return fail(`${policy.source} sets no audit.path: pass --audit FILE, or add audit: {path: ...} to the policy`, 1);
        } catch (err) {
          reportCommandError('mcp-route usage', err);
          process.exitCode = 1;
          return;
        }
      }
      if (!existsSync(path)) return fail(`no audit file at ${path} (nothing audited yet?)`, 1);
      const report = await summariseAudit(readAuditLines(path), { by: opts.by, ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}) });
      process.stdout.write(opts.format === 'json' ? `${JSON.stringify({ audit: path, ...report }, null, 2)}\n` : `audit: ${path}\n\n${formatUsageTable(report)}`);
    });
}
