// Inline images (`<img src="cid:...">`) in an ADF document. ADF shows an image only as a `media`
// node that names a file in Jira's media service by its media file id, a UUID that Jira's REST API
// does not return when an attachment is uploaded (the numeric attachment id is something else). So
// the converter leaves, where the image stood, a paragraph reading "[image: filename]" that carries a
// marker (its localId); once the attachment is uploaded and its media id known, the pipeline calls
// replaceImagePlaceholders to turn each placeholder into a mediaSingle, or into plain text when the
// id is not known. The placeholder alone is valid ADF, so a document is never held back by an image.
import { emptyParagraph, mapNonEmpty } from './containers.js';
import { mediaSingle } from './builders.js';
import type { AdfDoc, BlockNode, ListItemNode, MediaSingleNode, ParagraphNode, TableCellNode } from './types.js';

export interface InlineImage {
  /** The Jira attachment the image was uploaded as, when the caller already knows it. */
  attachmentId?: string;
  filename: string;
}

/** Content-ID (without angle brackets) → the attachment it names. */
export type InlineImages = Map<string, InlineImage>;

export interface ImagePlaceholder {
  cid: string;
  attachmentId?: string;
}

/** Where Jira's media service holds a file: what a `media` node needs. */
export interface MediaRef {
  id: string;
  collection: string;
  alt?: string;
}

const MARKER = 'mailbridge-image:';

/** The image's entry, matching Content-IDs without regard to case as mail clients do. */
export function lookupImage(images: InlineImages | undefined, cid: string): InlineImage | undefined {
  if (!images) return undefined;
  const exact = images.get(cid);
  if (exact) return exact;
  const lower = cid.toLowerCase();
  for (const [key, value] of images) if (key.toLowerCase() === lower) return value;
  return undefined;
}

export function imagePlaceholder(cid: string, label: string, attachmentId?: string): ParagraphNode {
  const id = attachmentId ? `${encodeURIComponent(cid)}/${encodeURIComponent(attachmentId)}` : encodeURIComponent(cid);
  return { type: 'paragraph', attrs: { localId: MARKER + id }, content: [{ type: 'text', text: `[image: ${label}]` }] };
}

export function placeholderOf(paragraph: ParagraphNode): ImagePlaceholder | undefined {
  const localId = paragraph.attrs?.localId;
  if (!localId?.startsWith(MARKER)) return undefined;
  const [cid = '', attachmentId] = localId.slice(MARKER.length).split('/').map(decodeURIComponent);
  return attachmentId ? { cid, attachmentId } : { cid };
}

/** The inline images a document shows, in order, so that the pipeline knows which media ids to find. */
export function imagePlaceholders(doc: AdfDoc): ImagePlaceholder[] {
  const found: ImagePlaceholder[] = [];
  mapParagraphs(doc, (paragraph) => {
    const placeholder = placeholderOf(paragraph);
    if (placeholder) found.push(placeholder);
    return paragraph;
  });
  return found;
}

/**
 * The document with every placeholder replaced: by the image when `resolve` knows its media file,
 * otherwise by its "[image: filename]" text without the marker. Call it before sending the document.
 */
export function replaceImagePlaceholders(doc: AdfDoc, resolve: (image: ImagePlaceholder) => MediaRef | undefined): AdfDoc {
  return mapParagraphs(doc, (paragraph) => {
    const placeholder = placeholderOf(paragraph);
    if (!placeholder) return paragraph;
    const media = resolve(placeholder);
    return media ? mediaSingle(media) : { type: 'paragraph', content: paragraph.content };
  });
}

type ParagraphMapper = (paragraph: ParagraphNode) => ParagraphNode | MediaSingleNode;

function mapParagraphs(doc: AdfDoc, map: ParagraphMapper): AdfDoc {
  return { ...doc, content: doc.content.map((block) => mapBlock(block, map)) };
}

function mapBlock<T extends BlockNode>(block: T, map: ParagraphMapper): T | MediaSingleNode;
function mapBlock(block: BlockNode, map: ParagraphMapper): BlockNode {
  switch (block.type) {
    case 'paragraph':
      return map(block);
    case 'blockquote':
      return { ...block, content: mapNonEmpty(block.content, (child) => mapBlock(child, map)) };
    case 'bulletList':
    case 'orderedList':
      return { ...block, content: mapNonEmpty(block.content, (item) => mapListItem(item, map)) };
    case 'table':
      return {
        ...block,
        content: mapNonEmpty(block.content, (row) => ({ ...row, content: mapNonEmpty(row.content, (cell) => mapCell(cell, map)) })),
      };
    default:
      return block;
  }
}

function mapListItem(item: ListItemNode, map: ParagraphMapper): ListItemNode {
  const [first, ...rest] = item.content;
  const head = map(first);
  const tail = rest.map((child) => mapBlock(child, map));
  return { ...item, content: head.type === 'paragraph' ? [head, ...tail] : [emptyParagraph(), head, ...tail] };
}

function mapCell(cell: TableCellNode, map: ParagraphMapper): TableCellNode {
  return { ...cell, content: mapNonEmpty(cell.content, (child) => mapBlock(child, map)) };
}
