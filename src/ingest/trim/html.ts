// Reply trimming for HTML bodies, on the parsed DOM. Mail clients mark what they quote: Gmail's
// div.gmail_quote, Apple Mail's and Thunderbird's blockquote type=cite, Outlook's #appendonsend and
// #divRplyFwdMsg (or a bordered div opening with "From: ... Sent: ..."), Yahoo's .yahoo_quoted, new
// Outlook's #mail-editor-reference-message-container. The rules are the plain-text ones: history is
// cut where it starts, a quote is dropped only when nothing the person wrote follows it (so inline
// answers stay), and nothing is dropped from a message that is only history (a forward).
import { descendants, findNode, flatText, isElement, isText, isVisible, nestingDepth, parseHtml, removeNode, serialize } from '../adf/dom.js';
import type { ChildNode, Document, Element, ParentNode } from '../adf/dom.js';
import { isAttribution } from './attribution.js';
import { headerBlockEnd } from './headers.js';
import { isSeparatorLine, isSignatureLine } from './lines.js';

export interface HtmlTrimResult {
  /** The HTML without the quoted history and the signature; the input itself when nothing was removed. */
  trimmed: string;
  /** The removed markup, in document order. */
  elided: string;
}

/** Elements after which everything is history. */
const HISTORY_IDS = /(?:^|_)(?:appendonsend|divRplyFwdMsg|OLK_SRC_BODY_SECTION|mail-editor-reference-message-container|stopSpelling)$/i;
const QUOTE_CLASSES = ['gmail_quote', 'gmail_quote_container', 'yahoo_quoted', 'protonmail_quote', 'moz-forward-container'];
/** Gmail's wrapper, which also holds the person's answers when they reply inline. */
const ANSWERABLE_CLASSES = ['gmail_quote', 'gmail_quote_container'];
const ATTRIBUTION_CLASSES = ['gmail_attr', 'moz-cite-prefix'];
const SIGNATURE_CLASSES = ['gmail_signature', 'moz-signature'];
const SIGNATURE_IDS = /^signature$/i;
const TEXT_BLOCKS = new Set(['div', 'p']);
const LINE_BREAKING = new Set(['br', 'p', 'div', 'tr', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'blockquote']);
// Enough of an element's text to see whether it opens with a header block.
const HEAD_TEXT_LENGTH = 600;
const MAX_ATTRIBUTION_TEXT = 400;
// The DOM is serialised recursively; beyond this depth the message is left as it is.
const MAX_TRIMMABLE_DEPTH = 400;

export function trimHtmlReply(html: string): HtmlTrimResult {
  const document = parseHtml(html);
  if (nestingDepth(document.children) > MAX_TRIMMABLE_DEPTH) return { trimmed: html, elided: '' };
  const position = new Map([...descendants(document)].map((node, index) => [node, index]));
  const removed: ChildNode[] = [];
  cutAtHistory(document, removed);
  // A signature can stand below the quote (Thunderbird) or above it (Gmail): each cut can expose the other.
  for (let count = -1; count !== removed.length; ) {
    count = removed.length;
    dropTrailingQuotes(document, removed);
    cutAtSignature(document, removed);
  }
  dropInlineAttributions(document, removed);
  if (removed.length === 0) return { trimmed: html, elided: '' };
  dropTrailingBlanks(document, removed);
  removed.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
  return { trimmed: serialize(document), elided: serialize(removed) };
}

function cutAtHistory(document: Document, removed: ChildNode[]): void {
  const marker = findNode(descendants(document), (node) => isElement(node) && !insideQuote(node) && opensHistory(node));
  if (marker && visibleBefore(marker)) cutFrom(marker, removed);
}

function opensHistory(element: Element): boolean {
  if (HISTORY_IDS.test(element.attribs.id ?? '')) return true;
  if (!TEXT_BLOCKS.has(element.name)) return false;
  const lines = headLines(element);
  const first = lines[0] ?? '';
  return isSeparatorLine(first) || headerBlockEnd(lines, 0) !== undefined;
}

/** The element's first lines of text, as a mail client would break them. */
function headLines(element: Element): string[] {
  let value = '';
  for (const node of descendants(element)) {
    if (value.length > HEAD_TEXT_LENGTH) break;
    if (isText(node)) value += node.data.replace(/\s+/g, ' ');
    else if (isElement(node) && LINE_BREAKING.has(node.name)) value += '\n';
  }
  return value.split('\n').map((line) => line.trim()).filter(Boolean);
}

/**
 * Removes the quotes that only history follows, while something the person wrote comes before them.
 * Walking back from the end, each removal can leave the quote before it trailing in turn.
 */
function dropTrailingQuotes(document: Document, removed: ChildNode[]): void {
  const quotes = [...descendants(document)].filter((node): node is Element => isElement(node) && isQuote(node));
  for (const quote of quotes.reverse()) {
    if (visibleAfter(quote) || !quotesOnly(quote) || !visibleBefore(quote)) continue;
    for (const node of [...attributionBefore(quote), quote]) {
      removeNode(node);
      removed.push(node);
    }
  }
}

