// The parse of last resort, for a message mailparser refuses (a header block over its limit, too
// many parts...): the header block read by hand and the raw body as text, so that the mail still
// becomes an issue an agent can read instead of stalling its mailbox.
import { simpleParser } from 'mailparser';
import { headerFields, readSubject } from './header-fields.js';
import { decodeBytes, firstHeader, readHeaderBlock, type HeaderLine } from './header-lines.js';
import type { InboundEmail } from './inbound-email.js';

/** More raw body than this is not readable as text anyway; the issue says it was cut. */
const MAX_BODY_BYTES = 1024 * 1024;

export async function fallbackParse(raw: Buffer, digest: string, problem: string): Promise<InboundEmail> {
  const problems = [problem];
  const { lines, bodyStart } = readHeaderBlock(raw);
  const fields = headerFields(lines, problems);
  const subject = readSubject(await decodedSubject(raw.subarray(0, bodyStart), lines), lines, problems);
  return {
    ...fields,
    subject,
    text: rawBodyText(raw.subarray(bodyStart), problems),
    attachments: [],
    size: raw.length,
    digest,
    parseProblems: problems,
  };
}

/** mailparser may still decode the subject's encoded words when it only sees the header block. */
async function decodedSubject(head: Buffer, lines: readonly HeaderLine[]): Promise<string | undefined> {
  if (firstHeader(lines, 'subject') === undefined) return undefined;
  try {
    return (await simpleParser(head, { keepCidLinks: true, skipTextToHtml: true })).subject;
  } catch {
    return undefined;
  }
}

/** The body as it was sent, MIME and all: better than nothing for an agent to read. */
export function rawBodyText(body: Buffer, problems: string[]): string {
  if (body.length <= MAX_BODY_BYTES) return decodeBytes(body);
  problems.push(`The raw body was cut to its first ${MAX_BODY_BYTES} bytes.`);
  let end = MAX_BODY_BYTES;
  // Cut before a UTF-8 continuation byte, so that a valid UTF-8 body stays valid.
  while (end > 0 && ((body[end] ?? 0) & 0xc0) === 0x80) end--;
  return decodeBytes(body.subarray(0, end));
}
