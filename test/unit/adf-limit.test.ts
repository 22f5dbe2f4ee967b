// fitToLimit: a document too long for a Jira field is cut cleanly and says where the rest is.
import { describe, expect, it } from 'vitest';
import {
  adfSize,
  bulletList,
  codeBlock,
  doc,
  fitToLimit,
  JIRA_FIELD_LIMIT,
  listItem,
  paragraph,
  text,
  textToAdf,
  TRUNCATION_NOTICE,
  type AdfDoc,
} from '../../src/ingest/adf/index.js';
import { adfText, assertValidAdf } from '../helpers/adf-schema.js';

function fit(document: AdfDoc, maxChars?: number): AdfDoc {
  const result = fitToLimit(document, maxChars);
  assertValidAdf(result);
  expect(adfSize(result)).toBeLessThanOrEqual(maxChars ?? JIRA_FIELD_LIMIT);
  return result;
}

function paragraphs(count: number): AdfDoc {
  return doc(Array.from({ length: count }, (_, index) => paragraph([text(`Paragraph number ${index} of the message.`)])));
}

describe('fitToLimit', () => {
  it("uses Jira's 32,767-character limit unless told otherwise", () => {
    expect(JIRA_FIELD_LIMIT).toBe(32_767);
    const long = paragraphs(2000);
    expect(adfSize(long)).toBeGreaterThan(JIRA_FIELD_LIMIT);
    expect(adfText(fit(long).content.at(-1))).toBe(TRUNCATION_NOTICE);
  });

  it('returns a document that fits as it is', () => {
    const short = paragraphs(3);
    expect(fitToLimit(short, 10_000)).toBe(short);
  });

  it('cuts between blocks and appends the notice', () => {
    const result = fit(paragraphs(200), 2000);
    const lines = adfText(result).split('\n');
    expect(lines.at(-1)).toBe('(The rest of this message is in the attached original.eml.)');
    expect(lines[0]).toBe('Paragraph number 0 of the message.');
    expect(lines.slice(0, -2).every((line) => /^Paragraph number \d+ of the message\.$/.test(line))).toBe(true);
  });

  it('cuts a single huge paragraph at a word, with an ellipsis', () => {
    const result = fit(textToAdf('lorem ipsum '.repeat(10_000)), 3000);
    const first = adfText(result.content[0]);
    expect(first).toMatch(/^(lorem ipsum )+(lorem|lorem ipsum)…$/);
    expect(first.length).toBeGreaterThan(2000);
  });

  it('keeps the items of a long list that fit', () => {
    const list = bulletList([listItem([paragraph([text('item 0')])]), ...Array.from({ length: 500 }, (_, index) => listItem([paragraph([text(`item ${index + 1}`)])]))]);
    const result = fit(doc([list]), 3000);
    expect(result.content[0]?.type).toBe('bulletList');
    expect(adfText(result.content[0]).split('\n')[0]).toBe('item 0');
  });

  it('cuts a code block at a line', () => {
    const code = Array.from({ length: 2000 }, (_, index) => `line ${index}`).join('\n');
    const result = fit(doc([codeBlock(code)]), 3000);
    expect(adfText(result.content[0])).toMatch(/^line 0\n(line \d+\n)+…$/);
  });

  it('never splits an emoji', () => {
    const result = fit(doc([paragraph([text('😀'.repeat(5000))])]), 1000);
    const value = adfText(result.content[0]);
    expect(value).toMatch(/^(😀)+…$/u);
  });

  it('gives the notice alone when the limit leaves no room for anything else', () => {
    expect(fitToLimit(paragraphs(10), 50).content.map(adfText)).toEqual([TRUNCATION_NOTICE]);
  });
});
