// Small constructors for ADF nodes. Each returns a node that is valid on its own: marks are
// normalised, containers fold in what they may not hold, and nothing is ever left empty where ADF
// requires content.
import { nonEmpty, toFlowContent, toListItemContent, toTableCellContent, type NonEmpty } from './containers.js';
import { normaliseMarks } from './marks.js';
import type {
  AdfDoc,
  BlockNode,
  BlockquoteNode,
  BulletListNode,
  CodeBlockNode,
  HardBreakNode,
  HeadingLevel,
  HeadingNode,
  InlineNode,
  ListItemNode,
  Mark,
  MediaSingleNode,
  OrderedListNode,
  ParagraphNode,
  RuleNode,
  TableCellNode,
  TableNode,
  TableRowNode,
  TextNode,
} from './types.js';

/** A document; never without a block, since Jira's editor requires one. */
export function doc(content: readonly BlockNode[]): AdfDoc {
  return { type: 'doc', version: 1, content: content.length > 0 ? [...content] : [paragraph()] };
}

export function paragraph(content: readonly InlineNode[] = []): ParagraphNode {
  return { type: 'paragraph', content: [...content] };
}

/** `value` must not be empty: ADF has no empty text node. */
export function text(value: string, marks: readonly Mark[] = []): TextNode {
  const normalised = normaliseMarks(marks);
  return normalised.length > 0 ? { type: 'text', text: value, marks: normalised } : { type: 'text', text: value };
}

export function hardBreak(): HardBreakNode {
  return { type: 'hardBreak' };
}

export function heading(level: HeadingLevel, content: readonly InlineNode[]): HeadingNode {
  return { type: 'heading', attrs: { level }, content: [...content] };
}

export function codeBlock(value: string, language?: string): CodeBlockNode {
  const content = value ? [{ type: 'text' as const, text: value }] : [];
  return language ? { type: 'codeBlock', attrs: { language }, content } : { type: 'codeBlock', content };
}

export function rule(): RuleNode {
  return { type: 'rule' };
}

export function blockquote(blocks: readonly BlockNode[]): BlockquoteNode {
  return { type: 'blockquote', content: nonEmpty(toFlowContent(blocks)) ?? [paragraph()] };
}

export function listItem(blocks: readonly BlockNode[]): ListItemNode {
  return { type: 'listItem', content: toListItemContent(blocks) };
}

export function bulletList(items: NonEmpty<ListItemNode>): BulletListNode {
  return { type: 'bulletList', content: items };
}

/** `order` is the number of the first item, as `<ol start>` gives it. */
export function orderedList(items: NonEmpty<ListItemNode>, order?: number): OrderedListNode {
  return order === undefined || order === 1
    ? { type: 'orderedList', content: items }
    : { type: 'orderedList', attrs: { order }, content: items };
}

export function tableCell(blocks: readonly BlockNode[], header = false): TableCellNode {
  return { type: header ? 'tableHeader' : 'tableCell', content: toTableCellContent(blocks) };
}

export function tableRow(cells: NonEmpty<TableCellNode>): TableRowNode {
  return { type: 'tableRow', content: cells };
}

export function table(rows: NonEmpty<TableRowNode>): TableNode {
  return { type: 'table', content: rows };
}

/** An image stored in Jira's media service, by its media file id (not the REST attachment id). */
export function mediaSingle(media: { id: string; collection: string; alt?: string }): MediaSingleNode {
  const attrs = { type: 'file' as const, id: media.id, collection: media.collection, ...(media.alt ? { alt: media.alt } : {}) };
  return { type: 'mediaSingle', attrs: { layout: 'center' }, content: [{ type: 'media', attrs }] };
}
