import type { Command } from 'commander';

export function registerBudgets(program: Command): void {
  program
    .command('budgets')
    .description('not yet implemented')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('mcp-route budgets: not yet implemented\n');
      process.exit(2);
    });
}
