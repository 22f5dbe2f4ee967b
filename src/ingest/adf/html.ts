// An email's HTML body as an ADF document. The HTML is parsed and walked; only nodes built here reach
// the document, so nothing of the HTML passes through: scripts, styles, event handlers, unsafe links
// and remote images are dropped by construction rather than filtered out.
import { blockquote, bulletList, codeBlock, doc, heading, listItem, orderedList, paragraph, rule, table, tableCell, tableRow } from './builders.js';
import { nonEmpty, tableToParagraphs } from './containers.js';
import { flatText, isElement, isHidden, isText, parseHtml, type ChildNode, type Element } from './dom.js';
import { imagePlaceholder, lookupImage, placeholderOf, type InlineImages } from './images.js';
import { inlineFromPieces, splitParagraphs, withoutControls, type Piece } from './inline.js';
import { code, em, link, strike, strong, subsup, underline } from './marks.js';
import { safeHref } from './autolink.js';
import type { AdfDoc, BlockNode, HeadingLevel, Mark, TableCellNode } from './types.js';

export interface HtmlToAdfOptions {
  /** The message's inline images by Content-ID, so that a `cid:` image shows its file name. */
  inlineImages?: InlineImages;
}

interface Context {
  marks: readonly Mark[];
  images: InlineImages | undefined;
  depth: number;
  listDepth: number;
  tableDepth: number;
}

type BlockHandler = (element: Element, context: Context) => BlockNode[];

// Deeper markup than this is shown as plain text: no mail client nests that far on purpose.
const MAX_DEPTH = 64;
// Jira's editor indents lists six levels at most; deeper items continue in the innermost list.
const MAX_LIST_DEPTH = 6;
const MAX_COLSPAN = 20;
const TABLE_STRUCTURE = new Set(['tr', 'thead', 'tbody', 'tfoot', 'colgroup', 'col']);

const TAG_MARKS: Record<string, Mark> = {
  b: strong, strong,
  i: em, em, cite: em, dfn: em, var: em,
  u: underline, ins: underline,
  s: strike, strike, del: strike,
  code, tt: code, kbd: code, samp: code,
  sub: subsup('sub'), sup: subsup('sup'),
};

/** Elements that start and end a paragraph but add nothing of their own. */
const PARAGRAPH_BREAKING = new Set([
  'p', 'div', 'section', 'article', 'header', 'footer', 'main', 'nav', 'aside', 'address', 'center', 'figure',
  'figcaption', 'details', 'summary', 'fieldset', 'legend', 'dl', 'dt', 'dd', 'caption', 'thead', 'tbody', 'tfoot',
  'tr', 'td', 'th', 'hgroup', 'body', 'html',
]);

const BLOCK_HANDLERS: Record<string, BlockHandler> = {
  h1: headingBlocks(1), h2: headingBlocks(2), h3: headingBlocks(3),
  h4: headingBlocks(4), h5: headingBlocks(5), h6: headingBlocks(6),
  pre: preBlocks, listing: preBlocks, xmp: preBlocks, plaintext: preBlocks,
  blockquote: quoteBlocks,
  ul: listBlocks(false), menu: listBlocks(false), dir: listBlocks(false), ol: listBlocks(true),
  li: (element, context) => [bulletList([listItem(blocksOf(element.children, context))])],
  hr: () => [rule()],
  table: tableBlocks,
};

export function htmlToAdf(html: string, options: HtmlToAdfOptions = {}): AdfDoc {
  const context: Context = { marks: [], images: options.inlineImages, depth: 0, listDepth: 0, tableDepth: 0 };
  return doc(blocksOf(parseHtml(html).children, context));
}

/** Collects a run of content: inline pieces wait until a block (or the end) closes their paragraph. */
class BlockSink {
  private readonly blocks: BlockNode[] = [];
  private pieces: Piece[] = [];

  text(value: string, marks: readonly Mark[]): void {
    this.pieces.push({ kind: 'text', text: value, marks });
  }

