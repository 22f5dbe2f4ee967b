// The admin API for Message Sources and Message Outbounds: what a Jira admin's actions do, with clear
// errors for bad input and never a secret in an answer. The mailboxes are real (Dovecot, with passwords
// here; the Gmail types are in connections.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JiraSite } from '../../dev/jira/site.js';
import { apiClient } from '../helpers/api.js';
import { dumpDatabase } from '../helpers/database.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let site: JiraSite;
let api: ReturnType<typeof apiClient>;

const PASSWORD = 'correct-horse-battery-staple-42';
/** A plain IMAP mailbox on the test's Dovecot. */
const mailbox = () => ({ type: 'IMAP' as const, host: '127.0.0.1', port: h.dovecot!.imapPort, tls: false, username: 'support@example.com', password: PASSWORD });

beforeAll(async () => {
  h = await startHarness({ mail: true, passwordUsers: [{ user: 'support@example.com', password: PASSWORD }] });
  site = await h.jira.createSite();
  await site.install(h.baseUrl);
  api = apiClient(h.baseUrl, site);
});
afterAll(async () => {
  await h.stop();
});

type ErrorBody = { error: { code: string; message: string; fields?: Record<string, string> } };

describe('Message Sources', () => {
  it('creates, lists, edits and deletes one', async () => {
    const created = await api<{ id: string; name: string; type: string; status: string; folder: string }>('POST', '/api/message-sources', {
      ...mailbox(),
      name: 'Help desk',
      projectId: '10000',
      issueTypeId: '10001',
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ name: 'Help desk', type: 'IMAP', status: 'AUTHORIZED', folder: 'INBOX' });

    const edited = await api<{ name: string; afterProcessing: string }>('PATCH', `/api/message-sources/${created.body.id}`, { name: 'Help', afterProcessing: 'MARK_READ' });
    expect(edited.body).toMatchObject({ name: 'Help', afterProcessing: 'MARK_READ' });
    expect((await api<{ name: string }[]>('GET', '/api/message-sources')).body.map((s) => s.name)).toContain('Help');

    expect((await api('DELETE', `/api/message-sources/${created.body.id}`)).status).toBe(204);
    expect((await api('GET', `/api/message-sources/${created.body.id}`)).status).toBe(404);
  });

  it('names each missing or wrong field in words a user can act on', async () => {
    const noName = await api<ErrorBody>('POST', '/api/message-sources', { type: 'IMAP_GMAIL_OAUTH' });
    expect(noName.status).toBe(400);
    expect(noName.body.error).toMatchObject({ code: 'INVALID_INPUT', fields: { name: 'Enter a Name.' } });

    const res = await api<ErrorBody>('POST', '/api/message-sources', { name: 'Old server', type: 'IMAP' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields).toEqual({ host: 'Enter the server host name.', username: 'Enter the Username.' });

    const badType = await api<ErrorBody>('POST', '/api/message-sources', { name: 'x', type: 'POP3' });
    expect(badType.status).toBe(400);
    expect(badType.body.error.fields).toEqual({ type: 'Choose a Type: IMAP GMAIL OAuth or IMAP.' });

    const unknownField = await api<ErrorBody>('POST', '/api/message-sources', { name: 'x', type: 'IMAP_GMAIL_OAUTH', tenantId: 'someone-elses' });
    expect(unknownField.status).toBe(400);
  });

  it('keeps the Google Groups to accept as lower-cased addresses, and refuses what is not an address', async () => {
    const created = await api<{ id: string; acceptedLists: string[] }>('POST', '/api/message-sources', { ...mailbox(), name: 'Groups', acceptedLists: [' Support@Acme.Example '] });
    expect(created.status, created.text).toBe(201);
    expect(created.body.acceptedLists).toEqual(['support@acme.example']);
    const bad = await api<ErrorBody>('PATCH', `/api/message-sources/${created.body.id}`, { acceptedLists: ['support'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual({ 'acceptedLists.0': 'Enter each Google Group as its email address, e.g. support@acme.example.' });
    const moved = await api<ErrorBody>('PATCH', `/api/message-sources/${created.body.id}`, { afterProcessing: 'MOVE' });
    expect(moved.body.error.fields).toEqual({ moveToFolder: 'Enter the folder or Gmail label to move each mail to.' });
    expect((await api('DELETE', `/api/message-sources/${created.body.id}`)).status).toBe(204);
  });

  it('refuses a second source with the same Name (409) and a malformed id (400)', async () => {
    expect((await api('POST', '/api/message-sources', { ...mailbox(), name: 'Twice' })).status).toBe(201);
    const again = await api<ErrorBody>('POST', '/api/message-sources', { ...mailbox(), name: 'Twice' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'NAME_TAKEN', message: expect.stringContaining('Twice') });
    expect((await api('GET', '/api/message-sources/not-an-id')).status).toBe(400);
  });

  it('keeps a plain IMAP password sealed: never in an answer, never in the database in clear', async () => {
    const password = PASSWORD;
    const res = await api<{ id: string; hasPassword: boolean }>('POST', '/api/message-sources', { ...mailbox(), name: 'Legacy' });
    expect(res.status, res.text).toBe(201);
    expect(res.body.hasPassword).toBe(true);
    expect(res.text).not.toContain(password);
    expect(res.text).not.toMatch(/passwordCipher|passwordKeyId|tenantId/);
    expect((await api('GET', '/api/message-sources')).text).not.toContain(password);
    expect(await dumpDatabase(h.databaseUrl)).not.toContain(password);
    expect(h.logs.join('')).not.toContain(password);
  });

  it('answers malformed JSON with 400, not a crash', async () => {
    const res = await fetch(`${h.baseUrl}/api/message-sources`, {
      method: 'POST',
      headers: { authorization: `JWT ${site.contextToken()}`, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.code).toBe('INVALID_JSON');
  });
});

describe('Message Outbounds', () => {
  it('creates a plain SMTP one, without its password in the answer', async () => {
    const smtp = await api<{ hasPassword: boolean; host: string }>('POST', '/api/message-outbounds', {
      name: 'Relay',
      type: 'SMTP',
      host: '127.0.0.1',
      port: h.smtp!.port,
      tls: false,
      username: 'support@example.com',
      password: PASSWORD,
    });
    expect(smtp.status, smtp.text).toBe(201);
    expect(smtp.body).toMatchObject({ host: '127.0.0.1', hasPassword: true });
    expect(smtp.text).not.toContain(PASSWORD);
  });
});

describe('the public routes', () => {
  it('serve the descriptor with our baseUrl, and the health check', async () => {
    const d = (await (await fetch(`${h.baseUrl}/atlassian-connect.json`)).json()) as { baseUrl: string; lifecycle: Record<string, string>; apiMigrations: Record<string, boolean> };
    expect(d.baseUrl).toBe(h.baseUrl);
    expect(d.lifecycle).toEqual({ installed: '/installed', uninstalled: '/uninstalled' });
    expect(d.apiMigrations).toEqual({ 'signed-install': true, 'context-qsh': true });
    const health = await fetch(`${h.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('answer unknown paths with a JSON 404', async () => {
    const res = await fetch(`${h.baseUrl}/nothing-here`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error.code).toBe('NOT_FOUND');
  });
});
