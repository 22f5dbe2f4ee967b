// How well trimReply agrees with a reader on a corpus of real replies (by default discourse's
// email_reply_trimmer test set, read where it lies): prints the number trimmed exactly as expected
// and a short diff for each of the others. Usage: npx tsx dev/check-reply-trimming.ts [dir]
import fs from 'node:fs';
import path from 'node:path';
import { trimReply } from '../src/ingest/trim.js';

const DIFF_LINES = 8;

const dir = path.resolve(process.argv[2] ?? '../shared/corpora/reply-trimming');
const names = fs.readdirSync(path.join(dir, 'emails')).filter((name) => name.endsWith('.txt')).sort();
const misses = names.flatMap((name) => {
  const email = fs.readFileSync(path.join(dir, 'emails', name), 'utf8');
  const expected = normalise(fs.readFileSync(path.join(dir, 'trimmed', name), 'utf8'));
  const actual = normalise(trimReply(email).trimmed);
  return actual === expected ? [] : [{ name, diff: diff(expected, actual) }];
});

console.log(`reply trimming: ${names.length - misses.length}/${names.length} match exactly`);
for (const miss of misses) console.log(`\n✗ ${miss.name}\n${miss.diff}`);

/** Trailing whitespace on lines and at the end does not count. */
function normalise(text: string): string {
  return text.replace(/\r\n?/g, '\n').split('\n').map((line) => line.trimEnd()).join('\n').trimEnd();
}

/** The lines from the first difference on, expected (-) against actual (+). */
function diff(expected: string, actual: string): string {
  const want = expected.split('\n');
  const got = actual.split('\n');
  let first = 0;
  while (first < want.length && first < got.length && want[first] === got[first]) first++;
  const show = (lines: string[], sign: string) =>
    lines.slice(first, first + DIFF_LINES).map((line) => `  ${sign} ${line}`).concat(lines.length > first + DIFF_LINES ? [`  ${sign} …`] : []);
  return [`  (from line ${first + 1})`, ...show(want, '-'), ...show(got, '+')].join('\n');
}