  lineBreak(): void {
    this.pieces.push({ kind: 'break' });
  }

  add(blocks: readonly BlockNode[]): void {
    this.endParagraph();
    this.blocks.push(...blocks);
  }

  endParagraph(): void {
    for (const pieces of splitParagraphs(this.pieces)) {
      const inline = inlineFromPieces(pieces);
      if (inline.length > 0) this.blocks.push(paragraph(inline));
    }
    this.pieces = [];
  }

  finish(): BlockNode[] {
    this.endParagraph();
    return this.blocks;
  }
}

function blocksOf(nodes: readonly ChildNode[], context: Context): BlockNode[] {
  const sink = new BlockSink();
  addNodes(nodes, context, sink);
  return sink.finish();
}

function addNodes(nodes: readonly ChildNode[], context: Context, sink: BlockSink): void {
  for (const node of nodes) {
    if (isText(node)) sink.text(node.data, context.marks);
    else if (isElement(node)) addElement(node, context, sink);
  }
}

function addElement(element: Element, context: Context, sink: BlockSink): void {
  if (isHidden(element)) return;
  if (context.depth >= MAX_DEPTH) {
    sink.text(flatText(element.children), context.marks);
    return;
  }
  const inner = { ...context, depth: context.depth + 1 };
  const handler = BLOCK_HANDLERS[element.name];
  if (handler) sink.add(handler(element, inner));
  else if (element.name === 'br') sink.lineBreak();
  else if (element.name === 'img') addImage(element, inner, sink);
  else if (PARAGRAPH_BREAKING.has(element.name)) {
    sink.endParagraph();
    addNodes(element.children, inner, sink);
    sink.endParagraph();
  } else addNodes(element.children, withMarksOf(element, inner), sink);
}

function withMarksOf(element: Element, context: Context): Context {
  const mark = element.name === 'a' ? linkOf(element) : TAG_MARKS[element.name];
  return mark ? { ...context, marks: [...context.marks, mark] } : context;
}

function linkOf(anchor: Element): Mark | undefined {
  const href = safeHref(anchor.attribs.href ?? '');
  return href ? link(href) : undefined;
}

function headingBlocks(level: HeadingLevel): BlockHandler {
  return (element, context) =>
    blocksOf(element.children, context).map((block) =>
      block.type === 'paragraph' && !placeholderOf(block) ? heading(level, block.content) : block,
    );
}

/** Preformatted text keeps its spaces and line breaks; a code block has no marks, so none are kept. */
function preBlocks(element: Element): BlockNode[] {
  const value = withoutControls(flatText(element.children, '\n').replace(/\r\n?/g, '\n'))
    .replace(/^\n/, '')
    .replace(/\s+$/, '');
  return value.trim() ? [codeBlock(value)] : [];
}

function quoteBlocks(element: Element, context: Context): BlockNode[] {
  const inner = blocksOf(element.children, context);
  return inner.length > 0 ? [blockquote(inner)] : [];
}

function listBlocks(ordered: boolean): BlockHandler {
  return (element, context) => {
    const items = listItemsOf(element, { ...context, listDepth: context.listDepth + 1 });
    if (context.listDepth >= MAX_LIST_DEPTH) return items.flat();
    const nodes = nonEmpty(items.map(listItem));
    if (!nodes) return [];
    return [ordered ? orderedList(nodes, startOf(element)) : bulletList(nodes)];
  };
}

/** Each `li`'s blocks; anything else in the list (a nested list outside any `li`) joins the item before it. */
function listItemsOf(list: Element, context: Context): BlockNode[][] {
  const items: BlockNode[][] = [];
  let stray: ChildNode[] = [];
  const addStray = () => {
    const blocks = blocksOf(stray, context);
    stray = [];
    if (blocks.length === 0) return;
    const last = items[items.length - 1];
    if (last) last.push(...blocks);
    else items.push(blocks);
  };
  for (const child of list.children) {
    if (isElement(child) && child.name === 'li') {
      addStray();
      items.push(blocksOf(child.children, context));
    } else stray.push(child);
  }
  addStray();
  return items.filter((blocks) => blocks.length > 0);
}

