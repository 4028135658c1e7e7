// Registers the `keyword` provider type and routes a sampling request through a policy that
// uses it: the primary provider is down (503), so the router falls back to the backup.
// Usage: node examples/custom-provider/run.mjs ["a question"]   (after `npm run build`)
import { createRouter, registerProvider, META_KEY } from 'mcp-route';
import { createKeywordProvider } from './keyword-provider.mjs';

// Register before loading a policy that names the type.
registerProvider('keyword', createKeywordProvider);

const router = createRouter(new URL('policy.yaml', import.meta.url));
const params = {
  messages: [{ role: 'user', content: { type: 'text', text: process.argv[2] ?? 'How is the weather?' } }],
  maxTokens: 50,
};
try {
  const decision = router.explain(params);
  console.log(`plan: ${decision.candidates.map((c) => `${c.provider}/${c.model}`).join(' -> ')}`);
  const result = await router.createMessage(params, { serverName: 'example' });
  const meta = result._meta?.[META_KEY];
  console.log(`answer: ${result.content.type === 'text' ? result.content.text : '(not text)'}`);
  console.log(`answered by ${meta.provider}/${meta.model} after ${meta.attempts} attempt(s)`);
} finally {
  await router.close();
}
