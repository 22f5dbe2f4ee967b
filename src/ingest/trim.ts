// Reply trimming: what a person wrote in a reply, without the quoted history and the signature, so
// that a Jira comment shows only their words. Plain text is trimmed line by line (trim/cut.ts); HTML
// on its parsed DOM (trim/html.ts), returning HTML for htmlToAdf.
import { keptLines } from './trim/cut.js';

export { trimHtmlReply, type HtmlTrimResult } from './trim/html.js';

export interface TrimResult {
  /** What the person wrote; empty when the message is nothing but quoted history. */
  trimmed: string;
  /** What was removed, in order, passages separated by a newline. */
  elided: string;
}

export function trimReply(text: string): TrimResult {
  const lines = text.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n').split('\n');
  const kept = keptLines(lines);
  return {
    trimmed: withoutBlankEdges(lines.filter((_, index) => kept[index])).join('\n'),
    elided: passages(lines, kept).join('\n'),
  };
}

/** The removed lines, each run of them one passage without blank lines at its edges. */
function passages(lines: readonly string[], kept: readonly boolean[]): string[] {
  const runs: string[][] = [];
  lines.forEach((line, index) => {
    if (kept[index]) return;
    if (index === 0 || kept[index - 1]) runs.push([]);
    runs[runs.length - 1]?.push(line);
  });
  return runs.map(withoutBlankEdges).filter((run) => run.length > 0).map((run) => run.join('\n'));
}

function withoutBlankEdges(lines: readonly string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && !lines[start]?.trim()) start++;
  while (end > start && !lines[end - 1]?.trim()) end--;
  return lines.slice(start, end);
}
