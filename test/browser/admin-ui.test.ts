// The admin pages in Chromium, loaded as Jira loads them (the JWT in the URL, a stand-in all.js whose
// AP.context.getToken() hands out the site's context tokens), doing what the user documentation says:
// Create, Name, Type, Authorize on Google's consent page, Authorized with the Username filled, Submit;
// the connection tested against a real Dovecot (IMAP XOAUTH2) or SMTP server (XOAUTH2) and saved.
// Then each Google problem a user can hit, as the page explains it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { JiraSite } from '../../dev/jira/site.js';
import { launchBrowser, openAdminPage } from '../helpers/browser.js';
import { query } from '../helpers/database.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { mail } from '../helpers/mail.js';
import { contextFor } from '../../src/ingest/context.js';

let h: Harness;
let site: JiraSite;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  [h, browser] = await Promise.all([startHarness({ mail: true }), launchBrowser()]);
  site = await h.jira.createSite();
  await site.install(h.baseUrl);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

async function open(path: '/admin/message-sources' | '/admin/message-outbounds') {
  page = await openAdminPage(browser, site.pageUrl(path), () => site.contextToken());
  page.setDefaultTimeout(10_000);
  page.on('console', (m) => {
    // Chromium logs every non-2xx fetch; those answers are expected here and shown in the page.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) consoleErrors.push(m.text());
  });
  await page.getByRole('button', { name: 'Create' }).waitFor();
}

