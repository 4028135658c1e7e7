import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteBudgetStore } from '../../src/budgets/stores/sqlite.js';
import { storeSuite } from './store-suite.js';

let dir: string | undefined;
const file = (): string => join((dir ??= mkdtempSync(join(tmpdir(), 'mcp-route-sqlite-'))), 'state', 'budgets.sqlite');

storeSuite('sqlite', {
  open: async () => createSqliteBudgetStore({ path: file() }),
  reopen: async () => createSqliteBudgetStore({ path: file() }),
  cleanup: async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  },
});
