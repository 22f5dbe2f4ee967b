// Builds the admin UI (client/) that Jira shows in an iframe. The server serves client/dist/assets under
// /app/ and answers the admin pages with client/dist/index.html (src/web/admin-pages.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const projectRoot = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(projectRoot, 'client');

// npm nests a copy of @atlaskit/analytics-next (it peers React 18) under each Atlaskit package that uses
// it: nine identical copies, each with its own React context. Bundle one (the hoisted one if npm ever
// hoists it); the copies are all the same version.
const atlaskit = path.join(projectRoot, 'node_modules', '@atlaskit');
const analyticsNext = [path.join(atlaskit, 'analytics-next'), ...['button', 'select', 'dynamic-table', 'textfield', 'lozenge'].map((p) => path.join(atlaskit, p, 'node_modules', '@atlaskit', 'analytics-next'))].find((dir) =>
  fs.existsSync(path.join(dir, 'package.json')),
);

/** Writes x.js.gz beside x.js (and .css): the server sends those to browsers that accept gzip. */
const precompress = (): Plugin => ({
  name: 'mailbridge-precompress',
  apply: 'build',
  writeBundle(options, bundle) {
    for (const file of Object.keys(bundle)) {
      if (!/\.(js|css)$/.test(file)) continue;
      const full = path.join(options.dir ?? '', file);
      fs.writeFileSync(`${full}.gz`, gzipSync(fs.readFileSync(full), { level: 9 }));
    }
  },
});

export default defineConfig({
  root,
  base: '/app/',
  plugins: [react(), precompress()],
  resolve: {
    // Several Atlaskit packages carry a nested react-dom 18 (a peer of analytics-next): one React only.
    dedupe: ['react', 'react-dom'],
    alias: analyticsNext ? [{ find: /^@atlaskit\/analytics-next(?=\/|$)/, replacement: analyticsNext }] : [],
  },
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    // Jira's supported browsers; also what the bundle size is measured on.
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    // React DOM alone is most of a 500 kB chunk; the gzipped budget in client/scripts/report-size.mjs is the gate.
    chunkSizeWarningLimit: 1000,
  },
});
