// Files the server ships with (the descriptor, migrations, the built admin UI), found from this
// module's own location so the server runs the same from src/ (tsx, tests) and dist/ (npm start).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'atlassian-connect.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot find the project root (the folder holding atlassian-connect.json).');
    dir = parent;
  }
  return dir;
}

export const PROJECT_ROOT = findProjectRoot();
export const DESCRIPTOR_FILE = path.join(PROJECT_ROOT, 'atlassian-connect.json');
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'prisma', 'migrations');
export const CLIENT_DIST = path.join(PROJECT_ROOT, 'client', 'dist');
