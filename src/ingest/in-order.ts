// Lets a Message Source's mail be worked on a few at a time without changing what it becomes: a mail
// waits for every earlier mail it is related to (the same Message-ID, a Message-ID it replies to, an
// issue key in its subject, the same sender) and goes ahead of unrelated ones. So a reply never
// overtakes the mail that opens its issue, comments land in the order they were written, and a
// sender's mail is counted against the rate limit in the order it came.
export interface Turn {
  /** Settles when every earlier related mail has finished. */
  ready: Promise<void>;
  /** Lets the mails waiting for this one go on; call it exactly once, however the mail ended. */
  finish(): void;
}

export class InOrder {
  /** Per scope (a Message Source), each key's last holder. */
  private readonly tails = new Map<string, Map<string, Promise<void>>>();
  /** Per scope, the admissions in call order: keys are known only after the mail is parsed. */
  private readonly admissions = new Map<string, Promise<unknown>>();

  /**
   * Takes a turn for a mail whose keys are still being worked out. Turns are handed out in the
   * order enter() is called, so the caller must call it in the order the mail came.
   */
  enter(scope: string, keys: Promise<string[]>): Turn {
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const previous = this.admissions.get(scope) ?? Promise.resolve();
    // Registered strictly one after another, so a later mail always sees an earlier one's keys.
    const admitted = previous.then(async () => {
      const unique = [...new Set(await keys.catch(() => []))];
      const tails = this.tailsOf(scope);
      const before = unique.map((k) => tails.get(k)).filter((p): p is Promise<void> => p !== undefined);
      for (const k of unique) tails.set(k, finished);
      void finished.then(() => {
        for (const k of unique) if (tails.get(k) === finished) tails.delete(k);
        if (tails.size === 0 && this.tails.get(scope) === tails) this.tails.delete(scope);
      });
      // Wrapped, so the next admission does not wait for this mail's predecessors too.
      return { wait: Promise.all(before) };
    });
    const admission = admitted.then(() => undefined);
    this.admissions.set(scope, admission);
    void admission.then(() => {
      if (this.admissions.get(scope) === admission) this.admissions.delete(scope);
    });
    let done = false;
    return {
      ready: admitted.then(({ wait }) => wait).then(() => undefined),
      finish: () => {
        if (done) return;
        done = true;
        finish();
      },
    };
  }

  private tailsOf(scope: string): Map<string, Promise<void>> {
    let tails = this.tails.get(scope);
    if (!tails) this.tails.set(scope, (tails = new Map<string, Promise<void>>()));
    return tails;
  }
}
