// htmlToAdf: what each kind of HTML an email can hold becomes in a Jira document, and that nothing
// unsafe gets through. Every document is checked against Atlassian's ADF schema.
import { describe, expect, it } from 'vitest';
import { htmlToAdf, type AdfDoc, type HtmlToAdfOptions } from '../../src/ingest/adf/index.js';
import { adfText, assertValidAdf } from '../helpers/adf-schema.js';

function convert(html: string, options?: HtmlToAdfOptions): AdfDoc {
  const doc = htmlToAdf(html, options);
  assertValidAdf(doc);
  return doc;
}

function json(html: string): string {
  return JSON.stringify(convert(html));
}

describe('htmlToAdf: text and paragraphs', () => {
  it('makes paragraphs of p and div, and collapses whitespace as a browser does', () => {
    expect(convert('<p>  Hello \n\t  world  </p><div>Second</div>').content).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'Hello world' }] },
      { type: 'paragraph', content: [{ type: 'text', text: 'Second' }] },
    ]);
  });

  it('turns a br into a line break and a blank line (two brs) into a new paragraph', () => {
    expect(convert('one<br>two<br><br>three').content).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'one' }, { type: 'hardBreak' }, { type: 'text', text: 'two' }] },
      { type: 'paragraph', content: [{ type: 'text', text: 'three' }] },
    ]);
  });

  it("drops Gmail's <div><br></div> blank lines and Outlook's &nbsp; paragraphs", () => {
    expect(convert('<div>a</div><div><br></div><p>&nbsp;</p><div>b</div>').content).toHaveLength(2);
  });

  it('keeps entities, emoji and right-to-left text as they are', () => {
    expect(adfText(convert('<p>&lt;tag&gt; &amp; &eacute; 😀 👩‍👩‍👧 مرحبا بالعالم שלום</p>'))).toBe('<tag> & é 😀 👩‍👩‍👧 مرحبا بالعالم שלום');
  });

  it('gives an empty message one empty paragraph', () => {
    expect(convert('').content).toEqual([{ type: 'paragraph', content: [] }]);
    expect(convert('<html><head><title>x</title></head><body> </body></html>').content).toEqual([{ type: 'paragraph', content: [] }]);
  });
});

describe('htmlToAdf: marks', () => {
  it('maps b/strong, i/em, u, s/del/strike, code/tt/kbd, sub and sup', () => {
    const doc = convert('<p><b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><s>s</s><del>d</del><strike>k</strike><code>c</code><tt>t</tt><kbd>k</kbd><sub>2</sub><sup>3</sup></p>');
    const marks = (doc.content[0] as { content: { marks?: { type: string }[] }[] }).content.map((node) => node.marks?.map((mark) => mark.type).join());
    expect(marks).toEqual(['strong', 'em', 'underline', 'strike', 'code', 'subsup', 'subsup']);
  });

  it('nests marks and carries them across blocks', () => {
    const doc = convert('<b>one<p>two <i>three</i></p></b>');
    expect(doc.content).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'one', marks: [{ type: 'strong' }] }] },
      {
        type: 'paragraph',
        content: [
          { type: 'text', text: 'two ', marks: [{ type: 'strong' }] },
          { type: 'text', text: 'three', marks: [{ type: 'em' }, { type: 'strong' }] },
        ],
      },
    ]);
  });

  it('lets code combine with a link only, as ADF requires', () => {
    expect(convert('<p><a href="https://x.example/"><b><code>run()</code></b></a></p>').content[0]).toEqual({
      type: 'paragraph',
      content: [{ type: 'text', text: 'run()', marks: [{ type: 'link', attrs: { href: 'https://x.example/' } }, { type: 'code' }] }],
    });
  });

  it('merges adjacent runs with the same marks', () => {
    expect(convert('<p><b>a</b><b>b</b><span>c</span>d</p>').content[0]).toEqual({
      type: 'paragraph',
      content: [{ type: 'text', text: 'ab', marks: [{ type: 'strong' }] }, { type: 'text', text: 'cd' }],
    });
  });
});

