// Sealing secrets at rest: AES-256-GCM with a random 96-bit nonce per value. Each sealed value is
// stored with the id of the key that sealed it, so a new ENCRYPTION_KEY can be rolled out while the
// previous keys still open older rows. The associated data binds a ciphertext to its row and field:
// a value copied into another tenant's row does not open.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealed {
  cipher: Uint8Array<ArrayBuffer>;
  keyId: string;
}

export class SecretError extends Error {
  constructor(readonly code: 'SECRET_KEY_UNKNOWN' | 'SECRET_TAMPERED', message: string) {
    super(message);
  }
}

/** A short public fingerprint of a key: names it in the database without revealing it. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('mailbridge-key-id:').update(key).digest('hex').slice(0, 12);
}

export class Keyring {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  /** current and previous are base64 32-byte keys; only current seals, all of them open. */
  constructor(current: string, previous: string[] = []) {
    const currentKey = Buffer.from(current, 'base64');
    this.currentKeyId = keyIdOf(currentKey);
    this.keys.set(this.currentKeyId, currentKey);
    for (const p of previous) {
      const k = Buffer.from(p, 'base64');
      this.keys.set(keyIdOf(k), k);
    }
  }

  seal(plain: string, context: string): Sealed {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return { cipher: new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), body])), keyId: this.currentKeyId };
  }

  open(sealed: Sealed, context: string): string {
    const key = this.keys.get(sealed.keyId);
    if (!key) {
      throw new SecretError(
        'SECRET_KEY_UNKNOWN',
        `A secret was sealed with key ${sealed.keyId}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_PREVIOUS_KEYS.`,
      );
    }
    const buf = Buffer.from(sealed.cipher);
    const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(buf.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretError('SECRET_TAMPERED', 'A stored secret failed its integrity check and cannot be used.');
    }
  }

  /** A key for another purpose (e.g. signing OAuth states), derived from the current key with HKDF. */
  derive(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.keys.get(this.currentKeyId)!, 'mailbridge', purpose, 32));
  }

  /** True when the value was sealed with an older key and should be sealed again. */
  isStale(sealed: Pick<Sealed, 'keyId'>): boolean {
    return sealed.keyId !== this.currentKeyId;
  }
}

export function generateKey(): string {
  return randomBytes(32).toString('base64');
}
