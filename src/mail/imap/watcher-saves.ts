// Writes a folder's checkpoint as it moves, without making every message wait for its own write:
// at most one save is under way, the next one carries whatever was done meanwhile, and during a long
// catch-up saves come at most every SAVE_EVERY_MS. A crash loses at most that much progress, and the
// worker's ledger answers the messages offered again without doing them twice.
import { describe, WatcherError } from './watcher-errors.js';
import type { Checkpoint, CheckpointStore } from './watcher-types.js';

export const SAVE_EVERY_MS = 250;

export class CheckpointSaves {
  private latest?: Checkpoint;
  private saved?: Checkpoint;
  private writing?: Promise<void>;
  private failure?: WatcherError;
  private lastSaveAt = 0;

  constructor(
    private readonly store: CheckpointStore,
    private readonly folder: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The checkpoint moved on: saved now when no save is under way and the last one is old enough. */
  moved(cp: Checkpoint): void {
    this.latest = cp;
    if (this.writing || this.now() - this.lastSaveAt < SAVE_EVERY_MS) return;
    const writing: Promise<void> = this.write().finally(() => {
      if (this.writing === writing) this.writing = undefined;
    });
    this.writing = writing;
  }

  /** Waits until the latest checkpoint is saved; throws CHECKPOINT_STORE_FAILED if any save failed. */
  async flush(): Promise<void> {
    await this.writing;
    if (!this.failure && this.latest && this.latest !== this.saved) await this.write();
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
  }

  private async write(): Promise<void> {
    const cp = this.latest!;
    this.lastSaveAt = this.now();
    try {
      await this.store.save(cp);
      this.saved = cp;
    } catch (err) {
      this.failure ??= new WatcherError('CHECKPOINT_STORE_FAILED', `The checkpoint of "${this.folder}" could not be saved: ${describe(err)}`, { cause: err });
    }
  }
}
