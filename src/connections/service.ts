// What a Jira admin does with Message Sources and Message Outbounds: create, edit, test, delete. A
// connection is saved only once it works (Submit tests it), a test leaves its outcome on the row for
// the status lozenge, and deleting the last user of a Google account gives the authorization back.
import type { MailServer } from '../config.js';
import { AppError } from '../errors.js';
import { explain, type Explanation, type ProblemCode } from '../google/explain.js';
import { GoogleError } from '../google/oauth.js';
import { CredentialRevokedError, type AccessTokens } from '../google/tokens.js';
import type { Revocation } from '../google/revocation.js';
import { checkImap } from '../mail/imap/check.js';
import { checkSmtp } from '../mail/smtp/check.js';
import { MailConnectionError, type MailAuth, type MailEndpoint } from '../mail/problems.js';
import type { ConnectionRow, ConnectionState, ConnectionView, Connections, MessageOutbounds, MessageSources } from '../store/connections.js';
import type { Credentials } from '../store/credentials.js';
import type { MessageOutboundCreate, MessageOutboundUpdate, MessageSourceCreate, MessageSourceUpdate } from '../api/schemas.js';
import { assertProcessing } from './processing.js';

export type Kind = 'source' | 'outbound';

/** The settings a connection test needs, whether saved or about to be. */
export interface Draft {
  type: string;
  username?: string | null | undefined;
  host?: string | null | undefined;
  port?: number | null | undefined;
  tls?: boolean | undefined;
  password?: string | null | undefined;
  credentialId?: string | null | undefined;
  folder?: string | undefined;
}

export interface Problem {
  code: ProblemCode;
  detail?: string | undefined;
}

export type ConnectionResult<Row> = { ok: true; connection: ConnectionView<Row> } | { ok: false; connection: ConnectionView<Row>; problem: Explanation };

const OAUTH_TYPES = new Set(['IMAP_GMAIL_OAUTH', 'SMTP_GMAIL_OAUTH']);
const CONNECTION_FIELDS = ['type', 'username', 'host', 'port', 'tls', 'password', 'credentialId', 'folder'] as const;

export interface ConnectionServiceDeps {
  sources: MessageSources;
  outbounds: MessageOutbounds;
  credentials: Credentials;
  tokens: AccessTokens;
  revocation: Revocation;
  gmail: { imap: MailServer; smtp: MailServer };
  trustPageUrl: string;
}

export class ConnectionService {
  constructor(private readonly d: ConnectionServiceDeps) {}

  explain(problem: Problem, expectedEmail?: string | null): Explanation {
    return explain(problem.code, { trustPageUrl: this.d.trustPageUrl, detail: problem.detail, expectedEmail: expectedEmail ?? undefined });
  }

  createSource = (tenantId: string, input: MessageSourceCreate) => {
    assertProcessing({ folder: input.folder ?? 'INBOX', afterProcessing: input.afterProcessing ?? 'LEAVE', moveToFolder: input.moveToFolder ?? null });
    return this.create(this.d.sources, 'source', tenantId, input);
  };
  updateSource = async (tenantId: string, id: string, patch: MessageSourceUpdate) => {
    const stored = await this.d.sources.stored(tenantId, id);
    // What the source will be after the patch (null clears the folder to move to).
    assertProcessing({
      folder: patch.folder ?? stored.folder,
      afterProcessing: patch.afterProcessing ?? stored.afterProcessing,
      moveToFolder: patch.moveToFolder === undefined ? stored.moveToFolder : patch.moveToFolder,
    });
    return this.update(this.d.sources, 'source', tenantId, id, patch);
  };
  testSource = (tenantId: string, id: string) => this.test(this.d.sources, 'source', tenantId, id);
  removeSource = (tenantId: string, id: string) => this.remove(this.d.sources, tenantId, id);

  createOutbound = (tenantId: string, input: MessageOutboundCreate) => this.create(this.d.outbounds, 'outbound', tenantId, input);
  updateOutbound = (tenantId: string, id: string, patch: MessageOutboundUpdate) => this.update(this.d.outbounds, 'outbound', tenantId, id, patch);
  testOutbound = (tenantId: string, id: string) => this.test(this.d.outbounds, 'outbound', tenantId, id);
  removeOutbound = (tenantId: string, id: string) => this.remove(this.d.outbounds, tenantId, id);

  private async create<Row extends ConnectionRow, C extends Draft & { name: string; password?: string | undefined }, U extends { name?: string | undefined; password?: string | undefined }>(
    repo: Connections<Row, C, U>,
    kind: Kind,
    tenantId: string,
    input: C,
  ): Promise<ConnectionView<Row>> {
    const draft = await this.resolveAccount(tenantId, input);
    await this.mustWork(kind, tenantId, draft);
    return repo.create(tenantId, { ...input, username: draft.username ?? undefined }, this.working());
  }

  private async update<Row extends ConnectionRow, C extends { name: string; password?: string | undefined }, U extends Partial<Draft> & { name?: string | undefined; password?: string | undefined }>(
    repo: Connections<Row, C, U>,
    kind: Kind,
    tenantId: string,
    id: string,
    patch: U,
  ): Promise<ConnectionView<Row>> {
    const stored = await repo.stored(tenantId, id);
    const checked = await this.recheck(kind, tenantId, stored, patch);
    const view = await repo.update(tenantId, id, { ...patch, ...(checked.username ? { username: checked.username } : {}) }, checked.state);
    if (patch.credentialId !== undefined && patch.credentialId !== stored.credentialId) await this.d.revocation.releaseIfUnused(tenantId, stored.credentialId);
    return view;
  }

