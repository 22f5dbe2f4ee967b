// trimReply: what a Jira comment shows of a plain-text reply. Hand-written examples of what the
// common clients send; the discourse corpus is checked separately by dev/check-reply-trimming.ts.
import { describe, expect, it } from 'vitest';
import { trimReply } from '../../src/ingest/trim.js';

function trimmed(text: string): string {
  return trimReply(text).trimmed;
}

describe('trimReply: quoted history', () => {
  it('removes a Gmail quote and its attribution', () => {
    const reply = trimReply(
      'Thanks, that fixed it.\n\nOn Mon, 3 Feb 2025 at 10:00, Help Desk <help@example.com> wrote:\n\n> Please restart the printer.\n>\n> Regards\n',
    );
    expect(reply.trimmed).toBe('Thanks, that fixed it.');
    expect(reply.elided).toBe('On Mon, 3 Feb 2025 at 10:00, Help Desk <help@example.com> wrote:\n\n> Please restart the printer.\n>\n> Regards');
  });

  it('removes an attribution that the client wrapped over two lines', () => {
    expect(trimmed('Yes.\n\nOn Mon, Feb 3, 2025 at 10:00 AM Help Desk via Support <\nhelp@example.com> wrote:\n\n> Is it fixed?')).toBe('Yes.');
  });

  it('removes an Outlook header block and everything under it', () => {
    const text = 'Works now, thank you!\n\n________________________________\nFrom: Help Desk <help@example.com>\nSent: Monday, February 3, 2025 10:00 AM\nTo: Ann <ann@example.com>\nSubject: RE: Printer\n\nDid you try turning it off and on again?\n';
    expect(trimmed(text)).toBe('Works now, thank you!');
    expect(trimmed(text.replace('________________________________\n', ''))).toBe('Works now, thank you!');
  });

  it('removes "-----Original Message-----" and what follows', () => {
    expect(trimmed('See attached.\n\n-----Original Message-----\nFrom: Bob\nSent: Monday\nTo: Ann\nSubject: Report\n\nCan you send it?')).toBe('See attached.');
  });

  it("removes Apple Mail's quote", () => {
    expect(trimmed('Sounds good.\n\n> On 3 Feb 2025, at 10:00, Help Desk <help@example.com> wrote:\n> \n> Shall we meet at 3?\n')).toBe('Sounds good.');
    expect(trimmed('Sounds good.\n\nOn 3 Feb 2025, at 10:00, Help Desk <help@example.com> wrote:\n\n> Shall we meet at 3?')).toBe('Sounds good.');
  });

  it("removes Thunderbird's quote", () => {
    expect(trimmed('Fine by me.\n\nOn 03/02/2025 10:00, Help Desk wrote:\n> Proposal attached.\n')).toBe('Fine by me.');
  });

  it('understands German and French attributions', () => {
    expect(trimmed('Danke!\n\nAm 03.02.2025 um 10:00 schrieb Max Mustermann <max@example.de>:\n\n> Bitte neu starten.')).toBe('Danke!');
    expect(trimmed('Max Mustermann <max@example.de> schrieb am Mo., 3. Feb. 2025\num 10:00 Uhr:\n\n> Hallo')).toBe('');
    expect(trimmed('Merci !\n\nLe lun. 3 févr. 2025 à 10:00, Marie Curie <marie@example.fr> a écrit :\n\n> Bonjour')).toBe('Merci !');
  });

  it('keeps a top-posted reply and drops the quote below it, even without an attribution', () => {
    expect(trimmed('Done, see the new version.\n\n> Can you update the report?\n> Thanks')).toBe('Done, see the new version.');
  });

  it('keeps the answer written below an attribution and quote', () => {
    expect(trimmed('On Mon, 3 Feb 2025 at 10:00, Help Desk <help@example.com> wrote:\n> Which version do you run?\n\nVersion 4.2, on Windows.')).toBe('Version 4.2, on Windows.');
  });

  it('keeps a forwarded message when the person wrote nothing above it', () => {
    expect(trimmed('---------- Forwarded message ---------\nFrom: Customer <c@example.com>\nDate: Mon, 3 Feb 2025\nSubject: Broken\nTo: Ann <ann@example.com>\n\nThe app crashes on start.')).toBe('The app crashes on start.');
  });

  it('gives nothing for a message that is only quoted history', () => {
    expect(trimmed('> On Mon, 3 Feb 2025 at 10:00, A <a@example.com> wrote:\n>> old\n')).toBe('');
  });
});

