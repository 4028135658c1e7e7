// `mcp-route init [file]`: writes the commented starter policy (policies/starter.yaml, which
// lint checks like every shipped policy) into the current folder, with a `$schema` line that
// points at this installation's schema so editors complete keys. Never overwrites a file.

import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { PACKAGE_ROOT } from '../../util/package-root.js';

const STARTER = resolve(PACKAGE_ROOT, 'policies', 'starter.yaml');
const SCHEMA = resolve(PACKAGE_ROOT, 'schemas', 'policy.schema.json');
const SCHEMA_LINE = /^# yaml-language-server: \$schema=.*$/m;

/**
 * The schema reference as the new file should spell it: relative when the schema lives below
 * the file's folder (a local `node_modules/mcp-route`), so the project can move; otherwise
 * absolute (a global install), since a relative climb out of the project breaks on any move.
 */
export function schemaReference(file: string, schema = SCHEMA): string {
  const rel = relative(dirname(file), schema);
  const below = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  return below ? `./${rel.split(sep).join('/')}` : schema.split(sep).join('/');
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write a commented starter policy (default ./mcp-route.yaml, where `run` finds it); never overwrites')
    .argument('[file]', 'where to write it', 'mcp-route.yaml')
    .addHelpText('after', '\nExamples:\n  $ mcp-route init\n  $ mcp-route init policies/team.yaml\n\nExit status: 0 written, 1 the file exists or cannot be written.')
    .action((file: string) => {
      const target = resolve(file);
      const text = readFileSync(STARTER, 'utf8').replace(SCHEMA_LINE, `# yaml-language-server: $schema=${schemaReference(target)}`);
      try {
        // 'wx' fails if the file exists, atomically: no check-then-write race.
        writeFileSync(target, text, { flag: 'wx' });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        const why = e.code === 'EEXIST' ? 'it already exists; edit it, or name another file: mcp-route init other.yaml' : e.code === 'ENOENT' ? 'its folder does not exist' : e.message;
        process.stderr.write(`mcp-route init: not writing ${file}: ${why}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(
        `wrote ${file}\nnext: set ANTHROPIC_API_KEY and/or OPENAI_API_KEY, then\n  mcp-route doctor${file === 'mcp-route.yaml' ? '' : ` --policy ${file}`}        # keys, reachability, store\n  mcp-route run${file === 'mcp-route.yaml' ? '' : ` --policy ${file}`} -- <your server command>\n`,
      );
    });
}
