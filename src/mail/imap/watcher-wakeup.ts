// A wake-up call that is never lost: the watcher sleeps (backoff, poll interval, IDLE) until a timer
// runs out or something happens (new mail, kick(), stop()). A wake that comes while nobody sleeps is
// kept, so mail announced in the middle of a sync is looked at right after it instead of 25 minutes on.

export class Wakeup {
  private pending = false;
  private sleeper?: { resolve: () => void; timer?: NodeJS.Timeout };

  wake(): void {
    if (this.sleeper) this.settle();
    else this.pending = true;
  }

  /** Resolves after `ms` (Infinity: only when woken), at once when a wake is pending. */
  sleep(ms: number): Promise<void> {
    this.settle();
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => this.settle(), ms) : undefined;
      this.sleeper = { resolve, timer };
    });
  }

  /** Ends a sleep that something else cut short, without consuming a pending wake. */
  cancel(): void {
    this.settle();
  }

  /** Forgets a pending wake that has already been answered. */
  clear(): void {
    this.pending = false;
  }

  private settle(): void {
    const sleeper = this.sleeper;
    if (!sleeper) return;
    this.sleeper = undefined;
    clearTimeout(sleeper.timer);
    sleeper.resolve();
  }
}
