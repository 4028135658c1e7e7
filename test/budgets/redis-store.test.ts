import { createRedisBudgetStore } from '../../src/budgets/stores/redis.js';
import { storeSuite } from './store-suite.js';
import { cleanRedis, redisReachable, REDIS_URL, uniquePrefix } from './helpers.js';

let prefix = uniquePrefix();

storeSuite('redis', {
  unavailable: async () => ((await redisReachable()) ? undefined : 'redis not reachable at 127.0.0.1:6379'),
  open: async () => createRedisBudgetStore({ url: REDIS_URL, prefix }),
  reopen: async () => createRedisBudgetStore({ url: REDIS_URL, prefix }),
  cleanup: async () => {
    await cleanRedis(prefix);
    prefix = uniquePrefix();
  },
});