describe('htmlToAdf: links and safety', () => {
  it('links http, https and mailto', () => {
    const doc = json('<a href="http://a.example/x?y=1">a</a> <a href="https://b.example">b</a> <a href="mailto:c@example.com">c</a>');
    expect(doc).toContain('"href":"http://a.example/x?y=1"');
    expect(doc).toContain('"href":"https://b.example/"');
    expect(doc).toContain('"href":"mailto:c@example.com"');
  });

  it('keeps the text but drops javascript:, data:, relative and obfuscated links', () => {
    const doc = convert(
      '<a href="javascript:alert(1)">j</a><a href="JaVaScRiPt:alert(1)">J</a><a href="java\tscript:alert(1)">t</a>' +
        '<a href=" javascript:alert(1)">s</a><a href="data:text/html;base64,PHNjcmlwdD4=">d</a><a href="/relative">r</a><a href="vbscript:x">v</a>',
    );
    expect(JSON.stringify(doc)).not.toContain('link');
    expect(adfText(doc)).toBe('jJtsdrv');
  });

  it('drops the content of script, style, head, title, meta, iframe, object and form', () => {
    const doc = json(
      '<html><head><title>Title</title><meta name="x" content="meta"><style>p{color:red}</style><script>alert("head")</script></head>' +
        '<body><p>Visible</p><script>alert("body")</script><style>.x{}</style><iframe src="https://evil.example">frame</iframe>' +
        '<object data="x.swf">object</object><form action="/steal"><input value="secret">form text<button>Go</button></form>' +
        '<noscript>noscript</noscript><svg><text>svg</text></svg></body></html>',
    );
    expect(JSON.parse(doc)).toEqual({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Visible' }] }] });
  });

  it('ignores event handlers, styles and classes', () => {
    const doc = json('<p onclick="alert(1)" style="color:red" class="x"><span onmouseover="steal()" style="font-weight:bold">Hi</span></p>');
    expect(doc).not.toMatch(/alert|steal|color|class/);
    expect(doc).not.toContain('strong');
  });

  it('never lets markup through as text it did not show', () => {
    expect(adfText(convert('<p>a<!-- secret comment -->b<![CDATA[cdata]]></p>'))).toBe('ab');
  });

  it('links bare web and email addresses in text', () => {
    const doc = json('<p>See www.example.com/docs, or write to help@example.com.</p>');
    expect(doc).toContain('"text":"www.example.com/docs","marks":[{"type":"link","attrs":{"href":"https://www.example.com/docs"}}]');
    expect(doc).toContain('"href":"mailto:help@example.com"');
  });
});

describe('htmlToAdf: blocks', () => {
  it('maps h1 to h6 to headings', () => {
    const doc = convert('<h1>1</h1><h2>2</h2><h3>3</h3><h4>4</h4><h5>5</h5><h6>6</h6>');
    expect(doc.content.map((block) => (block.type === 'heading' ? block.attrs.level : 0))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('keeps the whitespace of pre in a code block, without marks', () => {
    expect(convert('<pre>\n  indented\n\tand <b>bold</b>\n</pre>').content).toEqual([
      { type: 'codeBlock', content: [{ type: 'text', text: '  indented\n\tand bold' }] },
    ]);
  });

  it('maps blockquote, flattening a quote inside a quote (ADF has no nested quotes)', () => {
    expect(convert('<blockquote><p>outer</p><blockquote>inner</blockquote><h2>title</h2></blockquote>').content).toEqual([
      {
        type: 'blockquote',
        content: [
          { type: 'paragraph', content: [{ type: 'text', text: 'outer' }] },
          { type: 'paragraph', content: [{ type: 'text', text: 'inner' }] },
          { type: 'paragraph', content: [{ type: 'text', text: 'title' }] },
        ],
      },
    ]);
  });

  it('maps hr to a rule', () => {
    expect(convert('<p>a</p><hr><p>b</p>').content[1]).toEqual({ type: 'rule' });
  });
});

describe('htmlToAdf: lists', () => {
  it('nests lists and numbers ordered lists from their start', () => {
    expect(convert('<ol start="3"><li>three<ul><li>sub</li></ul></li><li>four</li></ol>').content).toEqual([
      {
        type: 'orderedList',
        attrs: { order: 3 },
        content: [
          {
            type: 'listItem',
            content: [
              { type: 'paragraph', content: [{ type: 'text', text: 'three' }] },
              { type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'sub' }] }] }] },
            ],
          },
          { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'four' }] }] },
        ],
      },
    ]);
  });

  it('starts every list item with a paragraph', () => {
    const doc = convert('<ul><li><ul><li>only nested</li></ul></li><li><pre>code first</pre></li><li></li></ul>');
    const list = doc.content[0];
    expect(list?.type).toBe('bulletList');
    if (list?.type !== 'bulletList') return;
    expect(list.content.map((item) => item.content[0].type)).toEqual(['paragraph', 'paragraph']);
    expect(list.content[0]?.content[1]?.type).toBe('bulletList');
  });

  it('puts a list that sits outside any li into the item before it', () => {
    const doc = convert('<ul><li>a</li><ul><li>b</li></ul></ul>');
    expect(adfText(doc)).toBe('a\nb');
    expect(JSON.stringify(doc).match(/"bulletList"/g)).toHaveLength(2);
  });

  it('turns headings, tables and rules inside a list item into what a list item may hold', () => {
    const doc = json('<ul><li><h1>Title</h1><table><tr><td>a</td><td>b</td></tr></table><hr></li></ul>');
    expect(doc).not.toMatch(/"heading"|"table"|"rule"/);
    expect(doc).toContain('"text":" | "');
  });
});

