// Web addresses and email addresses written as plain text become links, as a mail client shows them.
// Also the one place that decides which link targets are safe to put in a Jira document.

export interface Segment {
  text: string;
  /** Set when the segment is a link. */
  href?: string;
}

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
const LINKABLE = /(?<url>\b(?:https?:\/\/|www\.)[^\s<>"'`]+)|(?<email>(?<![\w.%+-])[\w.%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})/giu;
const TRAILING_PUNCTUATION = /[.,;:!?'"’”)\]}]$/u;

/**
 * The href as it may stand in a link mark, or undefined for anything that is not an absolute http(s)
 * or mailto URL (javascript:, data:, relative paths, garbage).
 */
export function safeHref(href: string): string | undefined {
  // Browsers ignore whitespace and control characters inside a URL, so "java\tscript:" is javascript:.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const cleaned = href.replace(/[\u0000-\u0020\u007f]+/g, '');
  try {
    const url = new URL(cleaned);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The text cut into plain runs and links. */
export function autolink(text: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(LINKABLE)) {
    const found = linkAt(match);
    if (!found) continue;
    if (match.index > last) segments.push({ text: text.slice(last, match.index) });
    segments.push(found);
    last = match.index + found.text.length;
  }
  if (last < text.length) segments.push({ text: text.slice(last) });
  return segments;
}

function linkAt(match: RegExpExecArray | RegExpMatchArray): Segment | undefined {
  const email = match.groups?.email;
  if (email) return withHref(email, `mailto:${email}`);
  const url = withoutTrailingPunctuation(match.groups?.url ?? '');
  return withHref(url, url.toLowerCase().startsWith('www.') ? `https://${url}` : url);
}

function withHref(text: string, href: string): Segment | undefined {
  const safe = safeHref(href);
  return safe && text ? { text, href: safe } : undefined;
}

/** "see https://x.org/a." links https://x.org/a; a closing parenthesis stays when the URL opened one. */
function withoutTrailingPunctuation(url: string): string {
  let result = url;
  while (TRAILING_PUNCTUATION.test(result)) {
    if (result.endsWith(')') && count(result, '(') >= count(result, ')')) break;
    result = result.slice(0, -1);
  }
  return result;
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}
