// Text marks in the combinations ADF allows: one mark of each kind, and `code` with nothing but a
// link (full.json's code_inline_node). Marks are kept in one fixed order so that two runs of text
// with the same formatting compare equal and merge.
import type { Mark, MarkType } from './types.js';

const ORDER: MarkType[] = ['link', 'em', 'strong', 'strike', 'subsup', 'underline', 'code'];
const WITH_CODE = new Set<MarkType>(['link', 'code']);

export const strong: Mark = { type: 'strong' };
export const em: Mark = { type: 'em' };
export const underline: Mark = { type: 'underline' };
export const strike: Mark = { type: 'strike' };
export const code: Mark = { type: 'code' };

export function link(href: string): Mark {
  return { type: 'link', attrs: { href } };
}

export function subsup(kind: 'sub' | 'sup'): Mark {
  return { type: 'subsup', attrs: { type: kind } };
}

/** The marks as ADF accepts them; of two marks of one kind the later (inner) one wins. */
export function normaliseMarks(marks: readonly Mark[]): Mark[] {
  const byType = new Map<MarkType, Mark>();
  for (const mark of marks) byType.set(mark.type, mark);
  const hasCode = byType.has('code');
  return ORDER.flatMap((type) => {
    const mark = byType.get(type);
    return mark && (!hasCode || WITH_CODE.has(type)) ? [mark] : [];
  });
}

export function sameMarks(a: readonly Mark[] | undefined, b: readonly Mark[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}
