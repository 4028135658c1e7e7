import type { Command } from 'commander';

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description('not yet implemented')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('mcp-route lint: not yet implemented\n');
      process.exit(2);
    });
}
