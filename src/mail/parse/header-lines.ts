// The raw header lines of a message read as plain values. mailparser hands them over as they were
// written (a "binary" string per header, folding included); we read the few headers whose exact
// form matters (Message-IDs, Date, the classification headers) from them ourselves, and the fallback
// parse reads them straight from the raw bytes when mailparser gives up.
import { isUtf8 } from 'node:buffer';

export interface HeaderLine {
  /** The header name, lower-cased. */
  key: string;
  /** The whole header as written, name and folding included, one char per byte. */
  line: string;
}

/** Only this much of a header block is read (mailparser refuses one larger than that anyway). */
const MAX_HEAD_BYTES = 1024 * 1024;

/** The value of a header line: the part after the colon, unfolded and trimmed. */
export function headerValue(line: string): string {
  const colon = line.indexOf(':');
  return line.slice(colon + 1).replace(/\r?\n(?=[ \t])/g, '').trim();
}

/** The value of the first header named `key` (lower-case), or undefined when there is none. */
export function firstHeader(lines: readonly HeaderLine[], key: string): string | undefined {
  const found = lines.find((l) => l.key === key);
  return found ? headerValue(found.line) : undefined;
}

/** Every value of the headers named `key`, in order. */
export function allHeaders(lines: readonly HeaderLine[], key: string): string[] {
  return lines.filter((l) => l.key === key).map((l) => headerValue(l.line));
}

/**
 * Splits the header block at the start of a raw message into header lines, and says where the body
 * starts. Lines that are not headers (an mbox "From " line, garbage) are skipped.
 */
export function readHeaderBlock(raw: Buffer): { lines: HeaderLine[]; bodyStart: number } {
  const end = headerEnd(raw);
  // latin1 keeps one char per byte, so that 8-bit headers can be decoded later (decodeHeaderBytes).
  const block = raw.toString('latin1', 0, Math.min(end?.at ?? raw.length, MAX_HEAD_BYTES));
  const lines: HeaderLine[] = [];
  for (const line of block.split(/\r?\n(?![ \t])/)) {
    const name = /^([!-9;-~]+)[ \t]*:/.exec(line);
    if (name?.[1]) lines.push({ key: name[1].toLowerCase(), line: line.replace(/\r$/, '') });
  }
  return { lines, bodyStart: end ? end.at + end.length : raw.length };
}

/** The first empty line, with CRLF or bare LF endings; searched in the bytes, so a huge message is not copied. */
function headerEnd(raw: Buffer): { at: number; length: number } | undefined {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (lf >= 0 && (crlf < 0 || lf < crlf)) return { at: lf, length: 2 };
  return crlf >= 0 ? { at: crlf, length: 4 } : undefined;
}

/** Text of a header written in raw bytes (a "binary" string, one char per byte); see decodeBytes. */
export function decodeHeaderBytes(binary: string, charset?: string): string {
  // eslint-disable-next-line no-control-regex -- the 7-bit range is the whole point
  if (/^[\u0000-\u007f]*$/.test(binary)) return binary;
  return decodeBytes(Buffer.from(binary, 'latin1'), charset);
}

/**
 * Text written in raw 8-bit bytes: UTF-8 when the bytes are valid UTF-8 (what modern mailers send),
 * otherwise the declared charset, otherwise windows-1252 (what old mailers meant).
 */
export function decodeBytes(bytes: Buffer, charset?: string): string {
  return isUtf8(bytes) ? bytes.toString('utf8') : new TextDecoder(legacyCharset(charset)).decode(bytes);
}

/** The charset 8-bit text that is not UTF-8 is read in: the declared one if we know it, else windows-1252. */
export function legacyCharset(declared: string | undefined): string {
  if (!declared || /^utf-?8$/i.test(declared)) return 'windows-1252';
  try {
    return new TextDecoder(declared).encoding;
  } catch {
    return 'windows-1252';
  }
}