/** Where the person answered inside Gmail's wrapper, its "On ... wrote:" goes, as in plain text. */
function dropInlineAttributions(document: Document, removed: ChildNode[]): void {
  const wrappers = [...descendants(document)].filter((node): node is Element => isElement(node) && isAnswered(node));
  for (const wrapper of wrappers) {
    for (const child of wrapper.children.filter((node) => isElement(node) && hasClass(node, ATTRIBUTION_CLASSES))) {
      removeNode(child);
      removed.push(child);
    }
  }
}

/** Gmail's wrapper holding both quotes and the person's words (a forward holds no quote). */
function isAnswered(wrapper: Element): boolean {
  if (!hasClass(wrapper, ANSWERABLE_CLASSES) || quotesOnly(wrapper)) return false;
  return findNode(descendants(wrapper), (node) => isElement(node) && node.name === 'blockquote') !== undefined;
}

/** A client's quote container, or any blockquote right under an "On ... wrote:". */
function isQuote(element: Element): boolean {
  if (hasClass(element, QUOTE_CLASSES)) return true;
  if (element.name !== 'blockquote') return false;
  return (element.attribs.type ?? '').toLowerCase() === 'cite' || attributionBefore(element).length > 0;
}

/** Gmail's wrapper with the person's words between its quotes is an inline answer, not a quote. */
function quotesOnly(quote: Element): boolean {
  if (quote.name === 'blockquote' || !hasClass(quote, ANSWERABLE_CLASSES)) return true;
  const stack = [...quote.children];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (isText(node) && isVisible(node)) return false;
    if (isElement(node) && !isQuote(node) && node.name !== 'blockquote' && !isAttributionNode(node)) stack.push(...node.children);
  }
  return true;
}

/** The "On ... wrote:" just above a quote, with the blank lines between them. */
function attributionBefore(quote: Element): ChildNode[] {
  const blanks: ChildNode[] = [];
  for (let node = quote.prev; node; node = node.prev) {
    if (!isVisible(node)) blanks.push(node);
    else return isAttributionNode(node) ? [node, ...blanks] : [];
  }
  return [];
}

function isAttributionNode(node: ChildNode): boolean {
  if (isElement(node) && hasClass(node, ATTRIBUTION_CLASSES)) return true;
  const value = isText(node) ? node.data : isElement(node) ? flatText(node.children) : '';
  return value.length <= MAX_ATTRIBUTION_TEXT && isAttribution(value);
}

/** Removes a signature container, or everything from a "-- " or "Sent from my iPhone" line on. */
function cutAtSignature(document: Document, removed: ChildNode[]): void {
  const start = findNode(
    descendants(document),
    (node) => !insideQuote(node) && (isText(node) ? isSignatureLine(node.data) : isElement(node) && isSignatureContainer(node)),
  );
  if (start && visibleBefore(start)) cutFrom(start, removed);
}

function isSignatureContainer(element: Element): boolean {
  return hasClass(element, SIGNATURE_CLASSES) || element.attribs['data-smartmail'] === 'gmail_signature' || SIGNATURE_IDS.test(element.attribs.id ?? '');
}

/** Empty paragraphs, breaks and rules that the cuts left at the end. */
function dropTrailingBlanks(parent: ParentNode, removed: ChildNode[]): void {
  for (let last = parent.children[parent.children.length - 1]; last; last = parent.children[parent.children.length - 1]) {
    if (isVisible(last)) {
      if (isElement(last)) dropTrailingBlanks(last, removed);
      return;
    }
    removeNode(last);
    removed.push(last);
  }
}

/** Removes `node` and everything after it in document order. */
function cutFrom(node: ChildNode, removed: ChildNode[]): void {
  const doomed: ChildNode[] = [node];
  for (let current: ChildNode | null = node; current; current = parentOf(current)) {
    for (let next = current.next; next; next = next.next) doomed.push(next);
  }
  for (const doomedNode of doomed) {
    removeNode(doomedNode);
    removed.push(doomedNode);
  }
}

function visibleAfter(node: ChildNode): boolean {
  for (let current: ChildNode | null = node; current; current = parentOf(current)) {
    for (let next = current.next; next; next = next.next) if (isVisible(next)) return true;
  }
  return false;
}

function visibleBefore(node: ChildNode): boolean {
  for (let current: ChildNode | null = node; current; current = parentOf(current)) {
    for (let previous = current.prev; previous; previous = previous.prev) if (isVisible(previous)) return true;
  }
  return false;
}

function parentOf(node: ChildNode): Element | null {
  const parent = node.parent;
  return parent && isElement(parent) ? parent : null;
}

function insideQuote(node: ChildNode): boolean {
  for (let current = parentOf(node); current; current = parentOf(current)) if (isQuote(current)) return true;
  return false;
}

function hasClass(element: Element, classes: readonly string[]): boolean {
  const own = (element.attribs.class ?? '').split(/\s+/);
  return classes.some((name) => own.includes(name));
}
