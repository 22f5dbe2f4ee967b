// Runs of formatted text as a browser lays them out: whitespace collapses to one space and none is
// left at the start or end of a line; adjacent runs with the same marks merge; plain addresses in
// the text become links. Also where a blank line (two line breaks) ends a paragraph.
import { autolink } from './autolink.js';
import { link, normaliseMarks, sameMarks } from './marks.js';
import type { InlineNode, Mark, TextNode } from './types.js';

export type Piece = { kind: 'text'; text: string; marks: readonly Mark[] } | { kind: 'break' };

const COLLAPSIBLE = /[ \t\n\r\f\v]+/g;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\ufeff]/g;
const BLANK = /^[\s\u200b\u200c\ufeff]*$/;

/** Text without the control and zero-width characters that have no business in a Jira document. */
export function withoutControls(text: string): string {
  return text.replace(CONTROL, '');
}

/** The pieces cut into paragraphs wherever two or more line breaks follow each other. */
export function splitParagraphs(pieces: readonly Piece[]): Piece[][] {
  const paragraphs: Piece[][] = [[]];
  let breaks: Piece[] = [];
  for (const piece of pieces) {
    if (piece.kind === 'break') breaks.push(piece);
    else if (breaks.length > 0 && BLANK.test(piece.text)) continue;
    else {
      if (breaks.length >= 2) paragraphs.push([]);
      else paragraphs[paragraphs.length - 1]?.push(...breaks);
      breaks = [];
      paragraphs[paragraphs.length - 1]?.push(piece);
    }
  }
  return paragraphs;
}

/** The inline nodes of one paragraph; empty when the pieces hold nothing visible. */
export function inlineFromPieces(pieces: readonly Piece[]): InlineNode[] {
  const laidOut = layOut(pieces);
  if (laidOut.every((node) => node.type === 'hardBreak' || BLANK.test(node.text))) return [];
  return merge(laidOut).flatMap(linkify);
}

function layOut(pieces: readonly Piece[]): InlineNode[] {
  const out: InlineNode[] = [];
  let atLineStart = true;
  for (const piece of pieces) {
    if (piece.kind === 'break') {
      trimLineEnd(out);
      out.push({ type: 'hardBreak' });
      atLineStart = true;
      continue;
    }
    let value = withoutControls(piece.text).replace(COLLAPSIBLE, ' ');
    if (atLineStart || endsWithSpace(out)) value = value.replace(/^ /, '');
    if (!value) continue;
    out.push(textNode(value, piece.marks));
    atLineStart = false;
  }
  trimLineEnd(out);
  return withoutOuterBreaks(out);
}

function textNode(value: string, marks: readonly Mark[]): TextNode {
  const normalised = normaliseMarks(marks);
  return normalised.length > 0 ? { type: 'text', text: value, marks: normalised } : { type: 'text', text: value };
}

function endsWithSpace(nodes: readonly InlineNode[]): boolean {
  const last = nodes[nodes.length - 1];
  return last?.type === 'text' && last.text.endsWith(' ');
}

function trimLineEnd(nodes: InlineNode[]): void {
  for (let last = nodes[nodes.length - 1]; last?.type === 'text'; last = nodes[nodes.length - 1]) {
    last.text = last.text.replace(/ $/, '');
    if (last.text) return;
    nodes.pop();
  }
}

function withoutOuterBreaks(nodes: InlineNode[]): InlineNode[] {
  let start = 0;
  let end = nodes.length;
  while (start < end && nodes[start]?.type === 'hardBreak') start++;
  while (end > start && nodes[end - 1]?.type === 'hardBreak') end--;
  return nodes.slice(start, end);
}

function merge(nodes: readonly InlineNode[]): InlineNode[] {
  const out: InlineNode[] = [];
  for (const node of nodes) {
    const last = out[out.length - 1];
    if (node.type === 'text' && last?.type === 'text' && sameMarks(last.marks, node.marks)) last.text += node.text;
    else out.push(node.type === 'text' ? { ...node } : node);
  }
  return out;
}

/** Addresses in text that is neither a link already nor code. */
function linkify(node: InlineNode): InlineNode[] {
  if (node.type !== 'text' || node.marks?.some((mark) => mark.type === 'link' || mark.type === 'code')) return [node];
  const marks = node.marks ?? [];
  return autolink(node.text).map((segment) => textNode(segment.text, segment.href ? [...marks, link(segment.href)] : marks));
}
