// The mail the benchmarks send: what a help desk receives most (a new request, text and HTML
// alternatives, a couple of KB), each from its own sender, because the ingestion ignores a sender
// past 30 mails in 10 minutes and a benchmark must not measure that shortcut instead of the pipeline.
import { randomUUID } from 'node:crypto';

export interface BenchMail {
  messageId: string;
  raw: Buffer;
}

const PARAGRAPH =
  'Since this morning the printer on the third floor prints every page twice and then jams. ' +
  'We switched it off and on again, cleared the tray and replaced the toner, but nothing changed. ';

export function benchMail(run: string, i: number): BenchMail {
  const messageId = `<bench-${run}-${i}-${randomUUID()}@customer.example>`;
  const boundary = `b-${randomUUID()}`;
  const text = `Hello,\r\n\r\n${PARAGRAPH.repeat(3)}\r\n\r\nCould someone look at it? Ticket ${i} of run ${run}.\r\n\r\nThanks,\r\nCustomer ${i}\r\n`;
  const html = `<html><body><p>Hello,</p><p>${PARAGRAPH.repeat(3)}</p><p>Could someone look at it? Ticket <b>${i}</b> of run ${run}.</p><p>Thanks,<br>Customer ${i}</p></body></html>`;
  const lines = [
    `Message-ID: ${messageId}`,
    `Date: ${new Date().toUTCString()}`,
    `From: Customer ${i} <customer-${run}-${i}@customer.example>`,
    'To: help@acme.example',
    `Subject: Printer prints twice and jams (${run} #${i})`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    '',
    html,
    `--${boundary}--`,
    '',
  ];
  return { messageId, raw: Buffer.from(lines.join('\r\n')) };
}
