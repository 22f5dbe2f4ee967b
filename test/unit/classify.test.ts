// classify: which mail must never become an issue or a comment, and which must, against our own
// fixtures (parsed for real) and against hand-built values for each rule and for the priority order.
import fs from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { classify, type ClassifyContext } from '../../src/ingest/classify.js';
import type { ClassifyingHeaders, InboundEmail } from '../../src/mail/parse/inbound-email.js';
import { parseEmail } from '../../src/mail/parse/parse.js';

const ctx: ClassifyContext = { ownAddresses: [' Support@Acme.Example '] };

const fixture = async (name: string) => parseEmail(await fs.readFile(new URL(`../fixtures/mail/${name}`, import.meta.url)));

/** An ordinary mail from a person, with what a test changes. */
function mail(change: Partial<Omit<InboundEmail, 'headers'>> & { headers?: Partial<ClassifyingHeaders> } = {}): InboundEmail {
  const { headers, ...rest } = change;
  return {
    messageId: '<m@example.com>',
    inReplyTo: [],
    references: [],
    subject: 'Printer on floor 3 is jammed',
    from: { address: 'alice@example.com' },
    replyTo: [],
    to: [{ address: 'support@acme.example' }],
    cc: [],
    text: 'Hi, the printer is jammed again.',
    attachments: [],
    size: 100,
    digest: '0'.repeat(64),
    parseProblems: [],
    ...rest,
    headers: { from: rest.from?.address ?? 'alice@example.com', returnPath: '<alice@example.com>', contentType: { type: 'text/plain' }, ...headers },
  };
}

const part = (contentType: string) => ({ filename: 'part', contentType, size: 1, inline: false, content: Buffer.from('x'), checksum: '' });

describe('classify our fixtures', () => {
  it.each([
    ['dsn-rfc3464.eml', 'BOUNCE', 'Content-Type: multipart/report; report-type=delivery-status'],
    ['vendor-bounce.eml', 'BOUNCE', 'From: postmaster@mx.example.net, Return-Path: <>'],
    ['auto-reply-rfc3834.eml', 'AUTO_REPLY', 'Auto-Submitted: auto-replied'],
    ['arf-report.eml', 'FEEDBACK_REPORT', 'Content-Type: multipart/report; report-type=feedback-report'],
    ['precedence-bulk.eml', 'PRECEDENCE', 'Precedence: bulk'],
    ['loop-header.eml', 'LOOP_HEADER', 'X-Mailbridge-Loop: tenant-1'],
    ['own-address.eml', 'OWN_ADDRESS', 'From: support@acme.example'],
  ])('ignores %s as %s', async (file, reason, detail) => {
    expect(classify(await fixture(file), ctx)).toEqual({ action: 'ignore', reason, detail });
  });

  it.each([
    'plain.eml',
    'html-inline-image.eml',
    'malformed.eml',
    'no-message-id.eml',
    'folded-references.eml',
    'latin1-subject.eml',
    // List-Id alone is no reason: people write to lists, and a list post may be a real request.
    'mailing-list.eml',
    // Exchange puts X-Auto-Response-Suppress on ordinary mail too.
    'exchange-ordinary.eml',
    // A person asking about a bounce they forwarded is writing to support.
    'forwarded-bounce.eml',
  ])('processes %s', async (file) => {
    expect(classify(await fixture(file), ctx)).toEqual({ action: 'process' });
  });
});

