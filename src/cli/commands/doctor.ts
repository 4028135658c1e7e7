// `mcp-route doctor`: loads the policy the way `run` would and checks what only shows at run
// time (keys, reachability, model names, the budget store). Exit 0 nothing wrong, 1 something
// is (a failed check or an invalid policy), 2 usage. The work is in src/doctor.ts.

import { type Command, Option } from 'commander';
import { commandPolicy, reportCommandError } from '../command-policy.js';
import type { Policy } from '../../policy/types.js';

interface DoctorFlags {
  policy?: string;
  timeout: string;
  format: 'text' | 'json';
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check that the policy can work here: keys resolve, providers answer, models exist, the budget store opens')
    .option('-p, --policy <file>', 'policy file (default: discovered as `run` does)')
    .option('--timeout <duration>', 'per network check', '10s')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      '\nExamples:\n  $ mcp-route doctor\n  $ mcp-route doctor --policy prod.yaml --format json\n\nExit status: 0 nothing wrong (warnings allowed), 1 something is wrong, 2 usage error.',
    )
    .action(async (flags: DoctorFlags) => {
      const { parseDuration } = await import('../../policy/duration.js');
      let timeoutMs: number;
      try {
        timeoutMs = parseDuration(flags.timeout);
      } catch (err) {
        process.stderr.write(`mcp-route doctor: --timeout: ${(err as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      let policy: Policy;
      try {
        policy = commandPolicy(flags.policy).policy;
      } catch (err) {
        reportCommandError('mcp-route doctor', err);
        process.exitCode = 1;
        return;
      }
      const { runDoctor } = await import('../../doctor.js');
      const checks = await runDoctor(policy, { timeoutMs });
      const failed = checks.filter((c) => c.status === 'fail').length;
      const warned = checks.filter((c) => c.status === 'warn').length;
      if (flags.format === 'json') {
        process.stdout.write(`${JSON.stringify({ policy: policy.source, checks, failures: failed, warnings: warned }, null, 2)}\n`);
      } else {
        const width = Math.max(...checks.map((c) => c.subject.length));
        const lines = checks.map((c) => `${c.status === 'fail' ? 'FAIL' : c.status.padEnd(4)}  ${c.subject.padEnd(width)}  ${c.message}`);
        const summary = failed ? `${failed} problem${failed === 1 ? '' : 's'} found` : 'nothing wrong found';
        process.stdout.write(`${lines.join('\n')}\n\n${summary}${warned ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}\n`);
      }
      process.exitCode = failed ? 1 : 0;
      // A redis client may hold the loop open for its reconnect timer; the answer is out.
      process.stdout.write('', () => process.exit());
    });
}
