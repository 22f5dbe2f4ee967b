// Which lines of a plain-text reply the person wrote. The lines are classified (lines.ts), then:
// 1. history at the very top (a forward's headers, "On ... wrote:" above a quote answered below it)
//    is dropped, and what follows is the message;
// 2. the reply ends at the first signature, separator or header block, or at the first attribution
//    whose quote is not answered inline; an answered one loses only its attribution line;
// 3. what is left at the end that only quotes, rules or blanks is dropped too, unless the message is
//    nothing but a quote.
import { classifyLines, type LineKind } from './lines.js';

const ENDS_REPLY = new Set<LineKind>(['signature', 'separator', 'header']);
const OPENS_HISTORY = new Set<LineKind>(['attribution', 'header', 'separator']);
// Text under a quote counts as the person's answer only if it is longer than the few unquoted lines
// (often the quoted person's signature) some clients leave after the quote.
const MIN_ANSWER_LINES = 5;
const RULE = /^\s*[-_=*~]{3,}\s*$/;

/** For each line, whether it belongs to what the person wrote. */
export function keptLines(lines: readonly string[]): boolean[] {
  const kinds = classifyLines(lines);
  const kept = lines.map(() => true);
  const start = dropLeadingHistory(lines, kinds, kept);
  const end = replyEnd(kinds, kept, start);
  for (let index = end; index < lines.length; index++) kept[index] = false;
  dropTrailingLeftovers(lines, kinds, kept);
  return kept;
}

function dropLeadingHistory(lines: readonly string[], kinds: readonly LineKind[], kept: boolean[]): number {
  let index = skip(kinds, 0, 'empty');
  for (let end = leadingHistoryEnd(lines, kinds, index); end !== undefined; end = leadingHistoryEnd(lines, kinds, index)) {
    for (let dropped = index; dropped < end; dropped++) kept[dropped] = false;
    index = skip(kinds, end, 'empty');
  }
  return index;
}

/** Where the history starting at `index` ends (exclusive); undefined when the person's text starts there. */
function leadingHistoryEnd(lines: readonly string[], kinds: readonly LineKind[], index: number): number | undefined {
  switch (kinds[index]) {
    case 'attribution': {
      const after = skip(kinds, index, 'attribution');
      const next = skip(kinds, after, 'empty');
      return kinds[next] === 'quote' ? quoteEnd(kinds, next) : after;
    }
    case 'header':
    case 'separator':
      return skip(kinds, index, kinds[index]);
    case 'quote':
      return quoteOpensHistory(lines, kinds, index) ? quoteEnd(kinds, index) : undefined;
    default:
      return undefined;
  }
}

/** A quote that itself starts with an attribution or forwarded headers is history, not a quotation. */
function quoteOpensHistory(lines: readonly string[], kinds: readonly LineKind[], start: number): boolean {
  const inner = lines.slice(start, quoteEnd(kinds, start)).map((line) => line.replace(/^(?:\s*[\p{L}\d]{0,15}>)+ ?/u, ''));
  const innerKinds = classifyLines(inner);
  return OPENS_HISTORY.has(innerKinds[skip(innerKinds, 0, 'empty')] ?? 'empty');
}

function replyEnd(kinds: readonly LineKind[], kept: boolean[], start: number): number {
  for (let index = start; index < kinds.length; index++) {
    const kind = kinds[index] ?? 'empty';
    if (ENDS_REPLY.has(kind)) return index;
    if (kind !== 'attribution') continue;
    const after = skip(kinds, index, 'attribution');
    if (!answeredInline(kinds, after)) return index;
    for (let dropped = index; dropped < after; dropped++) kept[dropped] = false;
    index = after - 1;
  }
  return kinds.length;
}

/** Does the person answer the quote that follows an attribution: text between quotes, or a real answer below? */
function answeredInline(kinds: readonly LineKind[], from: number): boolean {
  let index = skip(kinds, from, 'empty');
  if (kinds[index] !== 'quote') return false;
  let answerLines = 0;
  for (; index < kinds.length; index++) {
    const kind = kinds[index] ?? 'empty';
    if (ENDS_REPLY.has(kind) || kind === 'attribution') break;
    if (kind === 'quote' && answerLines > 0) return true;
    if (kind === 'text') answerLines++;
  }
  return answerLines >= MIN_ANSWER_LINES;
}

function dropTrailingLeftovers(lines: readonly string[], kinds: readonly LineKind[], kept: boolean[]): void {
  const firstText = kinds.findIndex((kind, index) => kept[index] && kind === 'text');
  let last = kept.lastIndexOf(true);
  while (last >= 0) {
    if (kinds[last] === 'empty' || RULE.test(lines[last] ?? '')) kept[last] = false;
    else if (kinds[last] === 'quote' && firstText >= 0 && firstText < last) last = dropQuoteEndingAt(kinds, kept, last);
    else return;
    while (last >= 0 && !kept[last]) last--;
  }
}

/** Drops the quote (and the blank lines inside it) that ends at `end`; returns where it started. */
function dropQuoteEndingAt(kinds: readonly LineKind[], kept: boolean[], end: number): number {
  let index = end;
  for (; index >= 0 && (kinds[index] === 'quote' || kinds[index] === 'empty'); index--) kept[index] = false;
  return index + 1;
}

/** The first index from `from` whose kind is not `kind`. */
function skip(kinds: readonly LineKind[], from: number, kind: LineKind | undefined): number {
  let index = from;
  while (index < kinds.length && kinds[index] === kind) index++;
  return index;
}

/** The end (exclusive) of the quote starting at `start`, blank lines inside it included. */
function quoteEnd(kinds: readonly LineKind[], start: number): number {
  let index = start;
  while (index < kinds.length && (kinds[index] === 'quote' || kinds[index] === 'empty')) index++;
  return index;
}
