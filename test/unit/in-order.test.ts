import { describe, expect, it } from 'vitest';
import { InOrder } from '../../src/ingest/in-order.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

/** Runs mails through InOrder as the ingestion does: enter in arrival order, work, finish. */
function harness() {
  const order = new InOrder();
  const events: string[] = [];
  const gates = new Map<string, () => void>();
  const run = (scope: string, name: string, keys: string[], parseMs = 0) => {
    const turn = order.enter(scope, new Promise<string[]>((r) => setTimeout(() => r(keys), parseMs)));
    return (async () => {
      await turn.ready;
      events.push(`start ${name}`);
      await new Promise<void>((r) => gates.set(name, r));
      events.push(`end ${name}`);
      turn.finish();
    })();
  };
  const release = async (name: string) => {
    for (let i = 0; i < 50 && !gates.has(name); i++) await tick();
    gates.get(name)!();
    await tick();
  };
  return { run, release, events };
}

describe('InOrder: mails worked on a few at once', () => {
  it('lets unrelated mails go ahead together', async () => {
    const h = harness();
    const all = [h.run('s', 'a', ['message:a']), h.run('s', 'b', ['message:b']), h.run('s', 'c', ['message:c'])];
    await tick();
    expect(h.events).toEqual(['start a', 'start b', 'start c']);
    for (const n of ['c', 'a', 'b']) await h.release(n);
    await Promise.all(all);
  });

  it('holds a reply until the mail it answers is done, even when the reply is parsed first', async () => {
    const h = harness();
    // The first mail takes longer to parse: its keys are known after the reply's, and still count first.
    const all = [h.run('s', 'request', ['message:r'], 30), h.run('s', 'reply', ['message:x', 'message:r'], 0), h.run('s', 'other', ['message:o'])];
    await new Promise((r) => setTimeout(r, 60));
    expect(h.events).toEqual(['start request', 'start other']);
    await h.release('request');
    expect(h.events).toContain('start reply');
    await h.release('reply');
    await h.release('other');
    await Promise.all(all);
  });

  it('keeps one sender, or one issue key, in order, and other Message Sources apart', async () => {
    const h = harness();
    const all = [h.run('s', 'first', ['sender:ann', 'issue:ABC-1']), h.run('s', 'second', ['sender:bob', 'issue:ABC-1']), h.run('t', 'elsewhere', ['sender:ann'])];
    await tick();
    expect(h.events).toEqual(['start first', 'start elsewhere']);
    await h.release('first');
    expect(h.events.at(-1)).toBe('start second');
    await h.release('second');
    await h.release('elsewhere');
    await Promise.all(all);
  });

  it('a chain waits link by link: the third mail of a thread waits for the second', async () => {
    const h = harness();
    const all = [h.run('s', 'one', ['message:1']), h.run('s', 'two', ['message:2', 'message:1']), h.run('s', 'three', ['message:3', 'message:2'])];
    await tick();
    expect(h.events).toEqual(['start one']);
    await h.release('one');
    expect(h.events).toEqual(['start one', 'end one', 'start two']);
    await h.release('two');
    await h.release('three');
    await Promise.all(all);
    expect(h.events.filter((e) => e.startsWith('start'))).toEqual(['start one', 'start two', 'start three']);
  });

  it('a mail whose keys could not be worked out waits for nothing and holds up nothing', async () => {
    const order = new InOrder();
    const turn = order.enter('s', Promise.reject(new Error('unparseable')));
    await turn.ready;
    turn.finish();
    turn.finish(); // a second call is harmless
    const next = order.enter('s', Promise.resolve(['message:a']));
    await next.ready;
    next.finish();
  });
});
