// textToAdf: a plain-text body read the way people write plain text. Every document is checked
// against Atlassian's ADF schema.
import { describe, expect, it } from 'vitest';
import { textToAdf, type AdfDoc } from '../../src/ingest/adf/index.js';
import { adfText, assertValidAdf } from '../helpers/adf-schema.js';

function convert(value: string): AdfDoc {
  const doc = textToAdf(value);
  assertValidAdf(doc);
  return doc;
}

describe('textToAdf', () => {
  it('splits paragraphs on blank lines and keeps single newlines as line breaks', () => {
    expect(convert('Hello,\r\nthe printer is broken.\r\n\r\n\r\nThanks\nAnn').content).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'Hello,' }, { type: 'hardBreak' }, { type: 'text', text: 'the printer is broken.' }] },
      { type: 'paragraph', content: [{ type: 'text', text: 'Thanks' }, { type: 'hardBreak' }, { type: 'text', text: 'Ann' }] },
    ]);
  });

  it('links web addresses without the punctuation after them, and email addresses', () => {
    const doc = JSON.stringify(convert('See https://example.com/a?b=1, (https://example.com/wiki/Foo_(bar)) or www.example.org. Mail ann@example.co.uk!'));
    expect(doc).toContain('"text":"https://example.com/a?b=1","marks":[{"type":"link","attrs":{"href":"https://example.com/a?b=1"}}]');
    expect(doc).toContain('"href":"https://example.com/wiki/Foo_(bar)"');
    expect(doc).toContain('"href":"https://www.example.org/"');
    expect(doc).toContain('"text":"ann@example.co.uk","marks":[{"type":"link","attrs":{"href":"mailto:ann@example.co.uk"}}]');
  });

  it('does not link what only looks like an address', () => {
    expect(JSON.stringify(convert('javascript:alert(1) and ftp://files.example and a@b'))).not.toContain('link');
  });

  it('reads runs of "- ", "* " and "1. " lines as lists, numbered from their first number', () => {
    expect(convert('Steps:\n3. open\n4. close\n\n- milk\n* eggs').content).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'Steps:' }] },
      {
        type: 'orderedList',
        attrs: { order: 3 },
        content: [
          { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'open' }] }] },
          { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'close' }] }] },
        ],
      },
      {
        type: 'bulletList',
        content: [
          { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'milk' }] }] },
          { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'eggs' }] }] },
        ],
      },
    ]);
  });

  it('leaves a lone "1. Introduction" line and a "-5 degrees" line as text', () => {
    expect(convert('1. Introduction\n\n-5 degrees\n-3 tomorrow').content.map((block) => block.type)).toEqual(['paragraph', 'paragraph']);
  });

  it('shows "> " lines as a quote', () => {
    expect(convert('I agree.\n> You said this\n>> and this\n\nBye').content).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'I agree.' }] },
      { type: 'blockquote', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'You said this' }, { type: 'hardBreak' }, { type: 'text', text: 'and this' }] }] },
      { type: 'paragraph', content: [{ type: 'text', text: 'Bye' }] },
    ]);
  });

  it('keeps ``` fenced code, blank lines included, as a code block', () => {
    expect(convert('Run:\n```sh\nnpm ci\n\nnpm test\n```\nDone').content).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'Run:' }] },
      { type: 'codeBlock', attrs: { language: 'sh' }, content: [{ type: 'text', text: 'npm ci\n\nnpm test' }] },
      { type: 'paragraph', content: [{ type: 'text', text: 'Done' }] },
    ]);
  });

  it('treats an unclosed fence as text', () => {
    expect(adfText(convert('```\nnot closed'))).toBe('```\nnot closed');
  });

  it('keeps leading spaces and drops control characters', () => {
    expect(convert('    indented\u0000\u0007 text\u001b').content).toEqual([{ type: 'paragraph', content: [{ type: 'text', text: '    indented text' }] }]);
  });

  it('gives empty or blank text one empty paragraph', () => {
    expect(convert('').content).toEqual([{ type: 'paragraph', content: [] }]);
    expect(convert(' \n\t\n ').content).toEqual([{ type: 'paragraph', content: [] }]);
  });

  it('keeps emoji and right-to-left text', () => {
    expect(adfText(convert('שלום 👋🏽 مرحبا'))).toBe('שלום 👋🏽 مرحبا');
  });
});
