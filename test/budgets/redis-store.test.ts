import { createRedisBudgetStore } from '../../src/budgets/stores/redis.js';
import { storeSuite } from './store-suite.js';
import { cleanRedis, redisReachable, REDIS_URL, uniquePrefix, REDIS_SKIP } from './helpers.js';

let prefix = uniquePrefix();

storeSuite('redis', {
  unavailable: async () => ((await redisReachable()) ? undefined : REDIS_SKIP),
  open: async () => createRedisBudgetStore({ url: REDIS_URL, prefix }),
  reopen: async () => createRedisBudgetStore({ url: REDIS_URL, prefix }),
  cleanup: async () => {
    await cleanRedis(prefix);
    prefix = uniquePrefix();
  },
});