function startOf(list: Element): number | undefined {
  const start = Number(list.attribs.start);
  return Number.isInteger(start) && start >= 0 ? start : undefined;
}

function tableBlocks(element: Element, context: Context): BlockNode[] {
  const rows = rowsOf(element).map(cellsOf);
  // A caption, and whatever stands outside the rows (browsers show it above the table).
  const before = blocksOf(element.children.filter((child) => !isElement(child) || !TABLE_STRUCTURE.has(child.name)), context);
  if (isLayoutTable(element, rows)) return [...before, ...rows.flat().flatMap((cell) => blocksOf(cell.children, context))];
  const inner = { ...context, tableDepth: context.tableDepth + 1 };
  const built = rows.map((cells) => cells.flatMap((cell) => spanned(tableCell(blocksOf(cell.children, inner), cell.name === 'th'), cell)));
  const width = Math.max(0, ...built.map((cells) => cells.length));
  const tableRows = nonEmpty(built.flatMap((cells) => {
    const padded = nonEmpty([...cells, ...Array.from({ length: width - cells.length }, () => tableCell([]))]);
    return padded ? [tableRow(padded)] : [];
  }));
  if (!tableRows) return before;
  const dataTable = table(tableRows);
  // A table inside a table cell is not allowed in ADF: it shows as lines of text instead.
  return [...before, ...(context.tableDepth > 0 ? tableToParagraphs(dataTable) : [dataTable])];
}

/** Rows in document order, whether or not they sit in thead/tbody/tfoot; rows of nested tables excluded. */
function rowsOf(tableElement: Element): Element[] {
  return tableElement.children.filter(isElement).flatMap((child) => {
    if (child.name === 'tr') return [child];
    return ['thead', 'tbody', 'tfoot'].includes(child.name) ? child.children.filter(isElement).filter((row) => row.name === 'tr') : [];
  });
}

function cellsOf(row: Element): Element[] {
  return row.children.filter(isElement).filter((cell) => cell.name === 'td' || cell.name === 'th');
}

/** Tables that only lay out a newsletter (one column, or marked as presentation) are not data. */
function isLayoutTable(tableElement: Element, rows: Element[][]): boolean {
  return tableElement.attribs.role === 'presentation' || rows.every((cells) => cells.length <= 1);
}

/** A cell spanning columns, as the cell and empty cells after it, so that every row has the same width. */
function spanned(cell: TableCellNode, element: Element): TableCellNode[] {
  const span = Math.min(MAX_COLSPAN, Math.max(1, Math.trunc(Number(element.attribs.colspan)) || 1));
  return [cell, ...Array.from({ length: span - 1 }, () => tableCell([]))];
}

function addImage(image: Element, context: Context, sink: BlockSink): void {
  const src = (image.attribs.src ?? '').trim();
  const alt = (image.attribs.alt ?? image.attribs.title ?? '').replace(/\s+/g, ' ').trim();
  if (/^cid:/i.test(src)) {
    const cid = safeDecode(src.slice(4));
    const known = lookupImage(context.images, cid);
    sink.add([imagePlaceholder(cid, known?.filename || alt || cid, known?.attachmentId)]);
    return;
  }
  if (isTrackingPixel(image) || (!src && !alt)) return;
  // A remote image is never fetched: it shows as its description, linked to where it lives.
  const href = /^https?:/i.test(src) ? safeHref(src) : undefined;
  const linked = context.marks.some((mark) => mark.type === 'link');
  sink.text(alt ? `[image: ${alt}]` : '[image]', href && !linked ? [...context.marks, link(href)] : context.marks);
}

function isTrackingPixel(image: Element): boolean {
  return [image.attribs.width, image.attribs.height].some((size) => size !== undefined && Number.parseInt(size, 10) <= 2);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
