import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { aceLogger, createLogger, scrub } from '../../src/log.js';

const capture = () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, log: createLogger('debug', sink) };
};

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJlLWJ5dGVz';

describe('logs', () => {
  it('mask JWTs, Google tokens and secret assignments in free text', () => {
    expect(scrub(`Invalid JWT ${JWT} from x`)).toBe('Invalid JWT [redacted] from x');
    expect(scrub('token ya29.a0AfH6SMBx-abc.def used')).toBe('token [redacted] used');
    expect(scrub('refresh 1//0gLy3Xyz-abcdefghijkl')).toBe('refresh [redacted]');
    expect(scrub('/admin?jwt=abc.def&x=1')).toBe('/admin?jwt=[redacted]&x=1');
    expect(scrub('{"sharedSecret":"s3cr3t"}')).toBe('{"sharedSecret":"[redacted]"}');
  });

  it('redact secret fields of logged objects', () => {
    const { lines, log } = capture();
    log.info({ tenant: { clientKey: 'ck', sharedSecret: 'hush' }, refreshToken: '1//abc', req: { headers: { authorization: `JWT ${JWT}` } } }, 'saved');
    const out = lines.join('');
    expect(out).toContain('"clientKey":"ck"');
    expect(out).not.toContain('hush');
    expect(out).not.toContain('1//abc');
    expect(out).not.toContain(JWT);
  });

  it('give ACE a console-like logger that also masks', () => {
    const { lines, log } = capture();
    const ace = aceLogger(log);
    ace.info('Saved tenant details for %s: %s', 'ck', `{ sharedSecret: 'hush-hush' }`);
    ace.warn({ body: 1 }, `Auth failure for ${JWT}`);
    const out = lines.join('');
    expect(out).toContain('Saved tenant details for ck');
    expect(out).not.toContain('hush-hush');
    expect(out).not.toContain(JWT);
    expect(out).toContain('"component":"ace"');
  });
});