  private async test<Row extends ConnectionRow, C extends { name: string; password?: string | undefined }, U extends { name?: string | undefined; password?: string | undefined }>(
    repo: Connections<Row, C, U>,
    kind: Kind,
    tenantId: string,
    id: string,
  ): Promise<ConnectionResult<Row>> {
    const stored = await repo.stored(tenantId, id);
    const problem = await this.probe(kind, tenantId, stored);
    await repo.setState(tenantId, id, this.stateAfter(problem));
    const connection = await repo.get(tenantId, id);
    return problem ? { ok: false, connection, problem: this.explain(problem, stored.username) } : { ok: true, connection };
  }

  private async remove<Row extends ConnectionRow, C extends { name: string; password?: string | undefined }, U extends { name?: string | undefined; password?: string | undefined }>(
    repo: Connections<Row, C, U>,
    tenantId: string,
    id: string,
  ): Promise<void> {
    const stored = await repo.stored(tenantId, id);
    await repo.remove(tenantId, id);
    await this.d.revocation.releaseIfUnused(tenantId, stored.credentialId);
  }

  // ---- shared ----

  private working(): ConnectionState {
    return { status: 'AUTHORIZED', statusReason: null, statusDetail: null, lastCheckedAt: new Date() };
  }

  private stateAfter(problem: Problem | null): ConnectionState {
    if (!problem) return this.working();
    const reauth = problem.code === 'INVALID_GRANT' || problem.code === 'TESTING_APP_EXPIRED' || problem.code === 'NOT_AUTHORIZED';
    return { status: reauth ? 'NEEDS_REAUTHORIZATION' : 'ERROR', statusReason: problem.code, statusDetail: problem.detail ?? null, lastCheckedAt: new Date() };
  }

  /** For Gmail types the Username is the authorized account: filled in when empty, checked when typed. */
  private async resolveAccount<T extends Draft>(tenantId: string, draft: T): Promise<T> {
    if (!OAUTH_TYPES.has(draft.type)) return draft;
    if (!draft.credentialId) throw this.failure({ code: 'NOT_AUTHORIZED' }, draft.username);
    const credential = await this.d.credentials.get(tenantId, draft.credentialId);
    if (!credential) throw new AppError('NOT_FOUND', 'The Google authorization was not found. Click Authorize again.', 404);
    if (draft.username && draft.username.toLowerCase() !== credential.email) {
      throw new AppError('USERNAME_MISMATCH', `The Username must be the authorized account, ${credential.email}. Clear it, or click Authorize and choose ${draft.username}.`, 400, {
        fields: { username: `Use ${credential.email}, the account you authorized.` },
      });
    }
    return { ...draft, username: credential.email };
  }

  private async mustWork(kind: Kind, tenantId: string, draft: Draft): Promise<void> {
    const problem = await this.probe(kind, tenantId, draft);
    if (problem) throw this.failure(problem, draft.username);
  }

  private failure(problem: Problem, expectedEmail?: string | null): AppError {
    const explanation = this.explain(problem, expectedEmail);
    return new AppError('CONNECTION_FAILED', explanation.message, 422, { explanation });
  }

  /** On an edit of the connection's settings, tests the result before it is saved. */
  private async recheck(kind: Kind, tenantId: string, stored: Draft, patch: Partial<Draft>) {
    // A password given is always new (the stored one is never shown); other fields count when they differ.
    const touches = CONNECTION_FIELDS.some((f) => {
      const next = (patch as Record<string, unknown>)[f];
      return next !== undefined && (f === 'password' || next !== stored[f]);
    });
    if (!touches) return { state: undefined, username: undefined };
    const merged = await this.resolveAccount(tenantId, {
      ...stored,
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
      // A new Google account brings its own address.
      ...(patch.credentialId && patch.credentialId !== stored.credentialId && !patch.username ? { username: undefined } : {}),
    });
    await this.mustWork(kind, tenantId, merged);
    return { state: this.working(), username: merged.username ?? undefined };
  }

  /** Logs in to the mailbox as the connection would; null when it works. */
  async probe(kind: Kind, tenantId: string, draft: Draft, retried = false): Promise<Problem | null> {
    const oauth = OAUTH_TYPES.has(draft.type);
    let server: MailEndpoint;
    let auth: MailAuth;
    try {
      if (oauth) {
        if (!draft.credentialId || !draft.username) return { code: 'NOT_AUTHORIZED' };
        server = kind === 'source' ? this.d.gmail.imap : this.d.gmail.smtp;
        auth = { user: draft.username, accessToken: await this.d.tokens.get(tenantId, draft.credentialId) };
      } else {
        const tls = draft.tls ?? true;
        server = { host: draft.host ?? '', port: draft.port ?? (kind === 'source' ? (tls ? 993 : 143) : tls ? 465 : 587), tls };
        auth = { user: draft.username ?? '', pass: draft.password ?? '' };
      }
      if (kind === 'source') await checkImap(server, auth, draft.folder ?? 'INBOX');
      else await checkSmtp(server, auth);
      return null;
    } catch (err) {
      if (err instanceof CredentialRevokedError) return { code: err.code };
      if (err instanceof GoogleError) return { code: err.reason === 'unavailable' ? 'GOOGLE_UNAVAILABLE' : 'GOOGLE_ERROR', detail: err.message };
      if (err instanceof MailConnectionError) {
        // A cached access token Gmail refuses may have been revoked a moment ago: one fresh try.
        if (oauth && err.code === 'MAIL_AUTH_FAILED' && !retried && draft.credentialId) {
          this.d.tokens.forget(tenantId, draft.credentialId);
          return this.probe(kind, tenantId, draft, true);
        }
        return { code: err.code, detail: err.detail };
      }
      throw err;
    }
  }
}
