// The header fields of an InboundEmail (threading ids, addresses, date, classification headers),
// read from the top-level header lines the same way whether mailparser managed the body or not.
import { isUtf8 } from 'node:buffer';
import { parseAddressHeader, type EmailAddress } from 'mailparser';
import { classifyingHeaders } from './classifying-headers.js';
import { allHeaders, decodeHeaderBytes, firstHeader, legacyCharset, type HeaderLine } from './header-lines.js';
import type { Address, InboundEmail } from './inbound-email.js';
import { firstMessageId, messageIds } from './message-ids.js';

export type HeaderFields = Pick<
  InboundEmail,
  'messageId' | 'inReplyTo' | 'references' | 'from' | 'sender' | 'replyTo' | 'to' | 'cc' | 'date' | 'headers'
>;

/** Reads the fields, and adds to `problems` what an admin would want to know was wrong. */
export function headerFields(lines: readonly HeaderLine[], problems: string[]): HeaderFields {
  const from = firstAddress(lines, 'From', problems, { required: true });
  const sender = firstAddress(lines, 'Sender', problems, { required: false });
  const messageId = readMessageId(lines, problems);
  const date = readDate(lines, problems);
  return {
    ...(messageId ? { messageId } : {}),
    inReplyTo: messageIds(firstHeader(lines, 'in-reply-to')),
    references: messageIds(allHeaders(lines, 'references').join(' ')),
    ...(from ? { from } : {}),
    ...(sender ? { sender } : {}),
    replyTo: addresses(lines, 'reply-to'),
    to: addresses(lines, 'to'),
    cc: addresses(lines, 'cc'),
    ...(date ? { date } : {}),
    headers: classifyingHeaders(lines),
  };
}

/**
 * The subject as mailparser decoded it, unless the header was raw 8-bit text that is not UTF-8:
 * mailparser reads that as UTF-8 and gets replacement characters, so it is read again in the
 * message's charset (or windows-1252). Encoded words in such a header are rare and kept as mailparser read them.
 */
export function readSubject(decoded: string | undefined, lines: readonly HeaderLine[], problems: string[]): string {
  const value = firstHeader(lines, 'subject');
  if (value === undefined) return '';
  if (isUtf8(Buffer.from(value, 'latin1')) || value.includes('=?')) return decoded ?? decodeHeaderBytes(value);
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(firstHeader(lines, 'content-type') ?? '')?.[1];
  problems.push(`The Subject header has 8-bit characters that are not UTF-8; they were read as ${legacyCharset(charset)}.`);
  return decodeHeaderBytes(value, charset);
}

function readMessageId(lines: readonly HeaderLine[], problems: string[]): string | undefined {
  const value = firstHeader(lines, 'message-id');
  const id = firstMessageId(value);
  if (value === undefined) problems.push('The message has no Message-ID header.');
  else if (!id) problems.push(`The Message-ID header cannot be read: ${quote(value)}.`);
  return id;
}

function readDate(lines: readonly HeaderLine[], problems: string[]): Date | undefined {
  const value = firstHeader(lines, 'date');
  if (value === undefined) return undefined;
  const date = parseDate(value);
  if (!date) problems.push(`The Date header is not a date: ${quote(value)}.`);
  return date;
}

/**
 * An RFC 5322 date, or undefined. JavaScript's parser reads almost anything ("1" is 2001), so a
 * time of day is required; a zone name it does not know counts as UTC, as RFC 5322 section 4.3 says.
 */
export function parseDate(value: string): Date | undefined {
  if (!/\d{1,2}:\d{2}/.test(value)) return undefined;
  const text = value.replace(/\([^)]*\)/g, ' ').trim();
  const date = new Date(text);
  if (!Number.isNaN(date.getTime())) return date;
  const utc = new Date(text.replace(/\s[A-Za-z]{1,5}$/, ' +0000'));
  return Number.isNaN(utc.getTime()) ? undefined : utc;
}

/** The first address of a header; a missing From is a problem, a missing Sender is usual. */
function firstAddress(lines: readonly HeaderLine[], name: 'From' | 'Sender', problems: string[], { required }: { required: boolean }): Address | undefined {
  const value = firstHeader(lines, name.toLowerCase());
  if (value === undefined) {
    if (required) problems.push(`The message has no ${name} header.`);
    return undefined;
  }
  const [address] = parseAddresses(value);
  if (!address) problems.push(`The ${name} header has no address that can be read: ${quote(value)}.`);
  return address;
}

function addresses(lines: readonly HeaderLine[], key: string): Address[] {
  return allHeaders(lines, key).flatMap(parseAddresses);
}

/** Group members count as recipients; the group itself, and anything without `@`, is skipped. */
function parseAddresses(binary: string): Address[] {
  let parsed: EmailAddress[];
  try {
    parsed = parseAddressHeader(decodeHeaderBytes(binary), { flatten: true }).value;
  } catch {
    return [];
  }
  return parsed.flatMap((entry) => {
    const address = entry.address?.trim().toLowerCase();
    if (!address || !/^[^@\s]+@[^@\s]+$/.test(address)) return [];
    const name = entry.name.trim();
    return [name ? { address, name } : { address }];
  });
}

/** A raw header value as it appears in a problem: decoded, short, on one line. */
function quote(value: string): string {
  const line = decodeHeaderBytes(value).replace(/\s+/g, ' ');
  return JSON.stringify(line.length > 100 ? `${line.slice(0, 100)}…` : line);
}
