// What each ADF container may hold, and how a block it may not hold is folded into one it may: a
// heading in a list item becomes a paragraph, a quote inside a quote gives up its border, a table in
// a table becomes rows of text. The converters build freely and let these functions make it valid.
import type {
  BlockNode,
  BlockquoteChild,
  InlineNode,
  ListItemNode,
  ParagraphNode,
  TableCellChild,
  TableNode,
} from './types.js';

export type NonEmpty<T> = [T, ...T[]];

const CELL_SEPARATOR = ' | ';

export function nonEmpty<T>(items: T[]): NonEmpty<T> | undefined {
  const [first, ...rest] = items;
  return first === undefined ? undefined : [first, ...rest];
}

export function mapNonEmpty<T, U>(items: NonEmpty<T>, map: (item: T) => U): NonEmpty<U> {
  const [first, ...rest] = items;
  return [map(first), ...rest.map(map)];
}

export function emptyParagraph(): ParagraphNode {
  return { type: 'paragraph', content: [] };
}

/** Blocks for a list item or a quote: paragraphs, lists, code, images. */
export function toFlowContent(blocks: readonly BlockNode[]): BlockquoteChild[] {
  return blocks.flatMap((block): BlockquoteChild[] => {
    switch (block.type) {
      case 'paragraph':
      case 'bulletList':
      case 'orderedList':
      case 'codeBlock':
      case 'mediaSingle':
        return [block];
      case 'heading':
        return [{ type: 'paragraph', content: block.content }];
      case 'blockquote':
        return block.content;
      case 'table':
        return tableToParagraphs(block);
      case 'rule':
        return [];
    }
  });
}

/** A list item's content, which must start with a paragraph (an empty one when it has none). */
export function toListItemContent(blocks: readonly BlockNode[]): ListItemNode['content'] {
  const [first, ...rest] = toFlowContent(blocks);
  if (first?.type === 'paragraph') return [first, ...rest];
  return first === undefined ? [emptyParagraph()] : [emptyParagraph(), first, ...rest];
}

export function toTableCellContent(blocks: readonly BlockNode[]): NonEmpty<TableCellChild> {
  const children = blocks.flatMap((block): TableCellChild[] => (block.type === 'table' ? tableToParagraphs(block) : [block]));
  return nonEmpty(children) ?? [emptyParagraph()];
}

/** One paragraph per row, the cells' text side by side: how a table shows where no table may stand. */
export function tableToParagraphs(table: TableNode): ParagraphNode[] {
  return table.content.flatMap((row) => {
    const cells = row.content.map((cell) => inlineOf(cell.content)).filter((inline) => inline.length > 0);
    const content = cells.flatMap((inline, index) => (index === 0 ? inline : [{ type: 'text' as const, text: CELL_SEPARATOR }, ...inline]));
    return content.length > 0 ? [{ type: 'paragraph' as const, content }] : [];
  });
}

/** The inline content of blocks run together, a line break between blocks. */
function inlineOf(blocks: readonly BlockNode[]): InlineNode[] {
  const lines = blocks.map(inlineOfBlock).filter((inline) => inline.length > 0);
  return lines.flatMap((inline, index) => (index === 0 ? inline : [{ type: 'hardBreak' as const }, ...inline]));
}

function inlineOfBlock(block: BlockNode): InlineNode[] {
  switch (block.type) {
    case 'paragraph':
    case 'heading':
      return block.content;
    case 'codeBlock':
      return linesAsInline(block.content.map((node) => node.text).join(''));
    case 'blockquote':
      return inlineOf(block.content);
    case 'bulletList':
    case 'orderedList':
      return inlineOf(block.content.map((item) => ({ type: 'paragraph' as const, content: inlineOf(item.content) })));
    case 'table':
      return inlineOf(tableToParagraphs(block));
    case 'rule':
    case 'mediaSingle':
      return [];
  }
}

function linesAsInline(text: string): InlineNode[] {
  return text.split('\n').flatMap((line, index): InlineNode[] => {
    const parts: InlineNode[] = index === 0 ? [] : [{ type: 'hardBreak' }];
    return line ? [...parts, { type: 'text', text: line }] : parts;
  });
}
