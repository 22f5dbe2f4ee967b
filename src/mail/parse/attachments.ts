// Attachments as Jira will store them: a file name that is safe to use anywhere, and whether the
// part belongs inside the body (an inline image) or next to it.
import type { MimePart } from './mime.js';
import type { InboundAttachment } from './inbound-email.js';

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/svg+xml': 'svg',
  'text/plain': 'txt',
  'text/html': 'html',
  'text/calendar': 'ics',
  'message/rfc822': 'eml',
  'message/delivery-status': 'txt',
  'message/feedback-report': 'txt',
  'text/rfc822-headers': 'txt',
  'application/octet-stream': 'bin',
  'application/pgp-signature': 'asc',
  'application/pkcs7-signature': 'p7s',
  'application/x-pkcs7-signature': 'p7s',
  'application/ms-tnef': 'dat',
};

const MAX_FILENAME_LENGTH = 200;

/** The Content-IDs the HTML shows with `cid:` URLs, lower-cased. */
export function referencedContentIds(html: string | undefined): Set<string> {
  const ids = new Set<string>();
  for (const match of (html ?? '').matchAll(/\bcid:([^'"\s)>]+)/gi)) ids.add(safeDecode(match[1] ?? '').toLowerCase());
  return ids;
}

export function toInboundAttachment(part: MimePart, position: number, shownInHtml: Set<string>): InboundAttachment {
  const contentType = part.contentType.toLowerCase();
  const contentId = part.cid || undefined;
  return {
    filename: safeFilename(part.filename, contentType, position),
    contentType,
    size: part.size,
    ...(contentId ? { contentId } : {}),
    inline: part.contentDisposition === 'inline' || (contentId !== undefined && shownInHtml.has(contentId.toLowerCase())),
    content: part.content,
    checksum: part.checksum,
  };
}

/**
 * The part's own name without any directory (a name like `../../etc/passwd` or `C:\x.exe` must not
 * reach a file system or a URL) and without control characters; a name made up from the content
 * type when the part has none left.
 */
export function safeFilename(given: string | undefined, contentType: string, position: number): string {
  const base = (given ?? '').split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const cleaned = base.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim().replace(/^\.+/, '');
  if (cleaned) return cleaned.slice(-MAX_FILENAME_LENGTH);
  return `attachment-${position}.${extensionFor(contentType)}`;
}

function extensionFor(contentType: string): string {
  const known = EXTENSIONS[contentType];
  if (known) return known;
  const subtype = contentType.split('/')[1] ?? '';
  return /^[a-z0-9]{1,8}$/.test(subtype) ? subtype : 'bin';
}

/** `cid:` URLs may percent-encode the Content-ID (RFC 2392). */
function safeDecode(cid: string): string {
  try {
    return decodeURIComponent(cid);
  } catch {
    return cid;
  }
}
