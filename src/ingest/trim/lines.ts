// What each line of a plain-text reply is: the person's text, a quote, or one of the marks mail
// clients leave where the quoted history or the signature begins. Lines inside ``` fences are
// always text, so that code which looks like a quote or a delimiter is kept.
import { findAttributions } from './attribution.js';
import { headerBlockEnd } from './headers.js';
import { ATTRIBUTION_VERB, DEVICE_SIGNATURES, FORWARD_INTRO, SEPARATOR_WORD } from './patterns.js';

export type LineKind = 'empty' | 'text' | 'quote' | 'attribution' | 'header' | 'separator' | 'signature';

const FENCE = /^\s*(```|~~~)/;
// "Richard> ..." and "C> ...": Supercite's quotes, prefixed with the author's name or initials.
const QUOTE = /^\s*(?:>|[\p{L}\d]{1,15}>(?:\s|$))/u;
// Gmail extensions (Streak, Mixmax) end the text they track with this character on its own line.
const TRACKER = '\u1427';
const MAX_DEVICE_SIGNATURE_LENGTH = 80;
const MAX_SEPARATOR_WORDS_LENGTH = 60;
const MAX_WRAPPED_TAIL_LENGTH = 20;

export function classifyLines(lines: readonly string[]): LineKind[] {
  const fenced = fencedLines(lines);
  const kinds = lines.map((line, index): LineKind => (fenced[index] ? (line.trim() ? 'text' : 'empty') : kindOf(line)));
  markHeaderBlocks(lines, kinds, fenced);
  const usable = (index: number) => !fenced[index] && isOpen(kinds[index], lines[index] ?? '');
  for (const span of findAttributions(lines, usable)) {
    for (let index = span.start; index <= span.end; index++) kinds[index] = 'attribution';
  }
  return kinds;
}

/**
 * Lines an attribution may take over: text, blanks, and the short "> wrote:" or ">:" that a client
 * leaves when it wraps inside the address's angle brackets.
 */
function isOpen(kind: LineKind | undefined, line: string): boolean {
  if (kind === 'quote') return line.replace(/^\s*>/, '').trim().length <= MAX_WRAPPED_TAIL_LENGTH;
  return kind === 'text' || kind === 'empty';
}

function kindOf(line: string): LineKind {
  if (!line.trim()) return 'empty';
  if (QUOTE.test(line)) return 'quote';
  if (isSignatureLine(line)) return 'signature';
  if (isSeparatorLine(line)) return 'separator';
  return 'text';
}

/** "-- " (the signature delimiter), a tracker's mark, or a device's "Sent from my iPhone". */
export function isSignatureLine(line: string): boolean {
  const value = line.trim();
  if (line.trimEnd() === '--' || value === TRACKER) return true;
  const bare = value.replace(/^[(<\s]+|[)>\s]+$/g, '');
  const withoutUrls = bare.replace(/\S*https?:\/\/\S*/g, '');
  return withoutUrls.length <= MAX_DEVICE_SIGNATURE_LENGTH && DEVICE_SIGNATURES.some((pattern) => pattern.test(bare));
}

/** Outlook's rule of underscores, "-----Original Message-----", "Begin forwarded message:", Zoho's "---- On ... wrote ----". */
export function isSeparatorLine(line: string): boolean {
  const value = line.trim();
  if (/^_{5,}$/.test(value)) return true;
  const bare = value.replace(/^[*_]+|[*_]+$/g, '').trim();
  if (FORWARD_INTRO.test(bare)) return true;
  const inner = /^-{2,}\s*(.*?)\s*-{2,}$/.exec(bare)?.[1];
  if (!inner) return false;
  return (SEPARATOR_WORD.test(inner) && inner.length <= MAX_SEPARATOR_WORDS_LENGTH) || (ATTRIBUTION_VERB.test(inner) && /\d/.test(inner));
}

function markHeaderBlocks(lines: readonly string[], kinds: LineKind[], fenced: readonly boolean[]): void {
  for (let start = 0; start < lines.length; start++) {
    if (fenced[start] || kinds[start] !== 'text') continue;
    const end = headerBlockEnd(lines, start);
    if (end === undefined) continue;
    for (let index = start; index <= end; index++) if (kinds[index] === 'text') kinds[index] = 'header';
    start = end;
  }
}

/** Which lines sit inside a ``` (or ~~~) fence that closes; an unclosed fence fences nothing. */
function fencedLines(lines: readonly string[]): boolean[] {
  const fenced = lines.map(() => false);
  let open: { index: number; fence: string } | undefined;
  lines.forEach((line, index) => {
    const fence = FENCE.exec(line)?.[1];
    if (!fence) return;
    if (!open) open = { index, fence };
    else if (fence === open.fence) {
      for (let inside = open.index; inside <= index; inside++) fenced[inside] = true;
      open = undefined;
    }
  });
  return fenced;
}