describe('classify rules', () => {
  it('processes an ordinary mail', () => {
    expect(classify(mail(), ctx)).toEqual({ action: 'process' });
  });

  it('knows our own addresses whatever their case', () => {
    expect(classify(mail({ from: { address: 'support@acme.example' } }), ctx)).toMatchObject({ reason: 'OWN_ADDRESS' });
    expect(classify(mail({ from: { address: 'support@acme.example' } }), { ownAddresses: [] })).toEqual({ action: 'process' });
  });

  it('takes Auto-Submitted at its word, and `no` as a person', () => {
    expect(classify(mail({ headers: { autoSubmitted: 'auto-generated' } }), ctx)).toEqual({ action: 'ignore', reason: 'AUTO_REPLY', detail: 'Auto-Submitted: auto-generated' });
    expect(classify(mail({ headers: { autoSubmitted: 'No' } }), ctx)).toEqual({ action: 'process' });
    expect(classify(mail({ headers: { autoSubmitted: 'no (a comment)' } }), ctx)).toEqual({ action: 'process' });
  });

  it('knows the older vacation headers, read receipts and vacation subjects', () => {
    expect(classify(mail({ headers: { xAutoreply: 'yes' } }), ctx)).toMatchObject({ reason: 'AUTO_REPLY', detail: 'X-Autoreply: yes' });
    expect(classify(mail({ headers: { xAutorespond: 'Out of office' } }), ctx)).toMatchObject({ reason: 'AUTO_REPLY' });
    expect(classify(mail({ headers: { contentType: { type: 'multipart/report', reportType: 'disposition-notification' } } }), ctx)).toMatchObject({ reason: 'AUTO_REPLY' });
    for (const subject of ['Automatic reply: Printer', 'Auto reply: Printer', 'Out of Office: Printer', 'Abwesenheitsnotiz: Drucker']) {
      expect(classify(mail({ subject }), ctx)).toMatchObject({ reason: 'AUTO_REPLY', detail: `Subject: ${subject}` });
    }
    expect(classify(mail({ subject: 'Re: Automatic reply: Printer' }), ctx)).toEqual({ action: 'process' });
    expect(classify(mail({ subject: 'Auto reply rules do not work' }), ctx)).toEqual({ action: 'process' });
  });

  it('does not count X-Auto-Response-Suppress or List-Id alone', () => {
    expect(classify(mail({ headers: { xAutoResponseSuppress: 'All' } }), ctx)).toEqual({ action: 'process' });
    expect(classify(mail({ headers: { listId: '<printers.lists.example.org>', listUnsubscribe: '<mailto:u@example.org>' } }), ctx)).toEqual({ action: 'process' });
  });

  it('counts the null reverse-path only with a sign of a bounce', () => {
    expect(classify(mail({ headers: { returnPath: '<>' } }), ctx)).toEqual({ action: 'process' });
    expect(classify(mail({ headers: { returnPath: '<>' }, subject: 'Returned mail: User unknown' }), ctx)).toEqual({
      action: 'ignore',
      reason: 'BOUNCE',
      detail: 'Return-Path: <>, Subject: Returned mail: User unknown',
    });
    expect(classify(mail({ headers: { returnPath: '' }, text: 'Delivery to the following recipient failed permanently' }), ctx)).toMatchObject({
      reason: 'BOUNCE',
      detail: 'Return-Path: (empty), "Delivery to the following recipient failed" in the text',
    });
  });

  it('ignores bulk, junk and list mail', () => {
    for (const precedence of ['bulk', 'Junk', 'list', 'auto_reply']) {
      expect(classify(mail({ headers: { precedence } }), ctx)).toEqual({ action: 'ignore', reason: 'PRECEDENCE', detail: `Precedence: ${precedence}` });
    }
    expect(classify(mail({ headers: { precedence: 'first-class' } }), ctx)).toEqual({ action: 'process' });
  });

  it('knows a bounce by its report, its part, or the header Exim sets', () => {
    expect(classify(mail({ headers: { contentType: { type: 'multipart/report' } } }), ctx)).toMatchObject({ reason: 'BOUNCE', detail: 'Content-Type: multipart/report' });
    expect(classify(mail({ attachments: [part('message/delivery-status')] }), ctx)).toMatchObject({ reason: 'BOUNCE', detail: 'a message/delivery-status part' });
    expect(classify(mail({ headers: { xFailedRecipients: 'bob@example.org' } }), ctx)).toMatchObject({ reason: 'BOUNCE', detail: 'X-Failed-Recipients: bob@example.org' });
  });

  it('knows a bounce by a sender no person writes as', () => {
    for (const from of ['MAILER-DAEMON <>', 'Mail Delivery Subsystem <MAILER-DAEMON>', '<>', 'Mail Delivery System <mailer-daemon@mx.example.org>']) {
      expect(classify(mail({ headers: { from } }), ctx)).toEqual({ action: 'ignore', reason: 'BOUNCE', detail: `From: ${from}` });
    }
  });

  it('knows a vendor bounce by two signs, and a person by fewer', () => {
    const postmaster = { address: 'postmaster@mx.example.net' };
    expect(classify(mail({ from: postmaster, subject: 'Undeliverable: Printer' }), ctx)).toMatchObject({ reason: 'BOUNCE', detail: 'From: postmaster@mx.example.net, Subject: Undeliverable: Printer' });
    expect(classify(mail({ from: postmaster, text: 'Error: Invalid user address' }), ctx)).toMatchObject({ reason: 'BOUNCE' });
    expect(classify(mail({ headers: { returnPath: '<MAILER-DAEMON@mx.example.net>' }, subject: 'failure notice' }), ctx)).toMatchObject({ reason: 'BOUNCE' });
    // A postmaster writing about something else, and a customer writing about a bounce, are people.
    expect(classify(mail({ from: postmaster, subject: 'Your DNS records', text: 'Please update the MX record.' }), ctx)).toEqual({ action: 'process' });
    expect(classify(mail({ subject: 'Mail delivery failed when I send invoices', text: 'My mail could not be delivered.', attachments: [part('message/rfc822')] }), ctx)).toEqual({ action: 'process' });
  });

  it('needs a bounce subject and the returned message from a no-reply sender', () => {
    const noReply = { address: 'no-reply@mail.example.jp' };
    expect(classify(mail({ from: noReply, subject: 'Undeliverable mail', attachments: [part('message/rfc822')] }), ctx)).toMatchObject({ reason: 'BOUNCE' });
    // A carrier's parcel notice is not a mail bounce.
    expect(classify(mail({ from: noReply, subject: 'Delivery failed: your parcel', text: 'Your parcel could not be delivered.' }), ctx)).toEqual({ action: 'process' });
  });

  it('knows a list manager rejecting a post from its robot address', () => {
    const fml = mail({ from: { address: 'neko-admin@example.org' }, headers: { xMlServer: 'fml [fml 4.0.3 release]' }, subject: 'You are not member' });
    expect(classify(fml, ctx)).toMatchObject({ reason: 'BOUNCE', detail: 'From: neko-admin@example.org, X-MLServer: fml [fml 4.0.3 release]' });
    expect(classify(mail({ from: { address: 'it-admin@example.org' } }), ctx)).toEqual({ action: 'process' });
  });

  it("knows providers' own report formats", () => {
    const sns = { address: 'no-reply@sns.amazonaws.com' };
    expect(classify(mail({ from: sns, subject: 'AWS Notification Message', text: '{"notificationType":"Bounce","bounce":{}}' }), ctx)).toMatchObject({ reason: 'BOUNCE' });
    expect(classify(mail({ from: sns, subject: 'AWS Notification Message', text: '{"Message":"{\\"notificationType\\":\\"Complaint\\"}"}' }), ctx)).toMatchObject({ reason: 'FEEDBACK_REPORT' });
    expect(classify(mail({ from: sns, subject: 'ALARM: "disk full" in EU (Ireland)', text: '{"AlarmName":"disk full"}' }), ctx)).toEqual({ action: 'process' });
    const jmrp = mail({ from: { address: 'staff@hotmail.com' }, subject: 'complaint about message from 192.0.2.1' });
    expect(classify(jmrp, ctx)).toMatchObject({ reason: 'FEEDBACK_REPORT' });
    expect(classify(mail({ attachments: [part('message/feedback-report')] }), ctx)).toMatchObject({ reason: 'FEEDBACK_REPORT' });
  });
});

