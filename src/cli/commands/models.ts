// `mcp-route models`: the built-in catalogue as a table (or JSON) — prices, limits,
// capabilities, parameters a model does not accept and end-of-life dates where the catalogue
// records them — so choosing ids for a policy needs no trip to the source.

import { type Command, Option } from 'commander';
import { builtinModels, CATALOGUE_PRICES_TAKEN_ON, type CatalogueModel } from '../../catalogue/catalogue.js';
import { alignColumns } from '../../util/text-table.js';

function tokens(n: number): string {
  return n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}M` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}K` : String(n);
}

/** "all", or the request parameters the vendor rejects for this model (`params.drop`). */
function params(value: CatalogueModel['params']): string {
  return value?.drop.length ? `not ${value.drop.join(', ')}` : 'all';
}

function endOfLife(value: string | undefined, today: string): string {
  if (value === undefined) return '-';
  return value <= today ? `${value} (past)` : value;
}

export function registerModels(program: Command): void {
  program
    .command('models')
    .description('list the built-in model catalogue: prices, limits, capabilities, parameters, end of life')
    .argument('[filter]', 'only models whose id, alias or vendor contains this (case-insensitive)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText('after', '\nExamples:\n  $ mcp-route models\n  $ mcp-route models haiku\n  $ mcp-route models --format json | jq \'.models[] | select(.vendor == "openai")\'')
    .action((filter: string | undefined, opts: { format: 'text' | 'json' }) => {
      const needle = filter?.toLowerCase();
      const models = builtinModels().filter((m) => needle === undefined || [m.id, m.vendor, ...m.aliases].some((n) => n.toLowerCase().includes(needle)));
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify({ pricesTakenOn: CATALOGUE_PRICES_TAKEN_ON, models }, null, 2)}\n`);
        return;
      }
      if (models.length === 0) {
        process.stderr.write(`mcp-route models: no catalogue model matches "${filter}"\n`);
        process.exitCode = 1;
        return;
      }
      const today = new Date().toISOString().slice(0, 10);
      const rows = [
        ['MODEL', 'VENDOR', 'IN $/M', 'OUT $/M', 'CONTEXT', 'MAX OUT', 'SUPPORTS', 'PARAMS', 'END OF LIFE', 'ALIASES'],
        ...models.map((m) => [
          m.id,
          m.vendor,
          String(m.cost.input),
          String(m.cost.output),
          tokens(m.contextWindow),
          tokens(m.maxOutput),
          m.supports.join(','),
          params(m.params),
          endOfLife(m.endOfLife, today),
          m.aliases.join(', ') || '-',
        ]),
      ];
      process.stdout.write(
        `${alignColumns(rows).join('\n')}\n\nPrices in USD per million tokens (list price on ${CATALOGUE_PRICES_TAKEN_ON}). ` +
          'Use an id or alias under `models:` in a policy; `models: {extends: builtin}` adds them all.\n',
      );
    });
}
