// The emulator's pages in a real browser, clicked the way the authorize-flow browser tests will click
// them: the account by its email, then "Allow" (or a Workspace block that leaves the user on Google).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { OAuth2Client } from 'google-auth-library';
import { listen, type Listening } from '../../dev/http.js';
import { GoogleEmulator, type OAuthClient } from '../../dev/google/emulator.js';
import { launchBrowser } from '../helpers/browser.js';

describe('consent pages in Chromium', () => {
  let google: GoogleEmulator;
  let app: Listening;
  let client: OAuthClient;
  let browser: Browser;
  let redirectUri: string;

  beforeAll(async () => {
    google = await GoogleEmulator.start();
    // Our app's callback, reduced to a page that says it was reached.
    app = await listen((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Callback reached</h1>'));
    redirectUri = `${app.url}/oauth/callback`;
    client = google.registerClient({ redirectUris: [redirectUri] });
    // Installs Chromium where it is missing (as root), or fails with the command to run.
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await google?.stop();
  });

  const consentUrl = () =>
    new OAuth2Client({ clientId: client.clientId, redirectUri, endpoints: google.endpoints }).generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent select_account',
      include_granted_scopes: true,
      scope: ['https://mail.google.com/', 'openid', 'email'],
      state: 'browser-state',
      login_hint: 'help@acme.example',
    });

  async function open(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(consentUrl());
    return page;
  }

  it('choose the account by its email, Allow: the app gets a code it can exchange', async () => {
    const page = await open();
    await page.getByRole('button', { name: 'help@acme.example', exact: true }).click();
    await expect(page.getByRole('checkbox', { name: /email from Gmail/ }).isChecked()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.getByText('Callback reached').waitFor();
    const back = new URL(page.url());
    expect(back.pathname).toBe('/oauth/callback');
    expect(back.searchParams.get('state')).toBe('browser-state');
    const oauth = new OAuth2Client({ clientId: client.clientId, clientSecret: client.clientSecret, redirectUri, endpoints: google.endpoints });
    const { tokens } = await oauth.getToken({ code: back.searchParams.get('code')!, redirect_uri: redirectUri });
    expect(tokens.refresh_token).toBeTruthy();
    await page.close();
  });

  it('Cancel sends the user back with access_denied', async () => {
    const page = await open();
    await page.getByText('someone@gmail.com', { exact: true }).click();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByText('Callback reached').waitFor();
    expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
    await page.close();
  });

  it('a blocked Workspace domain leaves the user on Google: admin_policy_enforced', async () => {
    google.blockDomain('acme.example');
    try {
      const page = await open();
      await page.getByRole('button', { name: 'sales@acme.example', exact: true }).click();
      await page.getByText('Error 400: admin_policy_enforced').waitFor();
      expect(page.url().startsWith(google.url)).toBe(true);
      await page.close();
    } finally {
      google.blockDomain('acme.example', false);
    }
  });
});
