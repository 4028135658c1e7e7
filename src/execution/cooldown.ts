// Short-lived memory of candidates that just failed with 429/5xx/timeout. Later requests
// pass the snapshot to decide() as `context.cooling`, so a dead provider costs one
// timeout rather than one per request, and `explain` can say why a model was skipped.

export class Cooldown {
  private readonly until = new Map<string, number>();

  static key(provider: string, model: string): string {
    return `${provider}/${model}`;
  }

  /** Skip this candidate until now + ms. A longer existing cooldown is kept. */
  mark(provider: string, model: string, ms: number, now: number): void {
    if (ms <= 0) return;
    const key = Cooldown.key(provider, model);
    const end = now + ms;
    if ((this.until.get(key) ?? 0) < end) this.until.set(key, end);
  }

  /** A success proves the candidate is back. */
  clear(provider: string, model: string): void {
    this.until.delete(Cooldown.key(provider, model));
  }

  /** Candidates still cooling at `now`, with when each cooldown ends (ms epoch). */
  snapshot(now: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, end] of this.until) {
      if (end > now) out.set(key, end);
      else this.until.delete(key);
    }
    return out;
  }
}
