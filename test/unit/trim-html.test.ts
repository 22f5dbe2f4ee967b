// trimHtmlReply: the quoting containers of the common clients, as they write them, and the Jira
// document the trimmed HTML becomes (checked against Atlassian's ADF schema).
import { describe, expect, it } from 'vitest';
import { htmlToAdf } from '../../src/ingest/adf/index.js';
import { trimHtmlReply } from '../../src/ingest/trim.js';
import { adfText, assertValidAdf } from '../helpers/adf-schema.js';

/** What the Jira comment shows of the HTML reply. */
function shown(html: string): string {
  const doc = htmlToAdf(trimHtmlReply(html).trimmed);
  assertValidAdf(doc);
  return adfText(doc);
}

describe('trimHtmlReply', () => {
  it('removes Gmail’s quote with its attribution', () => {
    const html =
      '<div dir="ltr">Thanks, that fixed it.</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, 3 Feb 2025 at 10:00, Help &lt;help@example.com&gt; wrote:<br></div>' +
      '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">Please restart.</blockquote></div>';
    const result = trimHtmlReply(html);
    expect(shown(html)).toBe('Thanks, that fixed it.');
    expect(result.elided).toContain('gmail_quote');
    expect(result.elided).toContain('Please restart.');
  });

  it('keeps answers written inline between Gmail’s quotes, without the attribution', () => {
    const html =
      '<div>See below.</div><div class="gmail_quote"><div class="gmail_attr">On Mon, 3 Feb 2025 at 10:00, Help &lt;h@example.com&gt; wrote:</div>' +
      '<blockquote class="gmail_quote">Which version?</blockquote><div>4.2</div><blockquote class="gmail_quote">Thanks, Help</blockquote></div>';
    expect(shown(html)).toBe('See below.\nWhich version?\n4.2');
  });

  it('removes Gmail’s signature above the quote', () => {
    const html =
      '<div dir="ltr">Hi<br clear="all"><div><br></div>-- <br><div dir="ltr" class="gmail_signature" data-smartmail="gmail_signature">Ann Example<br>ACME</div></div>' +
      '<div class="gmail_quote"><div class="gmail_attr">On Tue, Feb 4, 2025 at 9:00 AM Bob &lt;bob@example.com&gt; wrote:<br></div><blockquote class="gmail_quote">old</blockquote></div>';
    expect(shown(html)).toBe('Hi');
  });

  it('cuts at Outlook’s #appendonsend / #divRplyFwdMsg', () => {
    const html =
      '<html><head><style>p{margin:0}</style></head><body><div>Works now.</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%">' +
      '<div id="divRplyFwdMsg" dir="ltr"><font><b>From:</b> Help<br><b>Sent:</b> Monday<br><b>To:</b> Ann<br><b>Subject:</b> Re: x</font></div><div>Original</div></body></html>';
    expect(shown(html)).toBe('Works now.');
  });

  it('cuts at Outlook desktop’s bordered "From: / Sent: / To:" block', () => {
    const html =
      '<div class="WordSection1"><p class="MsoNormal">Done.<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p><div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0in 0in 0in">' +
      '<p class="MsoNormal"><b>From:</b> Help &lt;h@example.com&gt;<br><b>Sent:</b> Monday, 3 February 2025 10:00<br><b>To:</b> Ann<br><b>Subject:</b> Ticket</p></div></div><p class="MsoNormal">Original text</p></div>';
    expect(shown(html)).toBe('Done.');
  });

  it('removes Apple Mail’s blockquote type=cite and its "Sent from my iPhone"', () => {
    const html =
      '<html><body dir="auto"><div>Yes please.</div><div><br><div>Sent from my iPhone</div><div><br><blockquote type="cite">On 3 Feb 2025, at 10:00, Help &lt;h@example.com&gt; wrote:<br><br></blockquote></div>' +
      '<blockquote type="cite"><div>Shall we?</div></blockquote></div></body></html>';
    expect(shown(html)).toBe('Yes please.');
  });

  it('removes Thunderbird’s cite prefix, quote and signature', () => {
    const html = '<p>Fine by me.</p><div class="moz-cite-prefix">On 03/02/2025 10:00, Help wrote:<br></div><blockquote type="cite" cite="mid:1@example.com">Proposal</blockquote><pre class="moz-signature" cols="72">-- \nAnn</pre>';
    expect(shown(html)).toBe('Fine by me.');
  });

  it('removes a plain blockquote under an "On ... wrote:" line', () => {
    expect(shown('<div>Agreed.</div><div>On Mon, 3 Feb 2025 at 10:00, Help &lt;h@example.com&gt; wrote:</div><blockquote>Plan</blockquote>')).toBe('Agreed.');
  });

  it('removes Yahoo’s quote and new Outlook’s reference container', () => {
    expect(shown('<div>Ok!</div><div class="yahoo_quoted" id="yahoo_quoted_1"><div>On Monday, February 3, 2025, 10:00:00 AM GMT, Help &lt;h@example.com&gt; wrote:</div><div>Original</div></div>')).toBe('Ok!');
    expect(shown('<div>Reply text</div><div id="mail-editor-reference-message-container"><div>From: X<br>Sent: Y<br>To: Z</div><div>old</div></div>')).toBe('Reply text');
  });

  it('leaves a forward that has nothing written above it, and a message without quotes, as they are', () => {
    const forward = '<div class="gmail_quote"><div class="gmail_attr">---------- Forwarded message ---------<br>From: A &lt;a@example.com&gt;<br>Date: Mon<br>Subject: S<br>To: B</div><div>Body of the forward</div></div>';
    expect(trimHtmlReply(forward)).toEqual({ trimmed: forward, elided: '' });
    const plain = '<p>Just a message &gt; with a greater-than sign, and <b>bold</b>.</p><blockquote>A quote of my own</blockquote>';
    expect(trimHtmlReply(plain)).toEqual({ trimmed: plain, elided: '' });
  });

  it('keeps a blockquote the person answers below', () => {
    expect(shown('<blockquote type="cite">Is it fixed?</blockquote><p>Yes, since Monday.</p>')).toBe('Is it fixed?\nYes, since Monday.');
  });

  it('leaves absurdly deep markup untrimmed rather than failing', () => {
    const deep = `${'<div>'.repeat(2000)}x${'</div>'.repeat(2000)}`;
    expect(trimHtmlReply(deep).trimmed).toBe(deep);
  });
});
