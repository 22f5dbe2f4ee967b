// The emulator's signing key and the tokens it hands out, shaped like Google's so that code which
// looks at them (length, prefix, JWT claims) sees what it will see in production. The key is a real
// self-signed X.509 certificate, as https://www.googleapis.com/oauth2/v1/certs serves, made once per
// process: an app that caches the certs it fetched keeps verifying after a test starts a new emulator.
import { execFile } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomInt, sign, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface SigningKey {
  kid: string;
  privateKeyPem: string;
  /** What the v1 certs endpoint serves for this kid: a certificate, or an SPKI key without openssl. */
  publicPem: string;
  /** The same key as the v3 (JWK) certs endpoint lists it. */
  jwk: Record<string, string>;
  kind: 'x509' | 'spki';
}

const run = promisify(execFile);

async function opensslCertificate(): Promise<{ privateKeyPem: string; publicPem: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'google-emulator-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=emulator', '-days', '2', '-keyout', key, '-out', cert]);
    return { privateKeyPem: await readFile(key, 'utf8'), publicPem: await readFile(cert, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function spkiKey(): { privateKeyPem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicPem: publicKey };
}

/** Makes a key; `useOpenssl: false` forces the fallback, so tests can check the library takes it too. */
export async function makeSigningKey(options: { useOpenssl?: boolean } = {}): Promise<SigningKey> {
  let made: { privateKeyPem: string; publicPem: string };
  let kind: SigningKey['kind'] = 'x509';
  try {
    if (options.useOpenssl === false) throw new Error('openssl not wanted');
    made = await opensslCertificate();
    new X509Certificate(made.publicPem); // a broken openssl output should fall back, not fail later
  } catch {
    made = spkiKey();
    kind = 'spki';
  }
  const publicKey = createPublicKey(made.publicPem);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  // Google's kids are 40 hex digits; a digest of the key keeps ours stable for the key's lifetime.
  const kid = createHash('sha1').update(der).digest('hex');
  const { n, e } = publicKey.export({ format: 'jwk' });
  const jwk = { kty: 'RSA', alg: 'RS256', use: 'sig', kid, n: n ?? '', e: e ?? '' };
  return { kid, privateKeyPem: made.privateKeyPem, publicPem: made.publicPem, jwk, kind };
}

let shared: Promise<SigningKey> | undefined;

/** The process-wide key every emulator signs with. */
export function sharedSigningKey(): Promise<SigningKey> {
  shared ??= makeSigningKey();
  return shared;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function signJwt(key: SigningKey, claims: Record<string, unknown>): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', kid: key.kid, typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${body}`), createPrivateKey(key.privateKeyPem));
  return `${header}.${body}.${b64url(signature)}`;
}

/** OpenID Connect's at_hash: the left half of the SHA-256 of the access token, base64url. */
export function atHash(accessToken: string): string {
  return b64url(createHash('sha256').update(accessToken).digest().subarray(0, 16));
}

// Google's formats: access tokens `ya29.a0...` (~250 chars), refresh tokens `1//0...` (~100), codes `4/0A...`.
export const newAccessToken = () => `ya29.a0${b64url(randomBytes(180))}`;
export const newRefreshToken = () => `1//0${b64url(randomBytes(72))}`;
export const newCode = () => `4/0A${b64url(randomBytes(54))}`;

/** Google's subject ids are 21-digit numbers; derived from the email so they survive a restart. */
export function subjectOf(email: string): string {
  const digest = createHash('sha256').update(`google-emulator:${email.toLowerCase()}`).digest();
  let digits = '';
  for (const byte of digest) digits += (byte % 10).toString();
  return `1${digits.slice(0, 20)}`;
}

/** Client ids and secrets as the Google Cloud console makes them. */
export const newClientId = () => `${randomInt(100000000000, 999999999999)}-${randomBytes(16).toString('hex')}.apps.googleusercontent.com`;
export const newClientSecret = () => `GOCSPX-${b64url(randomBytes(21))}`;
