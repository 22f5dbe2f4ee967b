// Jira refuses a description or comment longer than 32,767 characters ("The entered text is too long.
// It exceeds the allowed limit of 32767 characters.", JRACLOUD-68949). For ADF the stored value is the
// document's JSON, so the size measured here is the JSON's length: whichever way Jira counts, a
// document that fits by this measure fits. fitToLimit cuts a long document between blocks (or inside
// the first block that does not fit, at a word or line) and says where the rest of the message is.
import { paragraph, text } from './builders.js';
import { nonEmpty, type NonEmpty } from './containers.js';
import type { AdfDoc, BlockNode, CodeBlockNode, HeadingNode, InlineNode, ParagraphNode } from './types.js';

export const JIRA_FIELD_LIMIT = 32_767;
export const TRUNCATION_NOTICE = '(The rest of this message is in the attached original.eml.)';

const ELLIPSIS = '…';
// A cut moves back to the last space only when that loses less than this many characters.
const WORD_SLACK = 40;

export function adfSize(node: unknown): number {
  return JSON.stringify(node).length;
}

/**
 * The document if it fits in `maxChars` (measured as JSON); otherwise as many whole blocks as fit,
 * then what fits of the next one, then a paragraph saying the rest is in the attached original.
 * A limit too small for the notice itself yields the notice alone.
 */
export function fitToLimit(doc: AdfDoc, maxChars: number = JIRA_FIELD_LIMIT): AdfDoc {
  if (adfSize(doc) <= maxChars) return doc;
  const notice = paragraph([text(TRUNCATION_NOTICE)]);
  let budget = maxChars - adfSize({ ...doc, content: [notice] });
  const kept: BlockNode[] = [];
  for (const block of doc.content) {
    // Every kept block adds its JSON and one comma.
    const cost = adfSize(block) + 1;
    if (cost <= budget) {
      kept.push(block);
      budget -= cost;
      continue;
    }
    const part = shrinkBlock(block, budget - 1);
    if (part) kept.push(part);
    break;
  }
  return { ...doc, content: [...kept, notice] };
}

function shrinkBlock<T extends BlockNode>(block: T, budget: number): T | undefined;
function shrinkBlock(block: BlockNode, budget: number): BlockNode | undefined {
  if (budget <= 0) return undefined;
  switch (block.type) {
    case 'paragraph':
    case 'heading':
      return shrinkInline(block, budget);
    case 'codeBlock':
      return shrinkCode(block, budget);
    case 'blockquote': {
      const content = fitPrefix(block.content, budget, (children) => ({ ...block, content: children }), shrinkBlock);
      return content && { ...block, content };
    }
    case 'bulletList':
    case 'orderedList': {
      const content = fitPrefix(block.content, budget, (items) => ({ ...block, content: items }), shrinkListItem);
      return content && { ...block, content };
    }
    case 'table': {
      const content = fitPrefix(block.content, budget, (rows) => ({ ...block, content: rows }));
      return content && { ...block, content };
    }
    case 'rule':
    case 'mediaSingle':
      return undefined;
  }
}

function shrinkListItem<T extends { type: 'listItem'; content: [ParagraphNode, ...BlockNode[]] }>(item: T, budget: number): T | undefined {
  const content = fitPrefix<BlockNode>(item.content, budget, (children) => ({ ...item, content: children }), shrinkBlock);
  const [first, ...rest] = content ?? [];
  return first?.type === 'paragraph' ? { ...item, content: [first, ...rest] } : undefined;
}

/** The longest prefix of `items` whose container, built by `shell`, fits; the last item shrunk if it helps. */
function fitPrefix<T>(
  items: NonEmpty<T>,
  budget: number,
  shell: (items: NonEmpty<T>) => unknown,
  shrinkItem?: (item: T, budget: number) => T | undefined,
): NonEmpty<T> | undefined {
  let remaining = budget - (adfSize(shell([items[0]])) - adfSize(items[0]));
  const kept: T[] = [];
  for (const item of items) {
    const cost = adfSize(item) + (kept.length > 0 ? 1 : 0);
    if (cost <= remaining) {
      kept.push(item);
      remaining -= cost;
      continue;
    }
    const part = shrinkItem?.(item, remaining - (kept.length > 0 ? 1 : 0));
    if (part) kept.push(part);
    break;
  }
  return nonEmpty(kept);
}

function shrinkInline<T extends ParagraphNode | HeadingNode>(block: T, budget: number): T | undefined {
  const total = block.content.reduce((sum, node) => sum + (node.type === 'text' ? node.text.length : 1), 0);
  const cut = largestFitting(total, (keep) => ({ ...block, content: truncateInline(block.content, keep) }), budget);
  return cut && cut.content.length > 0 ? cut : undefined;
}

function shrinkCode(block: CodeBlockNode, budget: number): CodeBlockNode | undefined {
  const value = block.content.map((node) => node.text).join('');
  const cut = largestFitting(value.length, (keep) => ({ ...block, content: [{ type: 'text' as const, text: truncateCode(value, keep) }] }), budget);
  return cut && cut.content[0]?.text !== ELLIPSIS ? cut : undefined;
}

/** Binary search for the largest `keep` whose node fits; undefined when not even a cut at 1 fits. */
function largestFitting<T>(total: number, build: (keep: number) => T, budget: number): T | undefined {
  let low = 1;
  let high = total;
  let best: T | undefined;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const candidate = build(middle);
    if (adfSize(candidate) <= budget) {
      best = candidate;
      low = middle + 1;
    } else high = middle - 1;
  }
  return best;
}

/** The first `keep` characters of the inline content (a line break counting as one), then an ellipsis. */
function truncateInline(content: readonly InlineNode[], keep: number): InlineNode[] {
  const out: InlineNode[] = [];
  let left = keep;
  for (const node of content) {
    if (left <= 0) break;
    if (node.type === 'hardBreak') {
      out.push(node);
      left -= 1;
      continue;
    }
    const value = node.text.length <= left ? node.text : atWord(cutSafely(node.text, left));
    if (value) out.push({ ...node, text: value });
    left -= node.text.length;
  }
  while (out[out.length - 1]?.type === 'hardBreak') out.pop();
  const last = out[out.length - 1];
  if (last?.type === 'text') last.text = `${last.text.trimEnd()}${ELLIPSIS}`;
  return out;
}

function truncateCode(value: string, keep: number): string {
  const cut = cutSafely(value, keep);
  const lineEnd = cut.lastIndexOf('\n');
  return `${lineEnd > 0 ? cut.slice(0, lineEnd + 1) : cut}${ELLIPSIS}`;
}

/** `value` cut to `length` code units without splitting a surrogate pair (an emoji, say). */
function cutSafely(value: string, length: number): string {
  const code = value.charCodeAt(length - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

function atWord(value: string): string {
  const space = value.search(/\s\S*$/);
  return space > 0 && value.length - space < WORD_SLACK ? value.slice(0, space) : value;
}
