import type { Command } from 'commander';

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('not yet implemented')
    .allowUnknownOption()
    .action(() => {
      process.stderr.write('mcp-route explain: not yet implemented\n');
      process.exit(2);
    });
}