describe('classify priority', () => {
  const everything = mail({
    from: { address: 'support@acme.example' },
    headers: {
      xMailbridgeLoop: 'tenant-1',
      contentType: { type: 'multipart/report', reportType: 'feedback-report' },
      xFailedRecipients: 'bob@example.org',
      autoSubmitted: 'auto-replied',
      precedence: 'bulk',
    },
  });

  it('reports the first of LOOP_HEADER, OWN_ADDRESS, FEEDBACK_REPORT, BOUNCE, AUTO_REPLY, PRECEDENCE', () => {
    const reasons: string[] = [];
    let email = everything;
    const without: ((e: InboundEmail) => InboundEmail)[] = [
      (e) => ({ ...e, headers: { ...e.headers, xMailbridgeLoop: undefined } }),
      (e) => ({ ...e, from: { address: 'alice@example.com' } }),
      (e) => ({ ...e, headers: { ...e.headers, contentType: { type: 'text/plain' } } }),
      (e) => ({ ...e, headers: { ...e.headers, xFailedRecipients: undefined } }),
      (e) => ({ ...e, headers: { ...e.headers, autoSubmitted: undefined } }),
      (e) => ({ ...e, headers: { ...e.headers, precedence: undefined } }),
    ];
    for (const remove of without) {
      const decision = classify(email, ctx);
      reasons.push(decision.action === 'ignore' ? decision.reason : 'process');
      email = remove(email);
    }
    reasons.push(classify(email, ctx).action);
    expect(reasons).toEqual(['LOOP_HEADER', 'OWN_ADDRESS', 'FEEDBACK_REPORT', 'BOUNCE', 'AUTO_REPLY', 'PRECEDENCE', 'process']);
  });
});

