// The admin pages Jira shows in an iframe (descriptor: adminPages), and the built admin UI they load.
// Both pages are the same single-page app (client/, built by `npm run build:client` into client/dist):
// the page picks its list from location.pathname and calls the API with AP.context.getToken().
import fs from 'node:fs/promises';
import path from 'node:path';
import express, { type Express, type RequestHandler, type Response } from 'express';
import { CLIENT_DIST } from '../paths.js';

/** The URL path the bundle is built for (vite.config.ts `base`). */
export const ASSETS_PATH = '/app';

const PAGES: Record<string, string> = {
  'message-sources': 'Message Sources',
  'message-outbounds': 'Message Outbounds',
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** index.html as Vite wrote it, with the page's own title (what Jira's iframe and the history show). */
function pageHtml(indexHtml: string, title: string): string {
  return indexHtml.replace(/<title>[^<]*<\/title>/, `<title>${escapeHtml(title)} · Mailbridge</title>`);
}

/** Hashed file names change with their content: cache them for a year; anything else is revalidated. */
function cacheHeaders(distDir: string) {
  const hashedDir = path.join(distDir, 'assets') + path.sep;
  return (res: Response, file: string) => {
    res.setHeader('Cache-Control', file.startsWith(hashedDir) ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
  };
}

/** Serves the build: x.js.gz (written by the build) to browsers that accept gzip, else the file itself. */
function assets(distDir: string): RequestHandler {
  const setHeaders = cacheHeaders(distDir);
  const files = express.static(distDir, { index: false, redirect: false, setHeaders });
  return (req, res, next) => {
    // The page itself only comes through the guarded routes below.
    if (req.path === '/index.html') return next();
    const file = path.join(distDir, path.normalize(req.path));
    const compressible = (req.method === 'GET' || req.method === 'HEAD') && /\.(js|css)$/.test(req.path) && file.startsWith(distDir + path.sep);
    if (compressible) res.vary('Accept-Encoding');
    if (!compressible || !req.acceptsEncodings('gzip')) {
      void files(req, res, next);
      return;
    }
    fs.access(`${file}.gz`).then(
      () => {
        setHeaders(res, file);
        res.type(path.extname(file));
        res.setHeader('Content-Encoding', 'gzip');
        res.sendFile(`${file}.gz`, { lastModified: true, acceptRanges: false }, (err) => {
          if (err && !res.headersSent) next(err);
        });
      },
      () => void files(req, res, next),
    );
  };
}

export function adminPageRoutes(app: Express, pageAuth: RequestHandler, distDir = CLIENT_DIST) {
  app.use(ASSETS_PATH, assets(distDir));

  for (const [slug, title] of Object.entries(PAGES)) {
    app.get(`/admin/${slug}`, pageAuth, (_req, res, next) => {
      // Read on each request (under 1 KB): a rebuild is served without a restart, and a missing build
      // says so here instead of stopping the server at start.
      fs.readFile(path.join(distDir, 'index.html'), 'utf8').then(
        (html) => {
          res.set({
            // The page's URL carries Jira's JWT in its query: keep it out of caches and Referer headers.
            'Cache-Control': 'no-store',
            'Referrer-Policy': 'same-origin',
            'X-Content-Type-Options': 'nosniff',
          });
          res.type('html').send(pageHtml(html, title));
        },
        (err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') return next(err);
          res.status(503).type('text').send('The admin UI is not built: run npm run build');
        },
      );
    });
  }
}
