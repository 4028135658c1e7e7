// What one server connection accumulates across its sampling requests: how many it made, how
// long its current tool loop is, and the approval answers the human asked to remember. The
// proxy owns one per connection and hands it to the router with each request; the router's
// own state stays per policy version, so a reload neither resets caps nor forgets answers.

import { McpRouteError } from '../errors.js';
import type { Limits } from '../policy/types.js';

export class SamplingSession {
  private requests = 0;
  private toolRounds = 0;
  private readonly remembered = new Map<string, boolean>();

  /**
   * `canRemember` false: answers are never remembered, so every request is asked. For a
   * connection shared by several clients (serve's 2026 child), where one person's "remember"
   * must not answer for another.
   */
  constructor(private readonly canRemember = true) {}

  /**
   * Counts one request and refuses it when it goes beyond `limits`. Every request counts, refused
   * ones too: a server that keeps asking after a refusal is still asking.
   */
  admit(carriesToolResult: boolean, limits: Limits | undefined): void {
    this.requests++;
    // A request without tool results ends the loop: the next tool_result starts a new one.
    this.toolRounds = carriesToolResult ? this.toolRounds + 1 : 0;
    const perSession = limits?.requestsPerSession;
    if (perSession !== undefined && this.requests > perSession) {
      throw new McpRouteError('LIMIT_REACHED', `mcp-route: this server connection reached limits.requestsPerSession (${perSession} sampling requests)`, {
        limit: 'requestsPerSession',
        max: perSession,
      });
    }
    const rounds = limits?.toolRounds;
    if (rounds !== undefined && this.toolRounds > rounds) {
      throw new McpRouteError('LIMIT_REACHED', `mcp-route: this tool loop reached limits.toolRounds (${rounds} consecutive requests with tool results)`, {
        limit: 'toolRounds',
        max: rounds,
      });
    }
  }

  /** The remembered answer for a server (true = approve), if the human asked to remember one. */
  rememberedFor(server: string): boolean | undefined {
    return this.remembered.get(server);
  }

  remember(server: string, approve: boolean): void {
    if (this.canRemember) this.remembered.set(server, approve);
  }
}
