// `mcp-route lint`: checks policy files and prints every problem as path:line:col with a code
// frame and a hint (or JSON for tools). Exit 0 clean (warnings allowed), 1 on any error, 2 on
// a usage error. The policy modules load lazily so `--help` stays instant.

import type { Command } from 'commander';

const EXAMPLES = `
Examples:
  $ mcp-route lint policies/prod.yaml
  $ mcp-route lint policies/*.yaml --format json
  $ mcp-route lint --strict          # lints ./mcp-route.yaml or ~/.config/mcp-route/policy.yaml

Exit status: 0 no errors (warnings allowed), 1 errors (or warnings with --strict), 2 usage error.`;

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('check policy files against the schema and for mistakes the schema cannot see')
    .argument('[files...]', 'policy files (default: the discovered policy)')
    .option('--format <format>', 'text or json', 'text')
    .option('--strict', 'treat warnings as errors')
    .addHelpText('after', EXAMPLES)
    .action(async (files: string[], opts: { format: string; strict?: boolean }) => {
      if (opts.format !== 'text' && opts.format !== 'json') {
        process.stderr.write(`mcp-route lint: --format must be text or json (got ${JSON.stringify(opts.format)})\n`);
        process.exit(2);
      }
      if (files.length === 0) {
        const { existsSync } = await import('node:fs');
        const { policySearchPaths } = await import('../../policy/discover.js');
        const paths = policySearchPaths();
        const found = paths.find((p) => existsSync(p));
        if (!found) {
          process.stderr.write(`mcp-route lint: no policy file given, and none found at ${paths.join(' or ')}\nusage: mcp-route lint [files...]  (see mcp-route lint --help)\n`);
          process.exit(2);
        }
        files = [found];
      }
      const { lintFiles } = await import('../../policy/lint.js');
      const { formatDiagnostic } = await import('../../policy/diagnostics.js');
      const result = await lintFiles(files, { strict: opts.strict === true });
      if (opts.format === 'json') {
        const json = {
          files: result.files.map((f) => ({
            path: f.path,
            diagnostics: f.diagnostics.map((d) => ({ severity: d.severity, message: d.message, line: d.line, column: d.column, code: d.code, ...(d.hint ? { hint: d.hint } : {}) })),
          })),
          errorCount: result.errorCount,
          warningCount: result.warningCount,
        };
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      } else {
        const chunks: string[] = [];
        for (const f of result.files) for (const d of f.diagnostics) chunks.push(`${formatDiagnostic(d, f.text)}\n`);
        const n = result.files.length;
        const files = `${n} file${n === 1 ? '' : 's'}`;
        const problems = result.errorCount + result.warningCount;
        chunks.push(
          problems === 0
            ? `${files} checked: no problems\n`
            : `${files} checked: ${result.errorCount} error${result.errorCount === 1 ? '' : 's'}, ${result.warningCount} warning${result.warningCount === 1 ? '' : 's'}\n`,
        );
        process.stdout.write(chunks.join('\n'));
      }
      process.exitCode = result.errorCount > 0 ? 1 : 0;
    });
}
