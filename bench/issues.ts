// When each issue came to exist, to the millisecond: the Jira emulator runs in this process, so its
// createIssue is wrapped and the moment of creation recorded by Message-ID (no polling, no lag).
import { performance } from 'node:perf_hooks';
import type { JiraSite } from '../dev/jira/site.js';
import { MESSAGE_PROPERTY } from '../src/jira/issues.js';

export class IssueClock {
  /** performance.now() at creation, by the Message-ID in the issue's entity property. */
  readonly createdAt = new Map<string, number>();
  private readonly waiting = new Map<string, () => void>();

  constructor(site: JiraSite) {
    const state = site.state;
    const create = state.createIssue.bind(state);
    state.createIssue = (fields, properties) => {
      const issue = create(fields, properties);
      const messageId = (properties.get(MESSAGE_PROPERTY) as { messageId?: string } | undefined)?.messageId;
      if (messageId) {
        this.createdAt.set(messageId, performance.now());
        this.waiting.get(messageId)?.();
      }
      return issue;
    };
  }

  /** Resolves with the creation time of the issue for this Message-ID. */
  async created(messageId: string, timeoutMs: number): Promise<number> {
    const known = this.createdAt.get(messageId);
    if (known !== undefined) return known;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<number>((resolve, reject) => {
        this.waiting.set(messageId, () => resolve(this.createdAt.get(messageId)!));
        timer = setTimeout(() => reject(new Error(`no issue for ${messageId} within ${timeoutMs} ms`)), timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      this.waiting.delete(messageId);
    }
  }

  /** Resolves once every one of these Message-IDs has its issue (counted down, not polled). */
  async all(messageIds: string[], timeoutMs: number): Promise<void> {
    await Promise.all(messageIds.map((id) => this.created(id, timeoutMs)));
  }
}
