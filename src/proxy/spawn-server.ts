// Starting and stopping the wrapped server as a whole process tree. `-- sh -c "node s.js"` and
// `npx` put the real server one level down, so on POSIX the server leads its own process group
// and every signal goes to the group; a watchdog process outlives mcp-route to end the group
// when mcp-route dies without cleaning up (SIGKILL, OOM). Windows has no groups: commands are
// resolved there like a shell would (`npx` is `npx.cmd`) through cross-spawn.

import { spawn as nodeSpawn, type ChildProcess, type ChildProcessByStdio, type SpawnOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Readable, Writable } from 'node:stream';
import type CrossSpawn from 'cross-spawn';

export type ServerProcess = ChildProcessByStdio<Writable, Readable, null>;

const isWindows = process.platform === 'win32';

/**
 * cross-spawn, loaded when first needed: elsewhere than on Windows it passes the command to
 * Node's spawn unchanged, and loading it (with which, isexe, shebang-command) before the
 * server's spawn only delayed the server (`run` spawns as early as it can: src/cli/main.ts).
 * Through require, since a spawn is synchronous; the CLI's bundle leaves it in node_modules.
 */
function crossSpawn(): typeof CrossSpawn {
  return createRequire(import.meta.url)('cross-spawn') as typeof CrossSpawn;
}

/**
 * The command and arguments Node's spawn really gets for `command args` (no shell): on
 * Windows `npx` becomes `cmd.exe /d /s /c "...npx.cmd ..."` with cmd's escaping; elsewhere
 * the command is unchanged. Exposed so the resolution can be tested on any platform.
 */
export function resolveServerCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv): { command: string; args: string[] } {
  const parsed = (crossSpawn() as unknown as { _parse: (c: string, a: string[], o: SpawnOptions) => { command: string; args: string[] } })._parse(command, [...args], { env });
  return { command: parsed.command, args: parsed.args };
}

/** Spawns the server with stdin/stdout piped, stderr inherited; on POSIX as the leader of a new process group. */
export function spawnServer(command: string, args: readonly string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): ServerProcess {
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'inherit'],
    // detached on POSIX = setsid(): a group of its own, so the whole tree can be signalled.
    // On Windows it would open a new console window instead; the tree is not grouped there.
    detached: !isWindows,
  };
  const spawn = isWindows ? crossSpawn() : nodeSpawn;
  return spawn(command, [...args], spawnOptions) as unknown as ServerProcess;
}

/** Sends `signal` to the server's whole process group (POSIX), or to the server itself (Windows). */
export function signalServerTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (isWindows) child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // The group is already gone (ESRCH): nothing to signal.
  }
}

/**
 * A tiny `sh` outside both process groups that waits for its stdin to close. Its stdin is a
 * pipe only mcp-route holds, so it closes when mcp-route exits by any means, even SIGKILL. It
 * then gives the server group the MCP shutdown sequence (wait, SIGTERM, wait, SIGKILL), stopping
 * early once the group is gone. mcp-route closes the pipe itself when it ends normally, so
 * leftovers of a server that exited (its children) are ended the same way.
 */
export function startGroupWatchdog(child: ChildProcess, graceMs: number): { release: () => void } {
  if (isWindows || child.pid === undefined) return { release: () => {} };
  // `kill -N -PGID` (no `--`): the form dash, bash and busybox sh all accept.
  const g = `-${child.pid}`;
  const wait = (Math.max(graceMs, 0) / 1000).toFixed(3);
  const alive = `kill -0 ${g} 2>/dev/null || exit 0`;
  const script = `read _; sleep ${wait}; ${alive}; kill -TERM ${g} 2>/dev/null; sleep ${wait}; ${alive}; kill -KILL ${g} 2>/dev/null`;
  let watchdog: ChildProcess;
  try {
    watchdog = nodeSpawn('/bin/sh', ['-c', script], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  } catch {
    return { release: () => {} };
  }
  watchdog.on('error', () => {});
  watchdog.stdin?.on('error', () => {});
  // Neither the process nor its pipe may keep mcp-route's event loop alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return { release: () => watchdog.stdin?.end() };
}