describe('htmlToAdf: tables', () => {
  it('maps rows, header and data cells, and pads ragged rows', () => {
    const doc = convert('<table><thead><tr><th>Name</th><th>Qty</th><th>Note</th></tr></thead><tbody><tr><td>Bolt</td><td>3</td></tr></tbody></table>');
    const [tableNode] = doc.content;
    expect(tableNode?.type).toBe('table');
    if (tableNode?.type !== 'table') return;
    expect(tableNode.content.map((row) => row.content.map((cell) => cell.type))).toEqual([
      ['tableHeader', 'tableHeader', 'tableHeader'],
      ['tableCell', 'tableCell', 'tableCell'],
    ]);
    expect(tableNode.content[1]?.content[2]).toEqual({ type: 'tableCell', content: [{ type: 'paragraph', content: [] }] });
  });

  it('flattens a table inside a table to lines of text', () => {
    const doc = json('<table><tr><td><table><tr><td>x</td><td>y</td></tr></table></td><td>z</td></tr></table>');
    expect(doc.match(/"table"/g)).toHaveLength(1);
    expect(doc).toContain('{"type":"text","text":"x"},{"type":"text","text":" | "},{"type":"text","text":"y"}');
  });

  it('keeps lists inside cells and widens a row by its colspan', () => {
    const doc = convert('<table><tr><td colspan="2"><ul><li>item</li></ul></td></tr><tr><td>a</td><td>b</td></tr></table>');
    expect(JSON.stringify(doc)).toContain('"bulletList"');
    const [tableNode] = doc.content;
    expect(tableNode?.type === 'table' && tableNode.content[0].content).toHaveLength(2);
  });

  it('unwraps newsletter layout tables (one column, or role=presentation)', () => {
    expect(convert('<table><tr><td>Hello</td></tr><tr><td>World</td></tr></table>').content.map((block) => block.type)).toEqual(['paragraph', 'paragraph']);
    expect(json('<table role="presentation"><tr><td>a</td><td>b</td></tr></table>')).not.toContain('"table"');
  });

  it('shows text that stands outside the cells above the table, as browsers do', () => {
    expect(adfText(convert('<table>stray<tr><td>a</td><td>b</td></tr></table>'))).toBe('stray\na\nb');
  });
});

describe('htmlToAdf: images', () => {
  const inlineImages = new Map([['logo@mail', { filename: 'logo.png', attachmentId: '10042' }]]);

  it('leaves a marked "[image: filename]" paragraph where a cid: image stood', () => {
    expect(convert('<p>before<img src="cid:LOGO@mail" alt="Our logo">after</p>', { inlineImages }).content).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'before' }] },
      { type: 'paragraph', attrs: { localId: 'mailbridge-image:LOGO%40mail/10042' }, content: [{ type: 'text', text: '[image: logo.png]' }] },
      { type: 'paragraph', content: [{ type: 'text', text: 'after' }] },
    ]);
  });

  it('names an unknown cid image by its alt text, or else its Content-ID', () => {
    expect(adfText(convert('<img src="cid:a1" alt="Chart"><img src="cid:b%402">'))).toBe('[image: Chart]\n[image: b@2]');
  });

  it('shows a remote image as a link to it, never as media to fetch', () => {
    expect(convert('<img src="https://cdn.example/banner.png" alt="Banner">').content).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: '[image: Banner]', marks: [{ type: 'link', attrs: { href: 'https://cdn.example/banner.png' } }] }] },
    ]);
    expect(json('<img src="data:image/png;base64,AAAA" alt="inline">')).not.toContain('link');
    expect(json('<img src="javascript:alert(1)">')).not.toContain('javascript');
  });

  it('drops tracking pixels', () => {
    expect(convert('<p>Hi<img src="https://t.example/open.gif" width="1" height="1"></p>').content).toEqual([
      { type: 'paragraph', content: [{ type: 'text', text: 'Hi' }] },
    ]);
  });

  it('keeps an image placeholder a paragraph inside a heading, a list and a table', () => {
    const doc = json('<h1>Title <img src="cid:x"></h1><ul><li><img src="cid:y"></li></ul><table><tr><td><img src="cid:z"></td><td>b</td></tr></table>');
    expect(doc.match(/mailbridge-image:/g)).toHaveLength(3);
  });
});
