// `mcp-route auth URL`: sign in to an OAuth-protected remote MCP server ahead of time (hosts
// hide the stderr of `run --url` and time out, so nobody would see a sign-in URL there),
// `--status` to see what is stored, `--logout` to forget it. Thin: the work is in
// src/transports/oauth/.

import type { Command } from 'commander';
import { parseDuration } from '../../policy/duration.js';
import { OAuthStore, normaliseServerUrl, oauthRedactor } from '../../transports/oauth/store.js';
import { openBrowser, signIn, signInStatus, type SignInStatus } from '../../transports/oauth/sign-in.js';
import { routeSdkWarnings } from '../../transports/sdk-warnings.js';

interface AuthFlags {
  open?: boolean;
  force?: boolean;
  status?: boolean;
  logout?: boolean;
  timeout: string;
}

export function registerAuth(program: Command): void {
  program
    .command('auth')
    .description('sign in to an OAuth-protected remote MCP server ahead of `run --url`; tokens are kept 0600 under the state folder')
    .argument('<url>', 'the MCP server URL, as given to run --url')
    .option('--open', 'also open the authorization URL in the browser (it is always printed to stderr)')
    .option('--force', 'sign in anew even when stored tokens can be refreshed')
    .option('--timeout <duration>', 'how long to wait for the browser to come back', '5m')
    .option('--status', 'show what is stored for URL (no secrets); exit 1 when not signed in')
    .option('--logout', 'forget the stored client and tokens for URL')
    .addHelpText(
      'after',
      `
Examples:
  $ mcp-route auth https://mcp.example.com/mcp --open
  $ mcp-route auth https://mcp.example.com/mcp --status
  $ mcp-route auth https://mcp.example.com/mcp --logout

Tokens live in $XDG_STATE_HOME/mcp-route/oauth/ (default ~/.local/state/mcp-route/oauth/).
Exit codes: 0 done, 1 failed or not signed in, 2 usage error.`,
    )
    .action(async (url: string, flags: AuthFlags) => {
      process.exitCode = await runAuth(url, flags);
    });
}

async function runAuth(rawUrl: string, flags: AuthFlags): Promise<number> {
  const say = (line: string) => process.stderr.write(`mcp-route auth: ${line}\n`);
  let url: string;
  let timeoutMs: number;
  try {
    url = normaliseServerUrl(rawUrl);
    timeoutMs = parseDuration(flags.timeout);
    if (flags.status && flags.logout) throw new Error('--status and --logout do not go together');
  } catch (err) {
    say((err as Error).message);
    return 2;
  }
  const store = new OAuthStore();
  let restoreWarnings: (() => void) | undefined;
  try {
    if (flags.logout) {
      say(store.remove(url) ? `forgot the sign-in for ${url}` : `nothing was stored for ${url}`);
      return 0;
    }
    if (flags.status) return printStatus(signInStatus(url, store));
    // The SDK's own warnings (a refused refresh, with the server's words) get the same scrubbing as ours.
    restoreWarnings = routeSdkWarnings((line) => say(safeMessage(store, url, line)));
    const outcome = await signIn(url, {
      store,
      timeoutMs,
      force: flags.force === true,
      onAuthorizationUrl: (authUrl) => {
        say(`open this URL in a browser to sign in (waiting up to ${flags.timeout}):\n\n  ${authUrl.href}\n`);
        if (flags.open) openBrowser(authUrl);
      },
    });
    const status = signInStatus(url, store);
    say(`${outcome === 'refreshed' ? 'already signed in; tokens refreshed' : 'signed in'} for ${url}${describeExpiry(status)}; stored in ${status.file}`);
    return 0;
  } catch (err) {
    say(safeMessage(store, url, err));
    return 1;
  } finally {
    restoreWarnings?.();
  }
}

function printStatus(s: SignInStatus): number {
  const lines = [
    `server:        ${s.serverUrl}`,
    `signed in:     ${s.signedIn ? 'yes' : 'no'}`,
    ...(s.issuer ? [`issuer:        ${s.issuer}`] : []),
    ...(s.clientId ? [`client id:     ${s.clientId}`] : []),
    ...(s.expiresAt !== undefined ? [`access token:  ${s.expiresAt > Date.now() ? 'expires' : 'expired'} ${new Date(s.expiresAt).toISOString()}`] : []),
    `refreshable:   ${s.refreshable ? 'yes' : 'no'}`,
    `file:          ${s.file}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return s.signedIn ? 0 : 1;
}

function describeExpiry(s: SignInStatus): string {
  if (s.expiresAt === undefined) return '';
  const minutes = Math.round((s.expiresAt - Date.now()) / 60_000);
  return ` (access token expires in ${minutes} min${s.refreshable ? ', refreshable' : ''})`;
}

/** An error's message with any stored secret scrubbed (the store itself may be what failed). */
function safeMessage(store: OAuthStore, url: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  try {
    return oauthRedactor(store.load(url))(message);
  } catch {
    return message;
  }
}