describe('mail through a Google Group', () => {
  // What Google Groups adds to every mail it delivers to its members.
  const group = { precedence: 'list', mailingList: 'list support@acme.example; contact support+owners@acme.example', listId: '<support.acme.example>' };

  it('is list mail by default, and the reason names the group and what would take it in', () => {
    const verdict = classify(mail({ headers: group }), ctx);
    expect(verdict).toMatchObject({ action: 'ignore', reason: 'PRECEDENCE' });
    expect(verdict.action === 'ignore' && verdict.detail).toMatch(/support@acme\.example.*Google Groups to accept/);
  });

  it("is taken in when the group is one of the Message Source's Google Groups to accept (by its address or its List-Id)", () => {
    expect(classify(mail({ headers: group }), { ...ctx, acceptedLists: ['Support@Acme.Example'] })).toEqual({ action: 'process' });
    const idOnly = { precedence: 'list', listId: 'Support <support.acme.example>' };
    expect(classify(mail({ headers: idOnly }), { ...ctx, acceptedLists: ['support@acme.example'] })).toEqual({ action: 'process' });
    // Another list stays list mail.
    expect(classify(mail({ headers: { ...group, mailingList: 'list news@vendor.example', listId: '<news.vendor.example>' } }), { ...ctx, acceptedLists: ['support@acme.example'] })).toMatchObject({ reason: 'PRECEDENCE' });
  });

  it('an auto-reply or a bounce through an accepted group is still ignored, and so is bulk mail', () => {
    const accepted = { ...ctx, acceptedLists: ['support@acme.example'] };
    expect(classify(mail({ headers: { ...group, autoSubmitted: 'auto-replied' } }), accepted)).toMatchObject({ reason: 'AUTO_REPLY' });
    expect(classify(mail({ headers: { ...group, precedence: 'bulk' } }), accepted)).toMatchObject({ reason: 'PRECEDENCE' });
    expect(classify(mail({ headers: { ...group, contentType: { type: 'multipart/report', reportType: 'delivery-status' } } }), accepted)).toMatchObject({ reason: 'BOUNCE' });
  });
});
