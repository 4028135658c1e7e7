// The host side over a pair of streams: mcp-route's stdin/stdout in `run`, or the
// PassThrough pair that bridges one HTTP session in `serve`.

import type { Readable, Writable } from 'node:stream';
import type { Logger } from './log.js';
import type { HostEvents, HostSide } from './sides.js';

export class StreamHost implements HostSide {
  private events?: HostEvents;
  private inputClosed = false;
  private outputBroken = false;
  private readonly onData = (chunk: Buffer) => this.events?.data(chunk);

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly log: Logger,
  ) {}

  start(events: HostEvents): void {
    this.events = events;
    const closed = () => {
      if (this.inputClosed) return;
      this.inputClosed = true;
      events.inputClosed();
    };
    this.input.on('end', closed);
    this.input.on('error', closed);
    this.output.on('error', (err: NodeJS.ErrnoException) => {
      this.log.debug(`host stdout: ${err.code ?? err.message}`);
      if (this.outputBroken) return;
      this.outputBroken = true;
      events.outputBroken();
    });
    this.input.on('data', this.onData);
  }

  write(bytes: Buffer | string): boolean {
    if (this.outputBroken) return true;
    return this.output.write(bytes);
  }

  onceDrain(callback: () => void): void {
    this.output.once('drain', callback);
  }

  pause(): void {
    this.input.pause();
  }

  resume(): void {
    this.input.resume();
  }

  stop(): void {
    this.input.off('data', this.onData);
    this.input.pause();
  }
}
