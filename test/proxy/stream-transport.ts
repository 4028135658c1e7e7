// An MCP client Transport over a pair of Node streams, so tests can put a real SDK Client
// in front of runProxy() in-process (runProxy takes its host side as streams).
import type { Readable, Writable } from 'node:stream';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export class StreamClientTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private readonly buffer = new ReadBuffer();
  constructor(
    private readonly incoming: Readable,
    private readonly outgoing: Writable,
  ) {}
  async start(): Promise<void> {
    this.incoming.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
      for (;;) {
        let message: JSONRPCMessage | null;
        try {
          message = this.buffer.readMessage();
        } catch (err) {
          this.onerror?.(err as Error);
          continue;
        }
        if (!message) break;
        this.onmessage?.(message);
      }
    });
    this.incoming.on('end', () => this.onclose?.());
  }
  async send(message: JSONRPCMessage): Promise<void> {
    this.outgoing.write(serializeMessage(message));
  }
  async close(): Promise<void> {
    this.outgoing.end();
  }
}
