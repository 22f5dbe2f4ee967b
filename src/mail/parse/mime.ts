// mailparser's streaming MailParser, read the way its simpleParser reads it, with one difference: the
// content of a large part (an attachment, an inline image) is not gathered into one Buffer but handed
// to a spool as it is decoded, so a mail with a 20 MB attachment does not hold 20 more MB of memory
// and the upload to Jira streams the part from the spool.
import type { Readable } from 'node:stream';
import { MailParser, type AttachmentStream, type MailParserOptions, type MessageText } from 'mailparser';
import type { HeaderLine } from './header-lines.js';
import type { PartContent } from './inbound-email.js';

/** Parts up to this size stay in memory; larger ones go to the spool when there is one. */
export const SPOOL_ABOVE_BYTES = 256 * 1024;

/** Where large parts are kept while their mail is processed (src/mail/spool.ts). */
export interface PartSpool {
  /** Writes the rest of `content` (after `head`, already read) to a file of the spool. */
  keep(head: Buffer[], content: AsyncIterable<Buffer>): Promise<PartContent>;
}

export interface MimePart {
  contentType: string;
  filename?: string;
  cid?: string;
  contentDisposition?: string;
  size: number;
  checksum: string;
  content: PartContent;
}

export interface Mime {
  headerLines: readonly HeaderLine[];
  subject?: string;
  text?: string;
  html?: string;
  attachments: MimePart[];
}

export async function readMime(raw: Buffer, options: MailParserOptions, spool?: PartSpool): Promise<Mime> {
  const parser = new MailParser(options);
  const mime: Mime = { headerLines: [], attachments: [] };
  // A part's stream may never end once the parser has failed: whoever waits on it must hear of that.
  const failed = new Promise<never>((_, reject) => parser.once('error', reject));
  failed.catch(() => undefined);
  parser.once('headers', () => {
    mime.headerLines = parser.headerLines || [];
    if (parser.subject !== undefined) mime.subject = parser.subject;
  });
  parser.end(raw);
  for await (const data of parser as AsyncIterable<MessageText | AttachmentStream>) {
    if (data.type === 'text') {
      if (typeof data.text === 'string') mime.text = data.text;
      if (typeof data.html === 'string') mime.html = data.html;
      continue;
    }
    try {
      const content = await Promise.race([collect(data.content, spool), failed]);
      mime.attachments.push({
        contentType: data.contentType,
        ...(data.filename ? { filename: data.filename } : {}),
        ...(data.cid ? { cid: data.cid } : {}),
        ...(data.contentDisposition ? { contentDisposition: data.contentDisposition } : {}),
        // Set on the part as its stream ends.
        size: data.size ?? 0,
        checksum: data.checksum ?? '',
        content,
      });
    } finally {
      data.release?.();
    }
  }
  return mime;
}

/** The part's bytes: in memory while small, in the spool from the chunk that makes it large. */
async function collect(content: Readable, spool: PartSpool | undefined): Promise<PartContent> {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = content[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  for (let next = await stream.next(); !next.done; next = await stream.next()) {
    chunks.push(next.value);
    size += next.value.length;
    if (spool && size > SPOOL_ABOVE_BYTES) return spool.keep(chunks, { [Symbol.asyncIterator]: () => stream });
  }
  return Buffer.concat(chunks, size);
}
