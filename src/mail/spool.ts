// The files large parts of a mail are kept in while the mail is processed: written as mailparser
// decodes them, streamed to Jira from there, and removed with the mail's spool when it is done. One
// directory per mail, made only when the mail has a large part (most have none).
import { createWriteStream, openAsBlob } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { PartContent, SpooledContent } from './parse/inbound-email.js';
import type { PartSpool } from './parse/mime.js';

const PREFIX = 'mailbridge-spool-';

export class Spool implements PartSpool {
  private dir?: Promise<string>;
  private parts = 0;

  constructor(private readonly root: string) {}

  async keep(head: Buffer[], rest: AsyncIterable<Buffer>): Promise<SpooledContent> {
    const dir = await (this.dir ??= fs.mkdtemp(path.join(this.root, PREFIX)));
    const file = path.join(dir, `part-${++this.parts}`);
    let size = 0;
    const counted = async function* () {
      for (const chunk of head) yield ((size += chunk.length), chunk);
      for await (const chunk of rest) yield ((size += chunk.length), chunk);
    };
    // Only this process's user may read a customer's attachment.
    await pipeline(counted, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    return { path: file, size };
  }

  /** Removes the mail's files; call it once the mail is done with, however it ended. */
  async dispose(): Promise<void> {
    if (!this.dir) return;
    const dir = await this.dir.catch(() => undefined);
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  }
}

/** A part's bytes as a Blob for an upload; a spooled part is read from its file as it is sent. */
export async function contentBlob(content: PartContent, type: string): Promise<Blob> {
  if (Buffer.isBuffer(content)) return new Blob([new Uint8Array(content.buffer, content.byteOffset, content.length)], { type });
  return openAsBlob(content.path, { type });
}

/**
 * Removes what a process that was killed mid-mail left in `root`. Processing a mail takes seconds,
 * so a spool older than `olderThanMs` belongs to no one; returns how many were removed.
 */
export async function sweepSpools(root: string, olderThanMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const name of await fs.readdir(root).catch(() => [])) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(root, name);
    const stat = await fs.stat(dir).catch(() => undefined);
    if (!stat || now - stat.mtimeMs < olderThanMs) continue;
    await fs.rm(dir, { recursive: true, force: true });
    removed++;
  }
  return removed;
}
