import { describe, expect, it } from 'vitest';
import { CheckpointSaves, SAVE_EVERY_MS } from '../../src/mail/imap/watcher-saves.js';
import type { Checkpoint, CheckpointStore } from '../../src/mail/imap/watcher-types.js';

const cp = (lastUid: number): Checkpoint => ({ uidValidity: 1n, lastUid: BigInt(lastUid), sweptUntil: new Date(0) });

function store(o: { failOn?: number } = {}) {
  const saved: bigint[] = [];
  let release: () => void = () => undefined;
  let hold = false;
  const s: CheckpointStore & { saved: bigint[]; holdNext(): void; release(): void } = {
    saved,
    load: () => Promise.resolve(null),
    async save(c) {
      if (hold) await new Promise<void>((r) => (release = r));
      if (Number(c.lastUid) === o.failOn) throw new Error('the database went away');
      saved.push(c.lastUid);
    },
    holdNext: () => (hold = true),
    release: () => {
      hold = false;
      release();
    },
  };
  return s;
}

describe('CheckpointSaves', () => {
  it('saves at once when idle, then at most every SAVE_EVERY_MS, and flush() always saves the latest', async () => {
    let now = 10_000;
    const s = store();
    const saves = new CheckpointSaves(s, 'INBOX', () => now);
    saves.moved(cp(1));
    await Promise.resolve();
    for (let uid = 2; uid <= 50; uid++) saves.moved(cp(uid));
    now += SAVE_EVERY_MS;
    saves.moved(cp(51));
    await saves.flush();
    expect(s.saved).toEqual([1n, 51n]);
    await saves.flush(); // nothing new: nothing written
    expect(s.saved).toEqual([1n, 51n]);
  });

  it('never runs two saves at once: progress made during a slow save goes into the next one', async () => {
    let now = 0;
    const s = store();
    const saves = new CheckpointSaves(s, 'INBOX', () => now);
    s.holdNext();
    now = SAVE_EVERY_MS;
    saves.moved(cp(1));
    now += 10 * SAVE_EVERY_MS;
    saves.moved(cp(2));
    saves.moved(cp(3));
    const flushed = saves.flush();
    s.release();
    await flushed;
    expect(s.saved).toEqual([1n, 3n]);
  });

  it('reports a failed save as CHECKPOINT_STORE_FAILED from flush(), once', async () => {
    const s = store({ failOn: 2 });
    const saves = new CheckpointSaves(s, 'INBOX', () => 0);
    saves.moved(cp(2));
    await expect(saves.flush()).rejects.toMatchObject({ code: 'CHECKPOINT_STORE_FAILED' });
    saves.moved(cp(3));
    await saves.flush();
    expect(s.saved).toEqual([3n]);
  });
});
