import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEmail } from '../../src/mail/parse/parse.js';
import type { SpooledContent } from '../../src/mail/parse/inbound-email.js';
import { SPOOL_ABOVE_BYTES } from '../../src/mail/parse/mime.js';
import { contentBlob, Spool, sweepSpools } from '../../src/mail/spool.js';

let root: string;
beforeAll(async () => (root = await fs.mkdtemp(path.join(os.tmpdir(), 'spool-test-'))));
afterAll(async () => fs.rm(root, { recursive: true, force: true }));

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function withAttachments(parts: { name: string; bytes: Buffer }[]): Buffer {
  const lines = ['From: a@customer.example', 'To: help@acme.example', 'Subject: Files', 'Message-ID: <files@customer.example>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'See attached.'];
  for (const p of parts) {
    lines.push('--b', `Content-Type: application/octet-stream; name="${p.name}"`, 'Content-Transfer-Encoding: base64', `Content-Disposition: attachment; filename="${p.name}"`, '', p.bytes.toString('base64').replace(/.{76}/g, '$&\r\n'));
  }
  lines.push('--b--', '');
  return Buffer.from(lines.join('\r\n'));
}

describe('large parts go to the spool', () => {
  it('a large attachment is decoded into a file of the mail\'s spool, a small one stays in memory; dispose removes the files', async () => {
    const large = randomBytes(3 * SPOOL_ABOVE_BYTES + 17);
    const small = randomBytes(1000);
    const spool = new Spool(root);
    const email = await parseEmail(withAttachments([{ name: 'scan.bin', bytes: large }, { name: 'note.bin', bytes: small }]), { spool });
    const [big, little] = email.attachments;
    expect(Buffer.isBuffer(big!.content)).toBe(false);
    const file = big!.content as SpooledContent;
    expect(file.size).toBe(large.length);
    expect(big!.size).toBe(large.length);
    expect(big!.checksum).toBe(sha256(large));
    expect((await fs.readFile(file.path)).equals(large)).toBe(true);
    expect((await fs.stat(file.path)).mode & 0o777).toBe(0o600);
    expect(Buffer.isBuffer(little!.content) && little!.content.equals(small)).toBe(true);
    // The upload reads the file: the Blob has the bytes, and the type given.
    const blob = await contentBlob(file, 'application/pdf');
    expect(blob.type).toBe('application/pdf');
    expect(Buffer.from(await blob.arrayBuffer()).equals(large)).toBe(true);
    await spool.dispose();
    await expect(fs.stat(file.path)).rejects.toThrow();
    expect((await fs.readdir(root)).filter((n) => n.startsWith('mailbridge-spool-'))).toEqual([]);
  });

  it('parsed without a spool, every part is a Buffer, as before', async () => {
    const large = randomBytes(2 * SPOOL_ABOVE_BYTES);
    const email = await parseEmail(withAttachments([{ name: 'scan.bin', bytes: large }]));
    const content = email.attachments[0]!.content;
    // equals(), not toEqual(): a deep comparison of half a megabyte byte by byte takes seconds.
    expect(Buffer.isBuffer(content) && content.equals(large)).toBe(true);
  });

  it('a mail with no large part makes no spool directory at all', async () => {
    const spool = new Spool(root);
    await parseEmail(withAttachments([{ name: 'note.bin', bytes: randomBytes(100) }]), { spool });
    expect((await fs.readdir(root)).filter((n) => n.startsWith('mailbridge-spool-'))).toEqual([]);
    await spool.dispose();
  });

  it('sweepSpools removes what a killed process left behind, not a spool in use', async () => {
    const left = new Spool(root);
    await left.keep([Buffer.from('x')], (async function* () {})());
    const fresh = new Spool(root);
    await fresh.keep([Buffer.from('y')], (async function* () {})());
    const [first] = (await fs.readdir(root)).filter((n) => n.startsWith('mailbridge-spool-'));
    const old = new Date(Date.now() - 2 * 60 * 60_000);
    await fs.utimes(path.join(root, first!), old, old);
    expect(await sweepSpools(root, 60 * 60_000)).toBe(1);
    expect((await fs.readdir(root)).filter((n) => n.startsWith('mailbridge-spool-'))).toHaveLength(1);
    await fresh.dispose();
    await left.dispose();
  });
});
