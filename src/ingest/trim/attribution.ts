// The line a mail client writes above the message it quotes: "On Mon, 1 Feb 2016 at 18:32, Jeff
// <jeff@example.com> wrote:", in any language, often wrapped over several lines by the client.
import { ATTRIBUTION_LEAD, ATTRIBUTION_VERB } from './patterns.js';

export interface Span {
  start: number;
  /** Inclusive. */
  end: number;
}

// Clients wrap an attribution over at most a few lines (some put blank lines inside it).
const MAX_LINES = 6;
const MAX_LENGTH = 400;
const MAX_DATE_LINE_LENGTH = 160;
// 2016-03-03, 2013/7/20, 2025年2月3日: how Gmail starts an attribution in some languages, without a verb.
const ISO_DATE = /^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)|\d{4}年\d{1,2}月\d{1,2}日)/;
const BRACKETED_EMAIL = /<[^<>\s]+@[^<>\s]+>/;

/** Could an attribution begin with this line: a lead word, a date, a weekday, or a name and address with the verb? */
function startsAttribution(line: string): boolean {
  const value = line.trim();
  if (!value || value.startsWith('>')) return false;
  return (
    ATTRIBUTION_LEAD.test(value) ||
    /^\d/.test(value) ||
    /^\p{L}+,\s*\d/u.test(value) ||
    (BRACKETED_EMAIL.test(value) && ATTRIBUTION_VERB.test(value))
  );
}

/** Is the (joined) text a whole attribution: short, with a date or address, the verb, and a final colon? */
export function isAttribution(text: string): boolean {
  const value = text.replace(/\s+/g, ' ').trim();
  if (value.length > MAX_LENGTH || !/[:：]$/.test(value) || !/[\d@]/.test(value)) return false;
  return ATTRIBUTION_VERB.test(value) || (ISO_DATE.test(value) && value.includes('@'));
}

/** Gmail's older attribution without verb or colon: "2016-03-03 17:21 GMT+01:00 Some One". */
function isDateAttribution(line: string): boolean {
  const value = line.trim();
  return value.length <= MAX_DATE_LINE_LENGTH && ISO_DATE.test(value) && /\d:\d\d|@/.test(value) && !/[.!?]$/.test(value);
}

/**
 * The attributions among the lines. An attribution is found by its last line (the colon); its first
 * line is the latest one above that can start it, so that "On this day" three paragraphs up does not
 * swallow the text in between.
 */
export function findAttributions(lines: readonly string[], usable: (index: number) => boolean): Span[] {
  const spans: Span[] = [];
  for (let end = 0; end < lines.length; end++) {
    const previousEnd = spans[spans.length - 1]?.end ?? -1;
    if (!usable(end)) continue;
    const start = attributionStart(lines, end, previousEnd + 1, usable) ?? (isolatedDateLine(lines, end) ? end : undefined);
    if (start !== undefined) spans.push({ start, end });
  }
  return spans;
}

function attributionStart(lines: readonly string[], end: number, floor: number, usable: (index: number) => boolean): number | undefined {
  if (!/[:：]\s*$/.test(lines[end] ?? '')) return undefined;
  for (let start = end; start >= Math.max(floor, end - MAX_LINES + 1) && usable(start); start--) {
    if (startsAttribution(lines[start] ?? '') && isAttribution(lines.slice(start, end + 1).join(' '))) return start;
  }
  return undefined;
}

/** The verbless form is only trusted standing alone, with a blank line (or a quote) around it. */
function isolatedDateLine(lines: readonly string[], index: number): boolean {
  const before = lines[index - 1];
  const after = lines[index + 1];
  return (
    isDateAttribution(lines[index] ?? '') &&
    (before === undefined || !before.trim()) &&
    (after === undefined || !after.trim() || after.trimStart().startsWith('>'))
  );
}