async function chooseOption(label: string, option: string) {
  await page.getByLabel(label, { exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** Clicks Authorize and goes through Google's pages in the window it opens. */
async function authorizeAs(email: string, decision: 'Allow' | 'Cancel' | 'none' = 'Allow') {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Authorize' }).click()]);
  await popup.getByRole('button', { name: email }).click();
  if (decision !== 'none') await popup.getByRole('button', { name: decision }).click();
  return popup;
}

const rowOf = (name: string) => page.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
/** A row's status lozenge, e.g. "Authorized". */
const statusOf = (name: string, status: string) => rowOf(name).getByText(status, { exact: true }).first();

describe('Message Sources, as the user documentation says', () => {
  beforeEach(async () => {
    await open('/admin/message-sources');
  });

  it('Create, Name, Type IMAP GMAIL OAuth, Authorize, Allow: Authorized, Username filled, Submit: tested and saved', async () => {
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Help desk');
    await chooseOption('Type', 'IMAP GMAIL OAuth');
    const popup = await authorizeAs('help@acme.example');
    await popup.getByRole('heading', { name: 'Authorized' }).waitFor();
    await popup.close();

    await page.getByText('Authorized', { exact: true }).waitFor();
    await expect.poll(() => page.getByLabel('Username', { exact: true }).inputValue()).toBe('help@acme.example');
    await chooseOption('Project', 'Support (SUP)');
    await chooseOption('Issue type', 'Task');
    await page.getByRole('button', { name: 'Submit' }).click();

    await statusOf('Help desk', 'Authorized').waitFor({ timeout: 20_000 });
    const [row] = await query<{ status: string; username: string; projectId: string; issueTypeId: string }>(
      h.databaseUrl,
      `SELECT status, username, "projectId", "issueTypeId" FROM "MessageSource" WHERE name = 'Help desk'`,
    );
    expect(row).toEqual({ status: 'AUTHORIZED', username: 'help@acme.example', projectId: '10000', issueTypeId: '10001' });
  });

  it('a personal Google account is refused, saying only Google Workspace accounts are supported', async () => {
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Personal');
    await chooseOption('Type', 'IMAP GMAIL OAuth');
    await authorizeAs('someone@gmail.com');
    await page.getByText('Personal Google accounts are not supported, only Google Workspace accounts', { exact: false }).waitFor();
  });

  it('Cancel on Google: try again, or the Workspace admin must trust the app (with the link)', async () => {
    await page.getByRole('button', { name: 'Create' }).click();
    await chooseOption('Type', 'IMAP GMAIL OAuth');
    await authorizeAs('help@acme.example', 'Cancel');
    await page.getByText('Google did not grant access (access_denied).').waitFor();
    const link = page.getByRole('link', { name: 'How a Google Workspace admin trusts Mailbridge' }).first();
    expect(await link.getAttribute('href')).toBe(`${h.baseUrl}/help/google-workspace`);
  });

  it('admin_policy_enforced: Google keeps the window; closing it shows what the Workspace admin must do', async () => {
    h.google!.blockDomain('acme.example');
    try {
      await page.getByRole('button', { name: 'Create' }).click();
      await chooseOption('Type', 'IMAP GMAIL OAuth');
      const popup = await authorizeAs('help@acme.example', 'none');
      await popup.getByText('admin_policy_enforced').waitFor();
      // While Google shows its page, ours already says what the block means.
      await page.getByText('If Google says "Access blocked" or admin_policy_enforced, your Google Workspace admin must trust Mailbridge first.').waitFor();
      await popup.close();
      await page.getByText('The Google window was closed before access was granted.').waitFor();
      await page.getByRole('link', { name: 'How a Google Workspace admin trusts Mailbridge' }).first().waitFor();
    } finally {
      h.google!.blockDomain('acme.example', false);
    }
  });

  it('another account than the Username typed: use a private window signed in only to Jira', async () => {
    await page.getByRole('button', { name: 'Create' }).click();
    await chooseOption('Type', 'IMAP GMAIL OAuth');
    await page.getByLabel('Username', { exact: true }).fill('help@acme.example');
    await authorizeAs('sales@acme.example');
    await page.getByText('private (incognito) window', { exact: false }).waitFor();
  });

  it('a revoked account later: Test connection shows Needs re-authorization, Re-authorize fixes it in place', async () => {
    h.google!.revokeRefreshTokensOf('help@acme.example');
    const row = rowOf('Help desk');
    await row.getByRole('button', { name: 'Test connection' }).click();
    await statusOf('Help desk', 'Needs re-authorization').waitFor();

    const [popup] = await Promise.all([page.waitForEvent('popup'), row.getByRole('button', { name: 'Re-authorize' }).click()]);
    await popup.getByRole('button', { name: 'help@acme.example' }).click();
    await popup.getByRole('button', { name: 'Allow' }).click();
    await popup.getByRole('heading', { name: 'Authorized' }).waitFor();
    await popup.close();
    await statusOf('Help desk', 'Authorized').waitFor();
    expect((await query(h.databaseUrl, `SELECT 1 FROM "MessageSource" WHERE name = 'Help desk'`)).length).toBe(1);
  });

  it('Edit: the Default reporter and what is done with each mail (move to a label, attachment limits, original.eml) are saved and shown again', async () => {
    await rowOf('Help desk').getByRole('button', { name: 'Edit' }).click();
    // The reporter is found by name in the tenant's Jira.
    await page.getByLabel('Default reporter', { exact: true }).fill('sam');
    await page.getByRole('option', { name: 'Sam Support', exact: true }).click();
    await chooseOption('In the mailbox', 'Move it to a folder or Gmail label');
    await page.getByRole('button', { name: 'Submit' }).click();
    // Checked before anything is sent: MOVE needs somewhere to move to.
    await page.getByText('Enter the folder or Gmail label to move each mail to.').waitFor();
    await page.getByLabel('Move to', { exact: true }).fill('INBOX');
    await page.getByLabel('Largest attachment (MB)', { exact: true }).fill('2.5');
    await page.getByLabel('Attachments per mail', { exact: true }).fill('3');
    await page.getByLabel('Attach the whole mail as original.eml').check();
    await page.getByLabel('Google Groups to accept', { exact: true }).fill('Support@Acme.Example, help@acme.example');
    await page.getByRole('button', { name: 'Submit' }).click();
    // The server refuses moving mail into the folder being read, under the field.
    await page.getByText('Mail cannot be moved to "INBOX", the folder being read: choose another folder or label.').waitFor();
    await page.getByLabel('Move to', { exact: true }).fill('Mailbridge/Done');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('button', { name: 'Create' }).waitFor();

    const [row] = await query(h.databaseUrl, `SELECT "defaultReporterAccountId", "afterProcessing", "moveToFolder", "maxAttachmentBytes", "maxAttachments", "keepOriginal", "acceptedLists" FROM "MessageSource" WHERE name = 'Help desk'`);
    expect(row).toEqual({
      defaultReporterAccountId: '5b10ac8d82e05b22cc7d4ef5',
      afterProcessing: 'MOVE',
      moveToFolder: 'Mailbridge/Done',
      maxAttachmentBytes: 2_621_440,
      maxAttachments: 3,
      keepOriginal: true,
      acceptedLists: ['support@acme.example', 'help@acme.example'],
    });

    await rowOf('Help desk').getByRole('button', { name: 'Edit' }).click();
    // The saved reporter by name, as Jira knows it.
    await page.locator('form').getByText('Sam Support', { exact: true }).waitFor();
    expect(await page.getByLabel('Move to', { exact: true }).inputValue()).toBe('Mailbridge/Done');
    expect(await page.getByLabel('Largest attachment (MB)', { exact: true }).inputValue()).toBe('2.5');
    expect(await page.getByLabel('Attach the whole mail as original.eml').isChecked()).toBe(true);
    // Back to leaving mail where it is clears the folder to move to.
    await chooseOption('In the mailbox', 'Leave it as it is');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('button', { name: 'Create' }).waitFor();
    const [after] = await query(h.databaseUrl, `SELECT "afterProcessing", "moveToFolder" FROM "MessageSource" WHERE name = 'Help desk'`);
    expect(after).toEqual({ afterProcessing: 'LEAVE', moveToFolder: null });
  });
});

describe('Message Outbounds', () => {
  it('Create, Type SMTP GMAIL OAuth, Authorize, Submit: tested with XOAUTH2 against the SMTP server and saved', async () => {
    await open('/admin/message-outbounds');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Help desk replies');
    await chooseOption('Type', 'SMTP GMAIL OAuth');
    const popup = await authorizeAs('help@acme.example');
    await popup.getByRole('heading', { name: 'Authorized' }).waitFor();
    await popup.close();
    await expect.poll(() => page.getByLabel('Username', { exact: true }).inputValue()).toBe('help@acme.example');
    await page.getByRole('button', { name: 'Submit' }).click();
    await statusOf('Help desk replies', 'Authorized').waitFor({ timeout: 20_000 });
    const [row] = await query<{ status: string; username: string }>(h.databaseUrl, `SELECT status, username FROM "MessageOutbound" WHERE name = 'Help desk replies'`);
    expect(row).toEqual({ status: 'AUTHORIZED', username: 'help@acme.example' });
  });
});

describe('the page itself', () => {
  it('logged no errors of its own, and never saw a token', async () => {
    expect(consoleErrors).toEqual([]);
    const html = await page.content();
    expect(html).not.toMatch(/ya29\.|1\/\//);
  });
});

describe('the Activity of a Message Source', () => {
  it('Activity on the row shows the mail it handled: Issue created, with the link to the issue', async () => {
    const [source] = await query<{ id: string; tenantId: string }>(h.databaseUrl, `SELECT id, "tenantId" FROM "MessageSource" WHERE name = 'Help desk'`);
    const s = h.web.services;
    const ctx = await contextFor({ db: h.db, sources: s.sources, jiraFor: (t) => s.jiraFor(t), tenantById: (id) => s.tenants.findById(id) }, source!.tenantId, source!.id);
    expect(await s.ingestion.process(ctx, { raw: mail({ subject: 'Scanner jammed' }) })).toEqual({ outcome: 'done' });
    const issue = site.state.issues.find((i) => i.summary === 'Scanner jammed')!;
    // Through the Google Group accepted in the Edit above: an issue, not list mail.
    const group = { Precedence: 'list', 'Mailing-list': 'list support@acme.example; contact support+owners@acme.example', 'List-ID': '<support.acme.example>' };
    expect(await s.ingestion.process(ctx, { raw: mail({ subject: 'Via the group', headers: group }) })).toEqual({ outcome: 'done' });
    expect(site.state.issues.some((i) => i.summary === 'Via the group')).toBe(true);

    await open('/admin/message-sources');
    await rowOf('Help desk').getByRole('button', { name: 'Activity' }).click();
    await page.getByRole('heading', { name: 'Activity of "Help desk"' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Scanner jammed' });
    await row.getByText('Issue created', { exact: true }).waitFor();
    const link = row.getByRole('link', { name: issue.key });
    expect(await link.getAttribute('href')).toBe(`${site.baseUrl}/browse/${issue.key}`);
    expect(await link.getAttribute('target')).toBe('_blank');
    await page.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Create' }).waitFor();
    expect(consoleErrors).toEqual([]);
  });
});
