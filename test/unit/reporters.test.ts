import { describe, expect, it } from 'vitest';
import { ReporterCache } from '../../src/ingest/reporters.js';

describe('ReporterCache', () => {
  it('asks Jira once per sender and tenant within the time, "no such user" included, and again after it', async () => {
    let now = 0;
    const asked: string[] = [];
    const find = (address: string) => (asked.push(address), Promise.resolve(address.startsWith('agent') ? 'acc-1' : undefined));
    const cache = new ReporterCache(1000, () => now);
    expect(await cache.lookup('t1', 'agent@acme.example', find)).toBe('acc-1');
    expect(await cache.lookup('t1', 'Agent@ACME.example', find)).toBe('acc-1');
    expect(await cache.lookup('t1', 'customer@x.example', find)).toBeUndefined();
    expect(await cache.lookup('t1', 'customer@x.example', find)).toBeUndefined();
    // Another tenant's Jira is another question.
    expect(await cache.lookup('t2', 'agent@acme.example', find)).toBe('acc-1');
    expect(asked).toEqual(['agent@acme.example', 'customer@x.example', 'agent@acme.example']);
    now = 1001;
    await cache.lookup('t1', 'agent@acme.example', find);
    expect(asked).toHaveLength(4);
  });

  it('does not remember a lookup that failed', async () => {
    const cache = new ReporterCache(60_000);
    await expect(cache.lookup('t', 'a@x.example', () => Promise.reject(new Error('Jira answered 503')))).rejects.toThrow('503');
    expect(await cache.lookup('t', 'a@x.example', () => Promise.resolve('acc-2'))).toBe('acc-2');
  });
});
