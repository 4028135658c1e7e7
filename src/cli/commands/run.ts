import type { Command } from 'commander';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('not yet implemented')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('mcp-route run: not yet implemented\n');
      process.exit(2);
    });
}
