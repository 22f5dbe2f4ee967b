// Debian's Chromium driven by playwright-core, for the admin pages Jira would show in an iframe.
// Nothing here may reach the internet: it cannot from this machine, and a test that tried would hang
// on timeouts instead of failing. So Chromium's own background traffic is switched off by flags,
// and the page may only talk to loopback, with Jira's all.js answered by a stand-in.
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { ensureDebianPackages } from '../setup/system-packages.js';

export const CHROMIUM = '/usr/bin/chromium';
export const ALL_JS = 'https://connect-cdn.atl-paas.net/all.js';

/** Without the networking flags Chromium keeps trying hosts this machine cannot reach (TESTING.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A headless Chromium. Playwright gives it a new empty --user-data-dir under the temp dir and removes it
 * on close (it refuses a --user-data-dir in `args`, so that part is its job, not ours).
 */
export async function launchBrowser(): Promise<Browser> {
  await ensureDebianPackages('chromium', ['chromium']);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** One call a page made to the AP stand-in, in `window.__apCalls`. */
export interface ApCall {
  method: string;
  args: unknown[];
}

/**
 * Opens pageUrl (with whatever jwt/xdm_e/lic/cv query Jira would add; the test builds it) in a fresh
 * context, as the document of Jira's iframe but at top level so a test can query it directly. Its
 * `window.AP` comes from a stand-in all.js: AP.context.getToken() resolves to contextToken() at the
 * moment of each call, and the no-op UI calls are recorded for `apCalls(page)`.
 */
export async function openAdminPage(browser: Browser, pageUrl: string, contextToken: () => string): Promise<Page> {
  const page = await browser.newPage();
  // Each getToken() asks the test again, so a test can hand out a new (or expired) token mid-page.
  await page.exposeFunction('__mailbridgeContextToken', () => contextToken());
  await page.route('**/*', (route) => answer(route));
  await page.goto(pageUrl);
  return page;
}

/** The AP calls the page has made so far. */
export async function apCalls(page: Page): Promise<ApCall[]> {
  // No DOM types in this project: the page's window is globalThis there.
  return page.evaluate(() => (globalThis as unknown as { __apCalls?: ApCall[] }).__apCalls ?? []);
}

async function answer(route: Route): Promise<void> {
  const url = new URL(route.request().url());
  if (url.origin + url.pathname === ALL_JS) {
    await route.fulfill({ status: 200, contentType: 'application/javascript; charset=utf-8', body: AP_STAND_IN });
  } else if (LOOPBACK.has(url.hostname)) {
    await route.continue();
  } else {
    await route.abort('blockedbyclient');
  }
}

// Runs in the page. Mirrors the parts of all.js our pages use: getToken() both returns a promise and
// takes a callback, as the real one does; the rest do nothing but leave a trace in __apCalls.
const AP_STAND_IN = `(() => {
  const calls = (window.__apCalls = []);
  const record = (method, args) => calls.push({ method, args: JSON.parse(JSON.stringify(Array.from(args, (a) => (typeof a === 'function' ? '[function]' : a)))) });
  window.AP = {
    context: {
      getToken(callback) {
        record('context.getToken', arguments);
        const token = window.__mailbridgeContextToken();
        if (typeof callback === 'function') token.then((t) => callback(t));
        return token;
      },
    },
    resize() { record('resize', arguments); },
    sizeToParent() { record('sizeToParent', arguments); },
    navigator: { go() { record('navigator.go', arguments); } },
    flag: { create() { record('flag.create', arguments); return { close() { record('flag.close', arguments); } }; } },
  };
})();
`;
