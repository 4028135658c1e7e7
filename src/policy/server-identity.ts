// Which server name rules and budgets may trust. The name a server reports in its initialize
// result is chosen by that server, so a policy that restricts by name (a deny rule, a
// per-server budget) holds only when the operator names the server: `--server-name`.

import type { Policy } from './types.js';

/** The refusal to start when the policy requires a trusted name and none was given, else undefined. */
export function missingServerName(policy: Pick<Policy, 'requireServerName' | 'source'>, serverName: string | undefined, fix = 'add --server-name NAME'): string | undefined {
  if (!policy.requireServerName || (serverName !== undefined && serverName !== '')) return undefined;
  return (
    `the policy ${policy.source} sets requireServerName: true, so the server needs a name you give it: ` +
    `${fix} (rules and budgets match on it; the name a server reports about itself is not trusted)`
  );
}
