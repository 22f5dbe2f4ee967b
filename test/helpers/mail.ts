// Mails written for a test, as raw RFC 5322 bytes.
import { randomUUID } from 'node:crypto';

export interface MailSpec {
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  text?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string;
  headers?: Record<string, string>;
  /** Attached after the text, base64-encoded, in a multipart/mixed. */
  attachments?: { filename: string; contentType: string; content: Buffer }[];
}

export function mail(spec: MailSpec = {}): Buffer {
  const id = spec.messageId ?? `<${randomUUID()}@customer.example>`;
  const lines = [
    `Message-ID: ${id}`,
    `Date: ${new Date().toUTCString()}`,
    `From: ${spec.from ?? 'Carla Customer <carla@customer.example>'}`,
    `To: ${spec.to ?? 'help@acme.example'}`,
    ...(spec.cc ? [`Cc: ${spec.cc}`] : []),
    `Subject: ${spec.subject ?? 'The printer is on fire'}`,
    ...(spec.inReplyTo ? [`In-Reply-To: ${spec.inReplyTo}`] : []),
    ...(spec.references ? [`References: ${spec.references}`] : []),
    ...Object.entries(spec.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
  ];
  const text = spec.text ?? 'Hello,\n\nthe printer on floor 3 is on fire.\n\nCarla';
  if (!spec.attachments?.length) lines.push('Content-Type: text/plain; charset=utf-8', '', text);
  else {
    const boundary = `part-${randomUUID()}`;
    lines.push(`Content-Type: multipart/mixed; boundary="${boundary}"`, '', `--${boundary}`, 'Content-Type: text/plain; charset=utf-8', '', text);
    for (const a of spec.attachments) {
      const base64 = a.content.toString('base64').replace(/.{76}/g, '$&\n');
      lines.push(`--${boundary}`, `Content-Type: ${a.contentType}`, 'Content-Transfer-Encoding: base64', `Content-Disposition: attachment; filename="${a.filename}"`, '', base64);
    }
    lines.push(`--${boundary}--`, '');
  }
  return Buffer.from(lines.join('\r\n').replace(/\r?\n/g, '\r\n'));
}

export const messageIdOf = (raw: Buffer) => /^Message-ID: (.+)$/m.exec(raw.toString())![1]!.trim();
