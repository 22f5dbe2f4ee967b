// Outside production, Mailbridge can run with no ENCRYPTION_KEY: it makes one and keeps it in the data
// folder, beside the embedded database whose secrets it seals.
import fs from 'node:fs/promises';
import path from 'node:path';
import { generateKey } from './crypto.js';

export async function loadOrCreateKeyFile(dataDir: string): Promise<{ key: string; file: string; created: boolean }> {
  const file = path.join(dataDir, 'encryption-key');
  try {
    return { key: (await fs.readFile(file, 'utf8')).trim(), file, created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await fs.mkdir(dataDir, { recursive: true, mode: 0o755 });
  const key = generateKey();
  // wx: never overwrite a key another process wrote meanwhile.
  await fs.writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  return { key: (await fs.readFile(file, 'utf8')).trim(), file, created: true };
}
