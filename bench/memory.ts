// What one mail with a large attachment costs the ingestion in memory: the attachment decoded into a
// spool file and uploaded from there (as the product runs), against the same mail with every part
// decoded into memory (no spool). The peak of live memory (V8's heap plus Buffers, collected before
// each sample every 5 ms) above what was held before, while Ingestion.process runs; the mail itself is
// not counted. The Jira emulator runs in the same process and keeps what is uploaded to it, the same
// for both variants. Both alternate, three times each.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { addMessageSource, type Stack } from '../dev/stack.js';
import { contextFor } from '../src/ingest/context.js';
import { Ingestion } from '../src/ingest/pipeline.js';
import { SenderRateLimiter } from '../src/ingest/rate-limit.js';
import { Ledger } from '../src/store/ledger.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface LargeMail {
  attachmentBytes: number;
  rawBytes: number;
  spooled: number[];
  inMemory: number[];
}

const inUse = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

/** The highest memory use above the baseline while `work` runs. */
async function peakOf(work: () => Promise<unknown>): Promise<number> {
  gc();
  const base = inUse();
  let peak = base;
  // Live memory, not garbage: collected before each sample, so the figure is what is really held.
  const sampler = setInterval(() => {
    gc();
    peak = Math.max(peak, inUse());
  }, 5);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  return peak - base;
}

function mailWith(i: number, attachment: Buffer): Buffer {
  const base64 = attachment.toString('base64').replace(/.{76}/g, '$&\r\n');
  const lines = [
    `Message-ID: <large-${i}-${Date.now()}@customer.example>`,
    `From: Scanner ${i} <scanner-${i}@customer.example>`,
    'To: help@acme.example',
    `Subject: The scan, take ${i}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The scan is attached.',
    '--b',
    'Content-Type: application/pdf; name="scan.pdf"',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="scan.pdf"',
    '',
    base64,
    '--b--',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

export async function largeMailMemory(stack: Stack, attachmentBytes: number, rounds = 3): Promise<LargeMail> {
  const { sourceId } = await addMessageSource(stack, { account: 'large-mail@acme.example', fields: { enabled: false, maxAttachmentBytes: 64 * 1024 * 1024 } });
  const { services, db, tenantId } = stack;
  const ctx = await contextFor({ db, sources: services.sources, jiraFor: (t) => services.jiraFor(t, services.background), tenantById: (id) => services.tenants.findById(id) }, tenantId, sourceId);
  const spoolDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-spool-'));
  // The same pipeline both ways, the spool the only difference.
  const ingestion = (spool: boolean) =>
    new Ingestion({ ledger: new Ledger(db), senders: new SenderRateLimiter(), log: stack.log, maxAttempts: 3, reconcileAfterMs: 1000, keepRawMessages: true, ...(spool ? { spoolDir } : {}) });
  const spooling = ingestion(true);
  const inMemory = ingestion(false);
  const out: LargeMail = { attachmentBytes, rawBytes: 0, spooled: [], inMemory: [] };
  try {
    // Round 0 warms up (code loaded, queries compiled) and is not counted.
    for (let round = 0; round <= rounds; round++) {
      for (const spool of [true, false]) {
        let raw: Buffer | undefined = mailWith(round * 2 + (spool ? 0 : 1), randomBytes(attachmentBytes));
        out.rawBytes = raw.length;
        const peak = await peakOf(async () => {
          const handled = await (spool ? spooling : inMemory).process(ctx, { raw: raw! });
          if (handled.outcome !== 'done') throw new Error(`the large mail was not done: ${JSON.stringify(handled)}`);
        });
        raw = undefined;
        // The emulator keeps every upload; let go of them, so each run starts from the same place.
        for (const issue of stack.site.state.issues) issue.attachments.length = 0;
        if (round > 0) (spool ? out.spooled : out.inMemory).push(peak);
      }
    }
  } finally {
    await fs.rm(spoolDir, { recursive: true, force: true });
  }
  return out;
}
