// Prints how much JavaScript the admin UI ships (every emitted .js file, gzipped) and fails the build
// above the budget. Run by `npm run build:client` after `vite build`.
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const LIMIT_KB = 400;
const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');

function jsFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(file);
    return entry.name.endsWith('.js') ? [file] : [];
  });
}

if (!fs.existsSync(dist)) {
  process.stderr.write(`admin UI: ${dist} does not exist; run vite build first.\n`);
  process.exit(1);
}
const files = jsFiles(dist).map((file) => ({ file: path.relative(dist, file), gzipped: gzipSync(fs.readFileSync(file), { level: 9 }).length }));
const totalKb = files.reduce((sum, f) => sum + f.gzipped, 0) / 1024;
const largest = [...files].sort((a, b) => b.gzipped - a.gzipped).slice(0, 3);
process.stdout.write(`admin UI JavaScript: ${Math.round(totalKb)} KB gzipped (limit ${LIMIT_KB} KB)\n`);
process.stdout.write(`  ${files.length} files; largest: ${largest.map((f) => `${f.file} ${(f.gzipped / 1024).toFixed(1)} KB`).join(', ')}\n`);
if (totalKb > LIMIT_KB) {
  process.stderr.write(`admin UI JavaScript is over its budget by ${Math.round(totalKb - LIMIT_KB)} KB: split or trim it.\n`);
  process.exit(1);
}
