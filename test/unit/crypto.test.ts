import { describe, expect, it } from 'vitest';
import { Keyring, SecretError, generateKey } from '../../src/store/crypto.js';

describe('sealing secrets', () => {
  it('opens what it sealed, and the ciphertext shows nothing of the secret', () => {
    const ring = new Keyring(generateKey());
    const sealed = ring.seal('the-shared-secret', 'tenant:1:sharedSecret');
    expect(Buffer.from(sealed.cipher).toString('latin1')).not.toContain('the-shared-secret');
    expect(sealed.keyId).toBe(ring.currentKeyId);
    expect(ring.open(sealed, 'tenant:1:sharedSecret')).toBe('the-shared-secret');
  });

  it('uses a new nonce each time', () => {
    const ring = new Keyring(generateKey());
    expect(Buffer.from(ring.seal('x', 'c').cipher).equals(Buffer.from(ring.seal('x', 'c').cipher))).toBe(false);
  });

  it('refuses a ciphertext moved to another row or altered', () => {
    const ring = new Keyring(generateKey());
    const sealed = ring.seal('secret', 'tenant:A:sharedSecret');
    expect(() => ring.open(sealed, 'tenant:B:sharedSecret')).toThrow(SecretError);
    const altered = Uint8Array.from(sealed.cipher);
    altered[altered.length - 1]! ^= 1;
    expect(() => ring.open({ ...sealed, cipher: altered }, 'tenant:A:sharedSecret')).toThrow(/integrity/);
  });

  it('rotates: a new key seals, the previous key still opens old rows, a forgotten key is named', () => {
    const [oldKey, newKey] = [generateKey(), generateKey()];
    const before = new Keyring(oldKey).seal('kept', 'ctx');
    const after = new Keyring(newKey, [oldKey]);
    expect(after.open(before, 'ctx')).toBe('kept');
    expect(after.isStale(before)).toBe(true);
    expect(after.isStale(after.seal('x', 'ctx'))).toBe(false);
    const err = (() => {
      try {
        new Keyring(newKey).open(before, 'ctx');
      } catch (e) {
        return e as SecretError;
      }
    })();
    expect(err?.code).toBe('SECRET_KEY_UNKNOWN');
    expect(err?.message).toContain(before.keyId);
  });
});
