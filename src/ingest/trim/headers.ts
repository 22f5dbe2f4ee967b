// The block of header fields Outlook and forwarding clients put above a quoted message:
// "From: ... / Sent: ... / To: ... / Subject: ...", in any language, bold or not.
import { FROM_LABEL, HEADER_LABEL } from './patterns.js';

// From plus two more fields: fewer is as likely a line of someone's own text.
const MIN_FIELDS = 3;
// Fields after From, continuation lines of a long subject included.
const MAX_BLOCK_LINES = 10;

function headerLabel(line: string): string | undefined {
  return HEADER_LABEL.exec(line)?.[1]?.trim();
}

/** The last line of the header block that starts at `start`; undefined when none starts there. */
export function headerBlockEnd(lines: readonly string[], start: number): number | undefined {
  const label = headerLabel(lines[start] ?? '');
  if (!label || !FROM_LABEL.test(label)) return undefined;
  let fields = 1;
  let end = start;
  for (let index = start + 1; index < Math.min(lines.length, start + MAX_BLOCK_LINES) && lines[index]?.trim(); index++) {
    if (headerLabel(lines[index] ?? '') === undefined) continue;
    fields++;
    end = index;
  }
  return fields >= MIN_FIELDS ? end : undefined;
}
