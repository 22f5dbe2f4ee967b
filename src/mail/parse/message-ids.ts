// Message-IDs in one form (`<left@right>`), so that a reply's In-Reply-To or References matches the
// Message-ID stored for an issue however the mailers folded, commented or forgot to bracket them.

const BRACKETED = /<([^<>]*)>/g;
const WHITESPACE = /\s+/g;

/** Every Message-ID in a Message-ID, In-Reply-To or References value, in order, without repeats. */
export function messageIds(value: string | undefined): string[] {
  if (!value) return [];
  const ids = bracketedIds(value);
  return [...new Set(ids.length > 0 ? ids : bareIds(value))];
}

/** The first Message-ID in a value, or undefined when there is none that can be read. */
export function firstMessageId(value: string | undefined): string | undefined {
  return messageIds(value)[0];
}

function bracketedIds(value: string): string[] {
  const ids: string[] = [];
  for (const match of value.matchAll(BRACKETED)) {
    // A long id folded over two lines comes back with a space in it; the space was never part of it.
    const id = (match[1] ?? '').replace(WHITESPACE, '');
    if (id) ids.push(`<${id}>`);
  }
  return ids;
}

/** Some mailers write ids without brackets; then only words that look like `left@right` count. */
function bareIds(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .filter((word) => /^[^@\s()"]+@[^@\s()"]+$/.test(word))
    .map((word) => `<${word}>`);
}
