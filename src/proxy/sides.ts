// The two ends of the proxy. The core (proxy.ts) frames newline-delimited JSON-RPC bytes and
// intercepts what it must; a side only moves bytes and owns its own lifecycle. The host side
// is stdio (or one HTTP session of `serve`, bridged by streams); the server side is a child
// over stdio or a remote server over Streamable HTTP (http-server-side.ts).

/** Both sides speak newline-delimited JSON-RPC bytes, with backpressure. */
export interface ByteEnd {
  /** Bytes for the other end; false means "buffering: wait for onceDrain before writing more". */
  write(bytes: Buffer | string): boolean;
  onceDrain(callback: () => void): void;
  /** Stop and restart delivering incoming bytes (backpressure from the other side). */
  pause(): void;
  resume(): void;
}

export interface HostEvents {
  data(chunk: Buffer): void;
  /** The host's input ended or failed (it may still read our output: half-close). Called once. */
  inputClosed(): void;
  /** Our output to the host broke: nothing more reaches it. Called once. */
  outputBroken(): void;
}

export interface HostSide extends ByteEnd {
  start(events: HostEvents): void;
  /** Stop reading from the host (the server is gone). */
  stop(): void;
}

/** How the server ended: the exit code for mcp-route, and words for messages. */
export interface ServerExit {
  code: number;
  /** "code 0", "signal SIGTERM", "the session ended", ... */
  how: string;
}

export interface ServerEvents {
  data(chunk: Buffer): void;
  /** The server is gone for good; nothing more arrives. Called once. */
  exited(exit: ServerExit): void;
}

export interface ServerSide extends ByteEnd {
  /** The name used for the server until it reports its own (the command's base name, the URL's host). */
  readonly fallbackName: string;
  /** False once nothing more can be sent to the server. */
  readonly writable: boolean;
  start(events: ServerEvents): void;
  /** The host has gone: end the server politely (close its input, then signals; or end the HTTP session). Idempotent. */
  close(): void;
  /** After `exited`: release timers, handlers and watchers. */
  dispose(): void;
}
