// A plain-text email body as an ADF document, read the way people write plain text: a blank line
// ends a paragraph, a single newline is a line break, addresses are links, ``` fences hold code,
// runs of "- " / "* " / "1. " lines are lists and "> " lines a quote.
import { autolink } from './autolink.js';
import { blockquote, bulletList, codeBlock, doc, hardBreak, listItem, orderedList, paragraph, text } from './builders.js';
import { nonEmpty } from './containers.js';
import { withoutControls } from './inline.js';
import { link } from './marks.js';
import type { AdfDoc, BlockNode, InlineNode } from './types.js';

type LineRole = 'bullet' | 'number' | 'quote' | 'text';

const BULLET = /^\s*[-*•]\s+(?=\S)/u;
const NUMBER = /^\s*(\d{1,4})[.)]\s+(?=\S)/;
const QUOTE_PREFIX = /^(?:\s*>)+ ?/;
const FENCE = /^\s*(```|~~~)\s*([\w+#.-]*)\s*$/;
// One "1. Introduction" line is more likely a heading than a list.
const MIN_LIST_ITEMS = 2;

export function textToAdf(value: string): AdfDoc {
  return doc(blocksOfLines(withoutControls(value).replace(/\r\n?/g, '\n').split('\n')));
}

function blocksOfLines(lines: readonly string[]): BlockNode[] {
  const blocks: BlockNode[] = [];
  let index = 0;
  while (index < lines.length) {
    const close = closingFence(lines, index);
    if (close !== undefined) {
      const language = FENCE.exec(lines[index] ?? '')?.[2];
      blocks.push(codeBlock(lines.slice(index + 1, close).join('\n'), language || undefined));
      index = close + 1;
      continue;
    }
    const end = chunkEnd(lines, index);
    blocks.push(...chunkBlocks(lines.slice(index, end)));
    index = end;
  }
  return blocks;
}

/** Where the fence opened at `start` closes; undefined when `start` opens none, or none that closes. */
function closingFence(lines: readonly string[], start: number): number | undefined {
  const fence = FENCE.exec(lines[start] ?? '')?.[1];
  if (!fence) return undefined;
  for (let index = start + 1; index < lines.length; index++) {
    if (lines[index]?.trim() === fence) return index;
  }
  return undefined;
}

/** The end of the chunk at `start`: the next blank line or fence. */
function chunkEnd(lines: readonly string[], start: number): number {
  let index = start;
  if (!lines[index]?.trim()) return index + 1;
  while (index < lines.length && lines[index]?.trim() && (index === start || closingFence(lines, index) === undefined)) index++;
  return index;
}

/** The blocks of lines between blank lines: runs of quote or list lines, the rest as one paragraph each. */
function chunkBlocks(lines: readonly string[]): BlockNode[] {
  const blocks: BlockNode[] = [];
  let prose: string[] = [];
  const endProse = () => {
    if (prose.length > 0) blocks.push(paragraph(inlineOfLines(prose)));
    prose = [];
  };
  for (const run of runsOf(lines)) {
    const asBlock = runBlock(run.role, run.lines);
    if (asBlock) {
      endProse();
      blocks.push(asBlock);
    } else prose.push(...run.lines);
  }
  endProse();
  return blocks;
}

function runsOf(lines: readonly string[]): { role: LineRole; lines: string[] }[] {
  const runs: { role: LineRole; lines: string[] }[] = [];
  for (const line of lines.filter((candidate) => candidate.trim())) {
    const role = roleOf(line);
    const last = runs[runs.length - 1];
    if (last?.role === role) last.lines.push(line);
    else runs.push({ role, lines: [line] });
  }
  return runs;
}

function roleOf(line: string): LineRole {
  if (/^\s*>/.test(line)) return 'quote';
  if (BULLET.test(line)) return 'bullet';
  if (NUMBER.test(line)) return 'number';
  return 'text';
}

function runBlock(role: LineRole, lines: string[]): BlockNode | undefined {
  if (role === 'quote') return blockquote(blocksOfLines(lines.map((line) => line.replace(QUOTE_PREFIX, ''))));
  if (role === 'text' || lines.length < MIN_LIST_ITEMS) return undefined;
  const marker = role === 'bullet' ? BULLET : NUMBER;
  const items = nonEmpty(lines.map((line) => listItem([paragraph(inlineOfLines([line.replace(marker, '')]))])));
  if (!items) return undefined;
  return role === 'bullet' ? bulletList(items) : orderedList(items, Number(NUMBER.exec(lines[0] ?? '')?.[1] ?? 1));
}

function inlineOfLines(lines: readonly string[]): InlineNode[] {
  return lines.flatMap((line, index) => {
    const parts = autolink(line.replace(/\s+$/, '')).map((segment) => text(segment.text, segment.href ? [link(segment.href)] : []));
    return index === 0 ? parts : [hardBreak(), ...parts];
  });
}
