// A runaway sender (a broken script, a mail loop we did not recognise) must not flood a project with
// issues: each sender may open a limited number of issues or comments per Message Source per window.
export interface RateLimit {
  max: number;
  windowMs: number;
}

export const DEFAULT_SENDER_LIMIT: RateLimit = { max: 30, windowMs: 10 * 60 * 1000 };

export class SenderRateLimiter {
  private readonly seen = new Map<string, number[]>();

  constructor(
    private readonly limit: RateLimit = DEFAULT_SENDER_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one mail; true when the sender is over the limit (the mail is then ignored). */
  exceeded(sourceId: string, sender: string): boolean {
    const key = `${sourceId}\u0000${sender.toLowerCase()}`;
    const since = this.now() - this.limit.windowMs;
    const times = (this.seen.get(key) ?? []).filter((t) => t > since);
    const over = times.length >= this.limit.max;
    if (!over) times.push(this.now());
    this.seen.set(key, times);
    if (this.seen.size > 10_000) this.forgetOld(since);
    return over;
  }

  private forgetOld(since: number) {
    for (const [key, times] of this.seen) if (!times.some((t) => t > since)) this.seen.delete(key);
  }
}
