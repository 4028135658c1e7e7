import { createMemoryBudgetStore } from '../../src/budgets/stores/memory.js';
import { storeSuite } from './store-suite.js';

storeSuite('memory', { open: async () => createMemoryBudgetStore(), cleanup: async () => {} });
