// The server side as a child process over stdio: spawned as its own process group, ended
// with the MCP stdio shutdown sequence (close stdin, wait, SIGTERM, wait, SIGKILL), with a
// watchdog that outlives mcp-route and optional forwarding of mcp-route's own signals.

import { constants as osConstants } from 'node:os';
import { basename } from 'node:path';
import type { Logger } from './log.js';
import type { ServerEvents, ServerExit, ServerSide } from './sides.js';
import { signalServerTree, spawnServer, startGroupWatchdog, type ServerProcess } from './spawn-server.js';

export interface ChildServerOptions {
  command: string;
  args: string[];
  cwd?: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** ms between closing the server's stdin and SIGTERM, and between SIGTERM and SIGKILL. */
  graceMs: number;
  /** Forward these signals of mcp-route's to the server (none when undefined). */
  forwardedSignals?: readonly NodeJS.Signals[];
}

export class ChildServer implements ServerSide {
  readonly fallbackName: string;
  private readonly child: ServerProcess;
  private readonly watchdog: { release: () => void };
  private gone = false;
  private closing = false;
  private events: ServerEvents | undefined;
  private exit: ServerExit | undefined;
  private stdoutEnded = false;
  private reported = false;
  private spawnFailed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly signalHandlers: Array<[NodeJS.Signals, () => void]> = [];
  private readonly killOnExit = () => this.signal('SIGKILL');

  /** Throws when the command cannot be spawned at all. */
  constructor(private readonly o: ChildServerOptions) {
    this.fallbackName = basename(o.command);
    this.child = spawnServer(o.command, o.args, { cwd: o.cwd, env: o.env });
    this.watchdog = startGroupWatchdog(this.child, o.graceMs);
    this.child.stdin.on('error', (err: NodeJS.ErrnoException) => o.log.debug(`server stdin: ${err.code ?? err.message}`));
    for (const sig of o.forwardedSignals ?? []) {
      const handler = () => {
        o.log.debug(`received ${sig}: passing it to the server`);
        this.signal(sig);
        // A server that ignores the signal is not left running behind us.
        this.later(() => {
          o.log.warn(`server ignored ${sig} for ${o.graceMs} ms: SIGKILL`);
          this.signal('SIGKILL');
        });
      };
      process.on(sig, handler);
      this.signalHandlers.push([sig, handler]);
    }
    process.on('exit', this.killOnExit);
    // `mcp-route run` may spawn the server before the proxy starts (see src/cli/early-start.ts):
    // a spawn error or an exit in between must be neither lost nor thrown (an 'error' event
    // without a listener would end mcp-route), so both are listened for from the start.
    this.child.on('error', (err: NodeJS.ErrnoException) => this.failed(err));
    this.child.on('exit', (code, signal) => this.exitedWith(code, signal));
  }

  get writable(): boolean {
    return !this.gone && this.child.stdin.writable;
  }

  start(events: ServerEvents): void {
    this.events = events;
    this.child.stdout.on('data', (chunk: Buffer) => events.data(chunk));
    this.child.stdout.on('end', () => {
      this.stdoutEnded = true;
      this.report();
    });
    // What happened before start (an early spawn that failed or already ended) is told now.
    if (this.spawnFailed) this.report();
    else if (this.exit) this.reportSoon();
  }

  private failed(err: NodeJS.ErrnoException): void {
    this.o.log.error(`cannot start ${this.o.command}: ${err.message}`);
    this.gone = true;
    this.spawnFailed = true;
    const code = err.code === 'ENOENT' ? 127 : 126;
    this.exit = { code, how: `code ${code}` };
    this.report();
  }

  private exitedWith(code: number | null, signal: NodeJS.Signals | null): void {
    this.gone = true;
    this.exit = { code: code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1), how: signal ? `signal ${signal}` : `code ${code}` };
    if (this.stdoutEnded) this.report();
    else this.reportSoon();
  }

  /** A grandchild may hold the server's stdout open; do not wait for it forever. */
  private reportSoon(): void {
    setTimeout(() => this.report(), 500).unref();
  }

  /** Tells `exited` once, when the proxy has started and the server is gone. */
  private report(): void {
    if (this.reported || !this.exit || !this.events) return;
    this.reported = true;
    this.events.exited(this.exit);
  }

  write(bytes: Buffer | string): boolean {
    if (!this.writable) return true;
    return this.child.stdin.write(bytes);
  }

  onceDrain(callback: () => void): void {
    this.child.stdin.once('drain', callback);
  }

  pause(): void {
    this.child.stdout.pause();
  }

  resume(): void {
    this.child.stdout.resume();
  }

  /** After the host has gone: close stdin, wait, SIGTERM, wait, SIGKILL (the MCP stdio shutdown sequence). */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.child.stdin.end();
    this.later(() => {
      this.o.log.info(`server still running ${this.o.graceMs} ms later: SIGTERM`);
      this.signal('SIGTERM');
      this.later(() => {
        this.o.log.warn(`server ignored SIGTERM for ${this.o.graceMs} ms: SIGKILL`);
        this.signal('SIGKILL');
      });
    });
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    for (const [sig, handler] of this.signalHandlers) process.off(sig, handler);
    process.off('exit', this.killOnExit);
    // The server is gone; anything it left in its group gets the shutdown sequence.
    this.watchdog.release();
  }

  /** Ends the server at once, before the proxy ever started (it was spawned early for nothing: see src/cli/early-start.ts). */
  abandon(): void {
    this.signal('SIGKILL');
    this.dispose();
  }

  /** Runs `step` after the grace time if the server is still there. */
  private later(step: () => void): void {
    this.timers.push(
      setTimeout(() => {
        if (!this.gone) step();
      }, this.o.graceMs),
    );
  }

  /** The whole group: the server may be `sh -c ...` or `npx ...` with the real one below it. */
  private signal(signal: NodeJS.Signals): void {
    signalServerTree(this.child, signal);
  }
}
