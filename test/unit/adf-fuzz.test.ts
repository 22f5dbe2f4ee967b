// Property-style checks: whatever HTML or text an email holds (nested junk, unclosed tags, tables in
// lists and lists in tables, marks across blocks, odd entities, huge or deep documents), the
// converters return valid ADF, fitToLimit keeps it valid and within the limit, and trimming never
// breaks it. Inputs are generated from a fixed seed, so a failure reproduces.
import { describe, expect, it } from 'vitest';
import { adfSize, fitToLimit, htmlToAdf, textToAdf } from '../../src/ingest/adf/index.js';
import { trimHtmlReply, trimReply } from '../../src/ingest/trim.js';
import { assertValidAdf } from '../helpers/adf-schema.js';

const CASES = 400;

/** mulberry32: a small seeded generator, so that the cases are the same on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TAGS = [
  'p', 'div', 'span', 'b', 'strong', 'i', 'em', 'u', 's', 'del', 'code', 'kbd', 'sub', 'sup', 'pre', 'blockquote', 'ul', 'ol',
  'li', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'caption', 'h1', 'h3', 'h6', 'a', 'font', 'center', 'dl', 'dt', 'dd',
  'section', 'script', 'style', 'iframe', 'form', 'title', 'head', 'body', 'o:p', 'x-unknown',
];
const TEXTS = [
  'hello', ' world ', '\n\t', '&amp;', '&nbsp;', '&lt;b&gt;', '&#x1F600;', '&#0;', '&#xD800;', '&bogus;', '😀👩‍👩‍👧', 'مرحبا',
  'שלום', '\u0000\u0007', '<', '>', '"', 'https://example.com/x', 'mail@example.com', 'www.example.org.', '   ', 'On Mon, 1 Feb 2016 at 10:00, A <a@b.c> wrote:',
];
const ATTRIBUTES = [
  'href="https://ok.example/"', 'href="javascript:alert(1)"', 'href="data:text/html,x"', 'href="mailto:a@b.c"', 'href="/rel"',
  'onclick="alert(1)"', 'style="color:red"', 'src="cid:img@x"', 'src="https://img.example/a.png"', 'src="data:image/png;base64,AA"',
  'width="1"', 'colspan="3"', 'colspan="-5"', 'start="7"', 'start="x"', 'type="cite"', 'class="gmail_quote"', 'role="presentation"',
  'alt="pic"',
];
const VOIDS = ['br', 'hr', 'img'];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)] as T;
}

function html(next: () => number, depth: number): string {
  const parts: string[] = [];
  const count = 1 + Math.floor(next() * 4);
  for (let index = 0; index < count; index++) {
    const roll = next();
    if (roll < 0.35 || depth > 6) parts.push(pick(next, TEXTS));
    else if (roll < 0.45) parts.push(`<${pick(next, VOIDS)} ${pick(next, ATTRIBUTES)}>`);
    else {
      const tag = pick(next, TAGS);
      const attributes = next() < 0.5 ? ` ${pick(next, ATTRIBUTES)}` : '';
      const close = next() < 0.8 ? `</${tag}>` : '';
      const stray = next() < 0.1 ? `</${pick(next, TAGS)}>` : '';
      parts.push(`<${tag}${attributes}>${html(next, depth + 1)}${close}${stray}`);
    }
  }
  return parts.join('');
}

function plainText(next: () => number): string {
  const lines = ['', '> quoted', '>> deeper', '- item', '1. first', '```', '-- ', 'Sent from my iPhone', 'On Mon, 1 Feb 2016, A <a@b.c> wrote:', 'From: A', 'Sent: B', 'To: C', 'text https://x.example/a_(b)', '\u0000', '😀 مرحبا'];
  return Array.from({ length: 1 + Math.floor(next() * 20) }, () => pick(next, lines)).join(next() < 0.5 ? '\n' : '\r\n');
}

function checkHtml(input: string, limit: number): void {
  const doc = htmlToAdf(input, { inlineImages: new Map([['img@x', { filename: 'img.png' }]]) });
  assertValidAdf(doc);
  const fitted = fitToLimit(doc, limit);
  assertValidAdf(fitted);
  expect(adfSize(fitted)).toBeLessThanOrEqual(limit);
  assertValidAdf(htmlToAdf(trimHtmlReply(input).trimmed));
}

describe('generated HTML', () => {
  it(`converts ${CASES} random documents to valid ADF, also after fitting and trimming`, () => {
    const next = random(20_250_101);
    for (let index = 0; index < CASES; index++) {
      const input = html(next, 0);
      try {
        checkHtml(input, 400 + Math.floor(next() * 3000));
      } catch (error) {
        throw new Error(`case ${index}: ${input}\n${String(error)}`, { cause: error });
      }
    }
  });
});

describe('odd HTML', () => {
  const odd: Record<string, string> = {
    'unclosed tags': '<div><b><i>open <ul><li>a<li>b<table><tr><td>c',
    'stray closing tags': '</p></div></table>text</b></li>',
    'tables in lists': '<ul><li><table><tr><td>a</td><td><ul><li>in cell</li></ul></td></tr></table></li></ul>',
    'lists in tables': '<table><tr><th><ol><li>x</li></ol></th></tr><tr><td><blockquote><ul><li>y</li></ul></blockquote></td><td>z</td></tr></table>',
    'marks across blocks': '<b>bold <p>para <i>it <h2>heading</h2> <table><tr><td>cell</td><td>c2</td></tr></table></i></p></b>',
    'empty elements': '<p></p><div><span></span></div><ul></ul><ol><li></li></ol><table></table><table><tr></tr></table><blockquote></blockquote><pre></pre><h1></h1><a href="https://x.example/"></a>',
    'only whitespace and comments': '  \n <!-- x --> &nbsp; <br><br> ',
    'headings with blocks inside': '<h1><div>a</div><ul><li>b</li></ul><pre>c</pre></h1>',
    'quote in quote in list': '<ul><li><blockquote><blockquote><pre>code</pre></blockquote></blockquote></li></ul>',
    'entities and emoji': '<p>&amp;&lt;&gt;&quot;&#39;&#x1F600;&#128512;&notanentity;&#xFFFFFF;&#55296;</p>',
    'right to left': '<p dir="rtl">مرحبا <b>بالعالم</b> שלום</p>',
    'control characters': '<p>a\u0000b\u0008c\u001fd\u007fe</p><pre>x\u0000y</pre>',
    'giant colspan': '<table><tr><td colspan="100000">a</td></tr><tr><td>b</td><td>c</td></tr></table>',
    'deeply nested lists': '<ul><li>x'.repeat(40),
    'deeply nested tables': '<table><tr><td>a</td><td>'.repeat(30),
    'ten thousand nested divs': '<div>'.repeat(10_000) + 'deep' + '</div>'.repeat(10_000),
    'ten thousand nested bold': '<b><i>'.repeat(5_000) + 'deep',
  };
  for (const [name, input] of Object.entries(odd)) {
    it(`converts ${name}`, () => checkHtml(input, 2000));
  }

  it('converts ten thousand paragraphs, and fits them into a Jira field', () => {
    const input = Array.from({ length: 10_000 }, (_, index) => `<p>Paragraph <b>${index}</b> &amp; <a href="https://x.example/${index}">link</a></p>`).join('');
    const doc = htmlToAdf(input);
    assertValidAdf(doc);
    expect(doc.content).toHaveLength(10_000);
    const fitted = fitToLimit(doc);
    assertValidAdf(fitted);
    expect(adfSize(fitted)).toBeLessThanOrEqual(32_767);
  });
});

describe('generated text', () => {
  it(`converts and trims ${CASES} random plain-text bodies`, () => {
    const next = random(42);
    for (let index = 0; index < CASES; index++) {
      const input = plainText(next);
      assertValidAdf(textToAdf(input));
      const { trimmed } = trimReply(input);
      assertValidAdf(textToAdf(trimmed));
      const lines = new Set(input.split(/\r?\n/));
      expect(trimmed.split('\n').every((line) => line === '' || lines.has(line))).toBe(true);
    }
  });

  it('converts ten thousand paragraphs of text', () => {
    const doc = textToAdf(Array.from({ length: 10_000 }, (_, index) => `Line ${index} https://x.example/${index}`).join('\n\n'));
    assertValidAdf(doc);
    expect(doc.content).toHaveLength(10_000);
  });
});
