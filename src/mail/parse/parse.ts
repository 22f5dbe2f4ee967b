// Raw mail in, one InboundEmail out, whatever the raw mail looks like: a mailbox must never stall on
// a message it cannot read, so parseEmail never throws. mailparser does the MIME work; when it gives
// up, the header block and the raw body are still enough for an issue (fallback.ts).
import { createHash } from 'node:crypto';
import type { MailParserOptions } from 'mailparser';
import { referencedContentIds, toInboundAttachment } from './attachments.js';
import { fallbackParse, rawBodyText } from './fallback.js';
import { headerFields, readSubject } from './header-fields.js';
import { firstHeader, readHeaderBlock, type HeaderLine } from './header-lines.js';
import type { InboundEmail } from './inbound-email.js';
import { readMime, type Mime, type PartSpool } from './mime.js';

const OPTIONS: MailParserOptions = {
  // Nobody reads textAsHtml or linkified text.
  skipTextToHtml: true,
  skipTextLinks: true,
  // A bounce's machine-readable report stays a part of its own instead of being mixed into the text.
  keepDeliveryStatus: true,
  checksumAlgo: 'sha256',
  // `text` is what the sender wrote as text: mailparser would make it up from the HTML only in some
  // structures (a lone HTML body, not one beside an attachment), and that is its slowest step.
  skipHtmlToText: true,
};

export interface ParseOptions {
  /** Where large parts go instead of memory; without one every part is a Buffer. */
  spool?: PartSpool;
}

export async function parseEmail(raw: Buffer, options: ParseOptions = {}): Promise<InboundEmail> {
  const digest = createHash('sha256').update(raw).digest('hex');
  try {
    // `cid:` links stay as they are (readMime does not inline images as data: URLs).
    return fromParsed(await readMime(raw, OPTIONS, options.spool), raw, digest);
  } catch (err) {
    return fallbackParse(raw, digest, `The MIME structure could not be read (${reason(err)}); only the headers and the raw body were kept.`);
  }
}

function fromParsed(parsed: Mime, raw: Buffer, digest: string): InboundEmail {
  const lines: readonly HeaderLine[] = parsed.headerLines;
  const problems: string[] = [];
  const fields = headerFields(lines, problems);
  const subject = readSubject(parsed.subject, lines, problems);
  problems.push(...boundaryProblems(lines, raw));
  const html = parsed.html;
  const shownInHtml = referencedContentIds(html);
  // With skipHtmlToText, a lone HTML body comes with an empty text: there was no text.
  const text = parsed.text || (html === undefined && parsed.attachments.length === 0 ? unreadBody(raw, problems) : undefined);
  return {
    ...fields,
    subject,
    ...(text !== undefined ? { text } : {}),
    ...(html !== undefined ? { html } : {}),
    attachments: parsed.attachments.map((part, i) => toInboundAttachment(part, i + 1, shownInHtml)),
    size: raw.length,
    digest,
    parseProblems: problems,
  };
}

/**
 * mailparser reads a multipart message whose boundary is wrong as best it can and says nothing;
 * an admin looking at a garbled issue wants to know why.
 */
function boundaryProblems(lines: readonly HeaderLine[], raw: Buffer): string[] {
  const contentType = firstHeader(lines, 'content-type') ?? '';
  if (!/^\s*multipart\//i.test(contentType)) return [];
  const match = /boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) return ['The message says it is multipart but names no boundary; its body was read as one part.'];
  if (raw.indexOf(`--${boundary}`) < 0) return [`The multipart boundary "${boundary}" never appears; the body was read as one part.`];
  if (raw.indexOf(`--${boundary}--`) < 0) return [`The multipart boundary "${boundary}" is never closed; the message may be cut off.`];
  return [];
}

/**
 * mailparser finds nothing in a body it cannot make sense of (a nested multipart whose boundary
 * parameter lost its folding, say); a body that is not empty is then kept as it was sent.
 */
function unreadBody(raw: Buffer, problems: string[]): string | undefined {
  const body = raw.subarray(readHeaderBlock(raw).bodyStart);
  if (body.toString('latin1', 0, Math.min(body.length, 4096)).trim() === '') return undefined;
  problems.push('No text, HTML or attachment could be read from the body; the raw body was kept as text.');
  return rawBodyText(body, problems);
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
