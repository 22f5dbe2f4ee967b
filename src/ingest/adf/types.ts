// The part of the Atlassian Document Format (ADF) that Mailbridge writes into Jira descriptions and
// comments. The types encode what the schema and Jira's editor require of each container, so that a
// document that type-checks is, as far as types can say it, one Jira accepts.

export type Mark =
  | { type: 'strong' }
  | { type: 'em' }
  | { type: 'underline' }
  | { type: 'strike' }
  | { type: 'code' }
  | { type: 'subsup'; attrs: { type: 'sub' | 'sup' } }
  | { type: 'link'; attrs: { href: string } };

export type MarkType = Mark['type'];

export interface TextNode {
  type: 'text';
  /** Never empty: ADF rejects empty text nodes. */
  text: string;
  marks?: Mark[];
}

export interface HardBreakNode {
  type: 'hardBreak';
}

export type InlineNode = TextNode | HardBreakNode;

export interface ParagraphNode {
  type: 'paragraph';
  /** Only set on an image placeholder (see images.ts). */
  attrs?: { localId: string };
  content: InlineNode[];
}

export type HeadingLevel = 1 | 2 | 3 | 4 | 5 | 6;

export interface HeadingNode {
  type: 'heading';
  attrs: { level: HeadingLevel };
  content: InlineNode[];
}

/** Text in a code block carries no marks. */
export interface PlainTextNode {
  type: 'text';
  text: string;
}

export interface CodeBlockNode {
  type: 'codeBlock';
  attrs?: { language: string };
  content: PlainTextNode[];
}

export interface RuleNode {
  type: 'rule';
}

export interface MediaNode {
  type: 'media';
  attrs: { type: 'file'; id: string; collection: string; alt?: string };
}

export interface MediaSingleNode {
  type: 'mediaSingle';
  attrs: { layout: 'center' };
  content: [MediaNode];
}

/** What a list item may hold after its first paragraph. */
export type ListItemChild = ParagraphNode | BulletListNode | OrderedListNode | CodeBlockNode | MediaSingleNode;

export interface ListItemNode {
  type: 'listItem';
  /** Starts with a paragraph, as Jira's editor expects. */
  content: [ParagraphNode, ...ListItemChild[]];
}

export interface BulletListNode {
  type: 'bulletList';
  content: [ListItemNode, ...ListItemNode[]];
}

export interface OrderedListNode {
  type: 'orderedList';
  attrs?: { order: number };
  content: [ListItemNode, ...ListItemNode[]];
}

export type BlockquoteChild = ParagraphNode | BulletListNode | OrderedListNode | CodeBlockNode | MediaSingleNode;

export interface BlockquoteNode {
  type: 'blockquote';
  content: [BlockquoteChild, ...BlockquoteChild[]];
}

/** What a table cell may hold: anything but another table. */
export type TableCellChild =
  | ParagraphNode
  | HeadingNode
  | BlockquoteNode
  | BulletListNode
  | OrderedListNode
  | CodeBlockNode
  | RuleNode
  | MediaSingleNode;

export interface TableCellNode {
  type: 'tableCell' | 'tableHeader';
  content: [TableCellChild, ...TableCellChild[]];
}

export interface TableRowNode {
  type: 'tableRow';
  content: [TableCellNode, ...TableCellNode[]];
}

export interface TableNode {
  type: 'table';
  content: [TableRowNode, ...TableRowNode[]];
}

export type BlockNode =
  | ParagraphNode
  | HeadingNode
  | CodeBlockNode
  | RuleNode
  | BlockquoteNode
  | BulletListNode
  | OrderedListNode
  | TableNode
  | MediaSingleNode;

export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: BlockNode[];
}
