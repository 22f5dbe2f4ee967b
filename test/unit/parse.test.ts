// parseEmail against our own small fixtures (test/fixtures/mail): the values ingest relies on, and
// that no input, however broken, makes it throw.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { safeFilename } from '../../src/mail/parse/attachments.js';
import { parseDate } from '../../src/mail/parse/header-fields.js';
import { LOOP_HEADER } from '../../src/mail/parse/inbound-email.js';
import { firstMessageId, messageIds } from '../../src/mail/parse/message-ids.js';
import { parseEmail } from '../../src/mail/parse/parse.js';

const fixture = (name: string) => fs.readFile(new URL(`../fixtures/mail/${name}`, import.meta.url));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('parseEmail', () => {
  it('reads a plain mail into plain values', async () => {
    const raw = await fixture('plain.eml');
    const email = await parseEmail(raw);
    expect(email).toMatchObject({
      messageId: '<plain-1@mail.example.com>',
      subject: 'Printer on floor 3 is jammed',
      from: { address: 'alice@example.com', name: 'Alice Example' },
      replyTo: [{ address: 'alice.replies@example.com' }],
      to: [{ address: 'support@acme.example', name: 'Support' }],
      date: new Date('2025-01-14T08:30:00Z'),
      headers: { returnPath: '<alice@example.com>', contentType: { type: 'text/plain' } },
      size: raw.length,
      digest: sha256(raw),
      parseProblems: [],
    });
    expect(email.text).toContain('Café is closed too.');
    expect(email.html).toBeUndefined();
  });

  it('keeps group members as recipients and skips the group itself and what is not an address', async () => {
    const email = await parseEmail(await fixture('plain.eml'));
    expect(email.to.map((a) => a.address)).toEqual(['support@acme.example']);
    expect(email.cc.map((a) => a.address)).toEqual(['bob@example.org', 'carol@example.org', 'dave@example.org']);
  });

  it('tells inline images from attachments and gives every attachment a safe name', async () => {
    const email = await parseEmail(await fixture('html-inline-image.eml'));
    expect(email.html).toContain('src="cid:screenshot@example.org"');
    expect(email.text).toBeUndefined();
    const [image, pdf, unnamed] = email.attachments;
    expect(image).toMatchObject({ filename: 'attachment-1.png', contentType: 'image/png', contentId: 'screenshot@example.org', inline: true });
    const bytes = image!.content as Buffer;
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(image!.checksum).toBe(sha256(bytes));
    expect(image!.size).toBe(bytes.length);
    expect(pdf).toMatchObject({ filename: 'report.pdf', contentType: 'application/pdf', inline: false });
    expect(pdf!.contentId).toBeUndefined();
    expect(unnamed).toMatchObject({ filename: 'attachment-3.bin', content: Buffer.from([0, 1, 2, 3, 4]) });
  });

  it('reads what classification needs from a DSN and an ARF report', async () => {
    const dsn = await parseEmail(await fixture('dsn-rfc3464.eml'));
    expect(dsn.headers).toMatchObject({
      returnPath: '<>',
      autoSubmitted: 'auto-replied',
      contentType: { type: 'multipart/report', reportType: 'delivery-status' },
    });
    expect(dsn.attachments.map((a) => a.contentType)).toEqual(['message/delivery-status', 'text/rfc822-headers']);
    const arf = await parseEmail(await fixture('arf-report.eml'));
    expect(arf.headers.contentType).toEqual({ type: 'multipart/report', reportType: 'feedback-report' });
  });

  it('reads the Sender and the list headers of a mailing-list post', async () => {
    const email = await parseEmail(await fixture('mailing-list.eml'));
    expect(email.from).toEqual({ address: 'frank@example.org', name: 'Frank' });
    expect(email.sender).toEqual({ address: 'printers-bounces@lists.example.org' });
    expect(email.headers).toMatchObject({ listId: 'Printer users <printers.lists.example.org>', listUnsubscribe: '<https://lists.example.org/unsubscribe/printers>' });
  });

  it('reads our loop header', async () => {
    const email = await parseEmail(await fixture('loop-header.eml'));
    expect(LOOP_HEADER).toBe('X-Mailbridge-Loop');
    expect(email.headers.xMailbridgeLoop).toBe('tenant-1');
  });

  it('says when there is no Message-ID, and the digest still identifies the message', async () => {
    const raw = await fixture('no-message-id.eml');
    const email = await parseEmail(raw);
    expect(email.messageId).toBeUndefined();
    expect(email.digest).toBe(sha256(raw));
    expect(email.parseProblems).toEqual(['The message has no Message-ID header.']);
  });

  it('normalises folded, commented and unbracketed Message-IDs', async () => {
    const email = await parseEmail(await fixture('folded-references.eml'));
    expect(email.messageId).toBe('<reply-1@mail.example.com>');
    expect(email.inReplyTo).toEqual(['<notification-6@acme.example>']);
    expect(email.references).toEqual([
      '<issue-SUP-12@acme.example>',
      '<notification-5@acme.example>',
      '<notification-6@acme.example>',
      '<split-over-two-lines@acme.example>',
    ]);
  });

  it('reads a raw 8-bit ISO-8859-1 subject and an encoded-word name', async () => {
    const email = await parseEmail(await fixture('latin1-subject.eml'));
    expect(email.subject).toBe('Drucker für Größe A3 kaputt');
    expect(email.from).toEqual({ address: 'joerg@example.de', name: 'Jörg Müller' });
    expect(email.text).toContain('Grüße, Jörg');
    expect(email.parseProblems).toEqual(['The Subject header has 8-bit characters that are not UTF-8; they were read as windows-1252.']);
  });

  it('reads what it can of a broken boundary and bad encodings, and says what was wrong', async () => {
    const email = await parseEmail(await fixture('malformed.eml'));
    expect(email.subject).toBe('Broken mail');
    expect(email.from?.address).toBe('dana@example.net');
    expect(email.text).toContain('has bad');
    expect(email.date).toBeUndefined();
    expect(email.attachments.map((a) => a.filename)).toEqual(['pic.png']);
    expect(email.parseProblems).toEqual([
      'The Date header is not a date: "someday soon".',
      'The multipart boundary "good" is never closed; the message may be cut off.',
    ]);
  });

  it('keeps the raw body when mailparser finds nothing in it', async () => {
    const raw = Buffer.from('From: a@example.com\r\nContent-Type: multipart/mixed\r\n\tboundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n');
    const email = await parseEmail(raw);
    expect(email.text).toContain('hello');
    expect(email.parseProblems).toContain('No text, HTML or attachment could be read from the body; the raw body was kept as text.');
  });

  it('falls back to the header block and the raw body when mailparser gives up', async () => {
    const parts = Array.from({ length: 1001 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    const head = 'From: Ann <ann@example.com>\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nMessage-ID: <many@example.com>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n';
    const raw = Buffer.from(`${head}${parts}--b--\r\n`);
    const email = await parseEmail(raw);
    expect(email.parseProblems[0]).toMatch(/^The MIME structure could not be read \(.+\); only the headers and the raw body were kept\.$/);
    expect(email).toMatchObject({ subject: 'Grüße', from: { address: 'ann@example.com', name: 'Ann' }, messageId: '<many@example.com>', attachments: [], digest: sha256(raw) });
    expect(email.text).toContain('part 1000');
  });

  it('falls back when a header is larger than mailparser accepts', async () => {
    const email = await parseEmail(Buffer.from(`From: a@example.com\r\nSubject: big\r\nX-Big: ${'a'.repeat(1_100_000)}\r\n\r\nhello\r\n`));
    expect(email.parseProblems[0]).toMatch(/^The MIME structure could not be read/);
    expect(email.subject).toBe('big');
    expect(email.text).toBe('hello\r\n');
  });

  it('never throws, whatever it is given', async () => {
    const inputs = [
      Buffer.alloc(0),
      Buffer.from('\r\n\r\n'),
      Buffer.from('no headers at all'),
      Buffer.from('Subject: only a header'),
      Buffer.from([0, 255, 0, 13, 10, 13, 10, 0xc3, 0x28]),
      Buffer.from('Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--\r\n'),
      Buffer.from('Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\n'),
      Buffer.from('From: <>\r\nTo: ,,,;;;<<>>\r\nDate: 1\r\nMessage-ID: <>\r\nReferences: < >\r\n\r\nx'),
    ];
    for (const raw of inputs) {
      const email = await parseEmail(raw);
      expect(email.size).toBe(raw.length);
      expect(email.digest).toBe(sha256(raw));
      expect(Array.isArray(email.parseProblems)).toBe(true);
    }
  });
});

describe('Message-IDs', () => {
  it('keeps one form per id', () => {
    expect(firstMessageId('<abc@host>')).toBe('<abc@host>');
    expect(firstMessageId('abc@host')).toBe('<abc@host>');
    expect(firstMessageId('  <abc@host> (added by a relay)')).toBe('<abc@host>');
    expect(messageIds('<a@h>, <b@h>\r\n <a@h>')).toEqual(['<a@h>', '<b@h>']);
    expect(messageIds('"Your message of Monday" <a@h>')).toEqual(['<a@h>']);
  });

  it('reads nothing from what is not an id', () => {
    expect(firstMessageId(undefined)).toBeUndefined();
    expect(firstMessageId('')).toBeUndefined();
    expect(firstMessageId('<>')).toBeUndefined();
    expect(firstMessageId('000000-FFFFFF-22-ARF')).toBeUndefined();
  });
});

describe('dates', () => {
  it('reads RFC 5322 dates, and an unknown zone name as UTC', () => {
    expect(parseDate('Mon, 15 Jul 2013 13:16:38 -0700 (PDT)')).toEqual(new Date('2013-07-15T20:16:38Z'));
    expect(parseDate('Tue, 16 Jul 2013 05:16:35 JST')).toEqual(new Date('2013-07-16T05:16:35Z'));
  });

  it('reads no date from what is not one, rather than "now"', () => {
    expect(parseDate('1')).toBeUndefined();
    expect(parseDate('someday soon')).toBeUndefined();
    expect(parseDate('Tue, 7 Apr 2026 10:00:t <x@example.test>')).toBeUndefined();
  });
});

describe('attachment file names', () => {
  it('keeps only the last part of a path, without control characters or leading dots', () => {
    expect(safeFilename('../../etc/passwd', 'text/plain', 1)).toBe('passwd');
    expect(safeFilename('C:\\Users\\x\\evil.exe', 'application/octet-stream', 1)).toBe('evil.exe');
    expect(safeFilename('re\u0000po\u001brt.pdf', 'application/pdf', 1)).toBe('report.pdf');
    expect(safeFilename('.htaccess', 'text/plain', 1)).toBe('htaccess');
    expect(safeFilename(`${'a'.repeat(300)}.pdf`, 'application/pdf', 1)).toHaveLength(200);
  });

  it('makes a name up from the content type when there is none left', () => {
    expect(safeFilename(undefined, 'image/jpeg', 2)).toBe('attachment-2.jpg');
    expect(safeFilename('../', 'message/rfc822', 3)).toBe('attachment-3.eml');
    expect(safeFilename('', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 4)).toBe('attachment-4.bin');
  });
});
