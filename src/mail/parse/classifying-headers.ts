// The headers that tell automatic mail (bounces, auto-replies, reports, our own) from mail people
// wrote, read as written from the top-level header block.
import { decodeHeaderBytes, firstHeader, type HeaderLine } from './header-lines.js';
import type { ClassifyingHeaders, TopContentType } from './inbound-email.js';
import { LOOP_HEADER } from './inbound-email.js';

export function classifyingHeaders(lines: readonly HeaderLine[]): ClassifyingHeaders {
  const get = (name: string) => {
    const value = firstHeader(lines, name.toLowerCase());
    return value === undefined ? undefined : decodeHeaderBytes(value);
  };
  return withoutUndefined({
    autoSubmitted: get('Auto-Submitted'),
    precedence: get('Precedence'),
    xAutoreply: get('X-Autoreply'),
    xAutorespond: get('X-Autorespond'),
    xAutoResponseSuppress: get('X-Auto-Response-Suppress'),
    listId: get('List-Id'),
    listUnsubscribe: get('List-Unsubscribe'),
    mailingList: get('Mailing-List'),
    xMlServer: get('X-MLServer'),
    from: get('From'),
    returnPath: get('Return-Path'),
    xMailbridgeLoop: get(LOOP_HEADER),
    contentType: topContentType(get('Content-Type')),
    xFailedRecipients: get('X-Failed-Recipients'),
  });
}

/** A missing Content-Type is text/plain (RFC 2045 section 5.2). */
export function topContentType(value: string | undefined): TopContentType {
  const type = (value ?? '').split(';')[0]?.trim().toLowerCase() || 'text/plain';
  const reportType = /;\s*report-type\s*=\s*"?([^";\s]+)/i.exec(value ?? '')?.[1]?.toLowerCase();
  return reportType ? { type, reportType } : { type };
}

/** Absent headers are left out rather than set to undefined, so the value prints and compares cleanly. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
