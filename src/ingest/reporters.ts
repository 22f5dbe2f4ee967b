// Which Jira account a sender's address belongs to, remembered for a while: the same customers write
// again and again, and each lookup is a Jira call that counts against the app's rate limits. "No such
// user" is remembered too (most senders are not Jira users); a failed lookup is not.
export const REPORTER_CACHE_MS = 10 * 60_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  accountId: string | undefined;
  until: number;
}

export class ReporterCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async lookup(tenantId: string, address: string, find: (address: string) => Promise<string | undefined>): Promise<string | undefined> {
    const key = `${tenantId}\u0000${address.toLowerCase()}`;
    const hit = this.entries.get(key);
    if (hit && hit.until > this.now()) return hit.accountId;
    const accountId = await find(address);
    if (this.ttlMs <= 0) return accountId;
    this.entries.delete(key);
    // A Map iterates in insertion order, so the first key is the oldest entry.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { accountId, until: this.now() + this.ttlMs });
    return accountId;
  }
}