describe('trimReply: inline replies', () => {
  it('keeps answers between quotes, dropping only the attribution and the unanswered tail', () => {
    const text = [
      'Answers below.',
      '',
      'On Mon, 3 Feb 2025 at 10:00, Help Desk <help@example.com> wrote:',
      '> 1. Which version?',
      '',
      '4.2',
      '',
      '> 2. Which system?',
      '',
      'Windows 11',
      '',
      '> Thanks,',
      '> Help Desk',
    ].join('\n');
    expect(trimmed(text)).toBe(['Answers below.', '', '> 1. Which version?', '', '4.2', '', '> 2. Which system?', '', 'Windows 11'].join('\n'));
  });

  it('keeps a quote the person answers below, when it is not introduced as history', () => {
    expect(trimmed('> The export fails with error 42.\n\nError 42 means the disk is full.')).toBe('> The export fails with error 42.\n\nError 42 means the disk is full.');
  });
});

describe('trimReply: signatures', () => {
  it('cuts at the "-- " signature delimiter', () => {
    const reply = trimReply('See you tomorrow.\n\n-- \nAnn Example\nACME Ltd | +1 555 0100');
    expect(reply.trimmed).toBe('See you tomorrow.');
    expect(reply.elided).toBe('-- \nAnn Example\nACME Ltd | +1 555 0100');
  });

  it("cuts at a phone's signature", () => {
    expect(trimmed('OK\n\nSent from my iPhone\n\nOn Mon, 3 Feb 2025, Help <h@example.com> wrote:\n> ?')).toBe('OK');
    expect(trimmed('Ja.\n\nVon meinem iPhone gesendet')).toBe('Ja.');
    expect(trimmed('Oui.\n\nEnvoyé depuis mon iPhone')).toBe('Oui.');
    expect(trimmed('Yes\n\nGet Outlook for Android')).toBe('Yes');
  });

  it('does not take ordinary sentences for signatures', () => {
    const text = 'Sent from the office yesterday was the wrong file, here is the right one and the long explanation why.\nFrom my point of view it is fine.';
    expect(trimmed(text)).toBe(text);
  });
});

describe('trimReply: text that only looks like history', () => {
  it('keeps a reply with no quote at all, as it is', () => {
    const text = 'Hello,\n\n  the printer on floor 2 is broken:\n  - no paper\n  - no toner\n\nAnn';
    expect(trimReply(text)).toEqual({ trimmed: text, elided: '' });
  });

  it('keeps text that merely contains a ">" character', () => {
    const text = 'If a > b then swap them.\nThe arrow -> points right, and 2 > 1.\n=> done';
    expect(trimmed(text)).toBe(text);
  });

  it('keeps "wrote" in an ordinary sentence', () => {
    const text = 'On Monday I wrote: the report is late.\nWhat I wrote: nothing else.';
    expect(trimmed(text)).toBe(text);
  });

  it('keeps code in ``` fences, whatever it looks like', () => {
    const text = 'Config:\n\n```\n-- comment in SQL\n> not a quote\nFrom: a\nSent: b\nTo: c\n```\n\nDoes that help?';
    expect(trimmed(text)).toBe(text);
  });

  it('normalises Windows line endings and strips blank lines around the reply', () => {
    expect(trimmed('\r\n\r\nHello\r\nthere\r\n\r\n')).toBe('Hello\nthere');
  });

  it('handles an empty message', () => {
    expect(trimReply('')).toEqual({ trimmed: '', elided: '' });
  });
});
