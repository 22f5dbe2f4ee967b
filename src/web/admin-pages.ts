// The admin pages Jira shows in an iframe (descriptor: adminPages). Each page is an HTML shell that
// loads Jira's all.js and calls our API with AP.context.getToken().
import type { Express, RequestHandler } from 'express';

const PAGES: Record<string, { title: string; api: string }> = {
  'message-sources': { title: 'Message Sources', api: '/api/message-sources' },
  'message-outbounds': { title: 'Message Outbounds', api: '/api/message-outbounds' },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function shell(title: string, api: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<script src="https://connect-cdn.atl-paas.net/all.js" data-options="sizeToParent:false"></script>
</head>
<body>
<main class="ac-content">
<h1>${escapeHtml(title)}</h1>
<ul id="items" aria-live="polite"><li>Loading…</li></ul>
</main>
<script>
(async () => {
  const list = document.getElementById('items');
  try {
    const token = await AP.context.getToken();
    const res = await fetch(${JSON.stringify(api)}, { headers: { Authorization: 'JWT ' + token } });
    const body = await res.json();
    if (!res.ok) throw new Error(body.error ? body.error.message : res.statusText);
    list.replaceChildren(...(body.length ? body.map((item) => Object.assign(document.createElement('li'), { textContent: item.name + ' (' + item.status + ')' }))
      : [Object.assign(document.createElement('li'), { textContent: 'None yet.' })]));
  } catch (err) {
    list.replaceChildren(Object.assign(document.createElement('li'), { textContent: 'Could not load: ' + err.message }));
  }
})();
</script>
</body>
</html>`;
}

export function adminPageRoutes(app: Express, pageAuth: RequestHandler) {
  for (const [slug, page] of Object.entries(PAGES)) {
    app.get(`/admin/${slug}`, pageAuth, (_req, res) => {
      res.type('html').send(shell(page.title, page.api));
    });
  }
}
