// A stand-in for Google's OAuth 2.0 and OpenID Connect endpoints, for the tests and the local sandbox:
// Google cannot be reached from here, and the failures we must handle (a Workspace admin's block, a user
// who unticks Gmail, a revoked or 7-day refresh token, tokeninfo down) cannot be produced at will there.
// One loopback port serves the consent pages, token, revoke, certs, tokeninfo and userinfo at the paths
// Google uses, so settings shaped like Google's URLs point at it. Answers follow Google's, error strings
// included; what it does differently is said where it does. It logs nothing unless given a logger, and
// never a token.
import { createHash, createPublicKey, randomBytes, timingSafeEqual, verify } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { listen, type Listening } from '../http.js';
import { blockedPage, chooserPage, consentPage, errorPage, type ErrorDetails } from './pages.js';
import { canonical, hasScope, isBasic, isValidScope, redirectScope, splitScopes, tokenScope } from './scopes.js';
import {
  atHash,
  newAccessToken,
  newClientId,
  newClientSecret,
  newCode,
  newRefreshToken,
  sharedSigningKey,
  signJwt,
  subjectOf,
  type SigningKey,
} from './tokens.js';

export interface ClientInput {
  /** Generated in Google's shape when omitted. */
  clientId?: string;
  clientSecret?: string;
  /** Exact matches, as for a Google "Web application" client. */
  redirectUris: string[];
  /** The app name the consent screen shows; "Mailbridge" by default. */
  name?: string;
  /** Set for an app in "Testing" status (7 days = 604800): refresh tokens die after it. */
  refreshTokenLifetimeSec?: number;
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  name: string;
  refreshTokenLifetimeSec?: number | undefined;
}

export interface AccountInput {
  email: string;
  name?: string;
  /** The Google Workspace domain; omit for a personal (@gmail.com style) account. */
  hd?: string;
}

export interface Account {
  email: string;
  name: string;
  hd?: string | undefined;
  /** Google's stable numeric subject id. */
  sub: string;
}

export interface TokenRequestRecord {
  at: Date;
  grantType: string;
  clientId: string | undefined;
  email: string | undefined;
  /** 'ok' or the error code answered (invalid_grant, invalid_client...). */
  result: string;
  status: number;
}

export interface TokeninfoRequestRecord {
  at: Date;
  result: 'valid' | 'invalid' | 'unavailable';
  email: string | undefined;
}

export interface ConsentResult {
  /** Status of the last answer: 302 back to the app, or 400/401 on one of Google's error pages. */
  status: number;
  /** Where the browser is sent back to the app, if it is. */
  location: string | undefined;
  html: string;
}

export interface GoogleEmulatorOptions {
  port?: number;
  /** Replace the default accounts (DEFAULT_ACCOUNTS). */
  accounts?: AccountInput[];
  clients?: ClientInput[];
  /** Google's is 3599. */
  accessTokenLifetimeSec?: number;
  /** pino works; nothing is logged without one. */
  logger?: { info(fields: Record<string, unknown>, message: string): void };
}

export const DEFAULT_ACCOUNTS: readonly AccountInput[] = [
  { email: 'help@acme.example', name: 'Acme Help Desk', hd: 'acme.example' },
  { email: 'sales@acme.example', name: 'Acme Sales', hd: 'acme.example' },
  { email: 'someone@gmail.com', name: 'Some One' },
];

const ISSUER = 'https://accounts.google.com';
const CODE_LIFETIME_MS = 10 * 60_000;
const FLOW_LIFETIME_MS = 60 * 60_000;
const ID_TOKEN_LIFETIME_SEC = 3600;
/** Google keeps 100 refresh tokens per account and client; the 101st invalidates the oldest. */
const MAX_REFRESH_TOKENS = 100;
/** Google's certs answer caches for hours. */
const CERTS_CACHE = 'public, max-age=21600, must-revalidate, no-transform';

const PATHS = {
  auth: '/o/oauth2/v2/auth',
  chooser: '/signin/oauth/id',
  consent: '/signin/oauth/consent',
  token: '/token',
  revoke: '/revoke',
  certs: '/oauth2/v1/certs',
  jwks: '/oauth2/v3/certs',
  tokeninfo: '/tokeninfo',
  userinfo: '/oauth2/v3/userinfo',
  discovery: '/.well-known/openid-configuration',
};

/** An authorization request between the consent URL and the decision. */
interface Flow {
  id: string;
  client: OAuthClient;
  redirectUri: string;
  requested: string[];
  state: string | undefined;
  offline: boolean;
  prompts: Set<string>;
  includeGranted: boolean;
  loginHint: string | undefined;
  hd: string | undefined;
  nonce: string | undefined;
  challenge: { value: string; method: 'S256' | 'plain' } | undefined;
  email?: string;
  expiresAt: number;
}

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  email: string;
  scopes: Set<string>;
  offline: boolean;
  /** prompt included consent: Google then issues a new refresh token even if one is live. */
  forceConsent: boolean;
  challenge: Flow['challenge'];
  nonce: string | undefined;
  expiresAt: number;
  used: boolean;
}

interface RefreshGrant {
  clientId: string;
  email: string;
  scopes: Set<string>;
  issuedAt: number;
  expiresAt: number | undefined;
  dead: boolean;
}

interface AccessGrant {
  clientId: string;
  email: string;
  scopes: Set<string>;
  expiresAt: number;
  offline: boolean;
  revoked: boolean;
}

type Outcome = { redirect: string; status?: 302 | 303 } | { page: string; status: number };
type Params = Record<string, unknown>;

/** One value of a query or form field; a repeated field counts as absent (Google refuses repeats). */
function param(source: unknown, name: string): string | undefined {
  const v = (source as Params | undefined)?.[name];
  return typeof v === 'string' ? v : undefined;
}

function params(source: unknown, name: string): string[] {
  const v = (source as Params | undefined)?.[name];
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

const grantKey = (clientId: string, email: string) => `${clientId}\n${email}`;
const domainOf = (a: Account) => a.hd ?? a.email.slice(a.email.indexOf('@') + 1);
const seconds = (ms: number) => Math.max(0, Math.floor(ms / 1000));
const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function pkceMatches(challenge: NonNullable<Flow['challenge']>, verifier: string): boolean {
  const derived = challenge.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return same(derived, challenge.value);
}

export class GoogleEmulator {
  /** Every call of the token endpoint, in order; no tokens in it. */
  readonly tokenRequests: TokenRequestRecord[] = [];
  readonly tokeninfoRequests: TokeninfoRequestRecord[] = [];
  accessTokenLifetimeSec: number;

  private readonly clients = new Map<string, OAuthClient>();
  private readonly accounts = new Map<string, Account>();
  private readonly flows = new Map<string, Flow>();
  private readonly codes = new Map<string, CodeGrant>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly accessTokens = new Map<string, AccessGrant>();
  /** What each account has granted each client so far (canonical scopes), for include_granted_scopes. */
  private readonly grants = new Map<string, Set<string>>();
  private readonly issuedTo = new Map<string, number>();
  private readonly blocked = new Set<string>();
  private readonly policyDenied = new Set<string>();
  private readonly grantOnlyFor = new Map<string, Set<string>>();
  private tokeninfoIsDown = false;
  private tokenIsDown = false;
  private server!: Listening;

  private constructor(
    private readonly key: SigningKey,
    private readonly logger: GoogleEmulatorOptions['logger'],
    accessTokenLifetimeSec: number,
  ) {
    this.accessTokenLifetimeSec = accessTokenLifetimeSec;
  }

  static async start(options: GoogleEmulatorOptions = {}): Promise<GoogleEmulator> {
    const emulator = new GoogleEmulator(await sharedSigningKey(), options.logger, options.accessTokenLifetimeSec ?? 3599);
    for (const a of options.accounts ?? DEFAULT_ACCOUNTS) emulator.addAccount(a);
    for (const c of options.clients ?? []) emulator.registerClient(c);
    emulator.server = await listen(emulator.app(), options.port);
    return emulator;
  }

  async stop(): Promise<void> {
    await this.server.close();
  }

  get url(): string {
    return this.server.url;
  }
  get authUrl(): string {
    return this.url + PATHS.auth;
  }
  get tokenUrl(): string {
    return this.url + PATHS.token;
  }
  get revokeUrl(): string {
    return this.url + PATHS.revoke;
  }
  get certsUrl(): string {
    return this.url + PATHS.certs;
  }
  get jwksUrl(): string {
    return this.url + PATHS.jwks;
  }
  get tokeninfoUrl(): string {
    return this.url + PATHS.tokeninfo;
  }
  get userinfoUrl(): string {
    return this.url + PATHS.userinfo;
  }

  /** Ready for `new OAuth2Client({..., endpoints: google.endpoints})` (google-auth-library's names). */
  get endpoints() {
    return {
      oauth2AuthBaseUrl: this.authUrl,
      oauth2TokenUrl: this.tokenUrl,
      oauth2RevokeUrl: this.revokeUrl,
      oauth2FederatedSignonPemCertsUrl: this.certsUrl,
      oauth2FederatedSignonJwkCertsUrl: this.jwksUrl,
      tokenInfoUrl: this.tokeninfoUrl,
    };
  }

  /** 'x509' when openssl made a certificate, 'spki' for the public-key fallback. */
  get certificateKind(): SigningKey['kind'] {
    return this.key.kind;
  }

  /** Adds a client, or replaces the one with the same id (to change its redirect URIs). */
  registerClient(input: ClientInput): OAuthClient {
    const client: OAuthClient = {
      clientId: input.clientId ?? newClientId(),
      clientSecret: input.clientSecret ?? newClientSecret(),
      redirectUris: [...input.redirectUris],
      name: input.name ?? 'Mailbridge',
      refreshTokenLifetimeSec: input.refreshTokenLifetimeSec,
    };
    this.clients.set(client.clientId, client);
    return client;
  }

  addAccount(input: AccountInput): Account {
    const email = input.email.toLowerCase();
    const account: Account = { email, name: input.name ?? email.slice(0, email.indexOf('@')), hd: input.hd, sub: subjectOf(email) };
    this.accounts.set(email, account);
    return account;
  }

  account(email: string): Account | undefined {
    return this.accounts.get(email.toLowerCase());
  }

  // ---- Switches tests flip ----

  /** The Workspace admin has not trusted our client: Google shows admin_policy_enforced and stops there. */
  blockDomain(domain: string, blocked = true): void {
    this.toggle(this.blocked, domain.toLowerCase(), blocked);
  }

  /** A policy that ends the flow with a redirect back carrying error=access_denied. */
  denyByPolicy(domain: string, denied = true): void {
    this.toggle(this.policyDenied, domain.toLowerCase(), denied);
  }

  /**
   * The user unticks scopes on the consent screen: only these (plus openid/email/profile, which have no
   * checkbox) are granted. `undefined` ends it.
   */
  grantOnly(email: string, scopes: string[] | undefined): void {
    if (scopes) this.grantOnlyFor.set(email.toLowerCase(), new Set(scopes.map(canonical)));
    else this.grantOnlyFor.delete(email.toLowerCase());
  }

  /** tokeninfo answers 503, which Dovecot reports as a temporary failure (UNAVAILABLE). */
  tokeninfoDown(down = true): void {
    this.tokeninfoIsDown = down;
  }

  /** The token endpoint answers 503 (google-auth-library retries 5xx three times before it gives up). */
  tokenEndpointDown(down = true): void {
    this.tokenIsDown = down;
  }

  // ---- Token controls ----

  /** Every access token (of one account, if given) expires now. Returns how many. */
  expireAccessTokens(email?: string): number {
    let n = 0;
    for (const t of this.accessTokens.values()) {
      if (email !== undefined && t.email !== email.toLowerCase()) continue;
      if (t.expiresAt > Date.now()) n++;
      t.expiresAt = Date.now() - 1;
    }
    return n;
  }

  /**
   * The user removed the app's access to the account (or an admin reset it): every refresh token of
   * the account, for every client, is revoked, and the access tokens with them.
   */
  revokeRefreshTokensOf(email: string): number {
    const e = email.toLowerCase();
    let n = 0;
    for (const c of this.clients.values()) n += this.revokeGrant(c.clientId, e);
    return n;
  }

  /** The refresh token dies as a Testing app's does after 7 days; access tokens already issued live on. */
  expireRefreshToken(token: string): boolean {
    const r = this.refreshTokens.get(token);
    if (!r || r.dead) return false;
    r.dead = true;
    return true;
  }

  expireRefreshTokensOf(email: string): number {
    return this.liveRefreshTokens(undefined, email.toLowerCase()).filter((t) => this.expireRefreshToken(t)).length;
  }

  /** Live refresh tokens of an account, newest last (tests that have no other way to name one). */
  refreshTokensOf(email: string, clientId?: string): string[] {
    return this.liveRefreshTokens(clientId, email.toLowerCase());
  }

  /** Access tokens issued to the account so far, by code or refresh. */
  accessTokensIssued(email: string): number {
    return this.issuedTo.get(email.toLowerCase()) ?? 0;
  }

  /**
   * Follows Google's pages as a user would, from an authorization URL (the app's consent URL): chooses
   * the account, then Allow or Cancel, leaving the `uncheck` scopes unticked. Ends at the redirect back
   * to the app (`location`) or at the Google page where the flow stops.
   */
  async consent(
    authorizationUrl: string,
    choice: { account: string; decision?: 'allow' | 'cancel'; uncheck?: string[] },
  ): Promise<ConsentResult> {
    let res = await fetch(authorizationUrl, { redirect: 'manual' });
    for (;;) {
      const location = res.headers.get('location') ?? undefined;
      if (location?.startsWith(`${this.url}/`)) {
        res = await fetch(location, { redirect: 'manual' });
        continue;
      }
      const html = await res.text();
      const flow = /name="flow" value="([^"]+)"/.exec(html)?.[1];
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
      if (location || !flow || !action) return { status: res.status, location, html };
      const form = new URLSearchParams({ flow });
      if (html.includes('name="account"')) form.set('account', choice.account);
      else {
        form.set('decision', choice.decision ?? 'allow');
        for (const m of html.matchAll(/name="scope" value="([^"]+)"/g)) {
          const scope = m[1]!.replace(/&amp;/g, '&');
          if (!choice.uncheck?.some((u) => canonical(u) === canonical(scope))) form.append('scope', scope);
        }
      }
      res = await fetch(this.url + action, { method: 'POST', body: form, redirect: 'manual' });
    }
  }

  // ---- HTTP ----

  private app(): express.Express {
    const app = express();
    app.disable('x-powered-by');
    app.set('query parser', 'simple');
    const form = express.urlencoded({ extended: false });
    const json = express.json();
    app.get(PATHS.auth, (req, res) => this.send(res, this.authorize(req.query)));
    app.get('/o/oauth2/auth', (req, res) => this.send(res, this.authorize(req.query))); // Google's v1 path
    app.post(PATHS.chooser, form, (req, res) => this.send(res, this.choose(req.body)));
    app.get(PATHS.consent, (req, res) => this.send(res, this.consentScreen(param(req.query, 'flow'))));
    app.post(PATHS.consent, form, (req, res) => this.send(res, this.decide(req.body)));
    app.post(PATHS.token, form, json, (req, res) => this.token(req, res));
    app.post(PATHS.revoke, form, (req, res) => this.revoke(req, res));
    app.all(PATHS.tokeninfo, form, (req, res) => this.tokeninfo(req, res));
    app.all('/oauth2/v3/tokeninfo', form, (req, res) => this.tokeninfo(req, res));
    app.get(PATHS.userinfo, (req, res) => this.userinfo(req, res));
    app.get(PATHS.certs, (_req, res) => {
      res.set('cache-control', CERTS_CACHE).json({ [this.key.kid]: this.key.publicPem });
    });
    app.get(PATHS.jwks, (_req, res) => {
      res.set('cache-control', CERTS_CACHE).json({ keys: [this.key.jwk] });
    });
    app.get(PATHS.discovery, (_req, res) => {
      res.json(this.discovery());
    });
    // Malformed bodies: answer as Google does, without Express printing a stack trace.
    app.use((err: { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
      res.status(err.status ?? 400).json({ error: 'invalid_request', error_description: 'Bad Request' });
    });
    return app;
  }

  private send(res: Response, outcome: Outcome): void {
    if ('redirect' in outcome) res.redirect(outcome.status ?? 302, outcome.redirect);
    else res.status(outcome.status).type('html').send(outcome.page);
  }

  // ---- Consent pages ----

  /** Checks the consent URL in Google's order; errors before the redirect URI is trusted are pages. */
  private authorize(query: Params): Outcome {
    const details = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]));
    const fail = (status: number, error: string, message: string, extra: Partial<ErrorDetails> = {}): Outcome => ({
      status,
      page: errorPage({ status, error, message, details, ...extra }),
    });
    const repeated = Object.entries(query).find(([, v]) => Array.isArray(v));
    if (repeated) return fail(400, 'invalid_request', `Parameter not allowed to be repeated: ${repeated[0]}`);
    const clientId = param(query, 'client_id');
    if (!clientId) return fail(400, 'invalid_request', 'Missing required parameter: client_id');
    const client = this.clients.get(clientId);
    if (!client) return fail(401, 'invalid_client', 'The OAuth client was not found.');
    const redirectUri = param(query, 'redirect_uri');
    if (!redirectUri) return fail(400, 'invalid_request', 'Missing required parameter: redirect_uri');
    if (!client.redirectUris.includes(redirectUri)) {
      return fail(400, 'redirect_uri_mismatch', `You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy.`, {
        heading: "Access blocked: This app's request is invalid",
      });
    }
    // Google answers the remaining faults with pages too, not with a redirect carrying error=.
    const responseType = param(query, 'response_type');
    if (!responseType) return fail(400, 'invalid_request', 'Required parameter is missing: response_type');
    if (responseType !== 'code') return fail(400, 'invalid_request', `Invalid response_type: ${responseType} (the emulator supports code only)`);
    const requested = splitScopes(param(query, 'scope'));
    if (requested.length === 0) return fail(400, 'invalid_request', 'Missing required parameter: scope');
    const invalid = requested.filter((s) => !isValidScope(s));
    if (invalid.length) return fail(400, 'invalid_scope', `Some requested scopes were invalid. {invalid=[${invalid.join(', ')}]}`);
    const accessType = param(query, 'access_type') ?? 'online';
    if (accessType !== 'online' && accessType !== 'offline') return fail(400, 'invalid_request', `Invalid access_type: ${accessType}`);
    const prompts = new Set(splitScopes(param(query, 'prompt')));
    const badPrompt = [...prompts].find((p) => !['none', 'consent', 'select_account'].includes(p));
    if (badPrompt) return fail(400, 'invalid_request', `Invalid prompt: ${badPrompt}`);
    if (prompts.has('none') && prompts.size > 1) return fail(400, 'invalid_request', 'prompt=none cannot be combined with other values');
    const challenge = param(query, 'code_challenge');
    const method = param(query, 'code_challenge_method') ?? 'plain';
    if (method !== 'S256' && method !== 'plain') return fail(400, 'invalid_request', `Invalid code_challenge_method: ${method}`);
    if (param(query, 'code_challenge_method') && !challenge) return fail(400, 'invalid_request', 'Missing code_challenge');

    const flow: Flow = {
      id: randomBytes(18).toString('base64url'),
      client,
      redirectUri,
      requested,
      state: param(query, 'state'),
      offline: accessType === 'offline',
      prompts,
      includeGranted: param(query, 'include_granted_scopes') === 'true',
      loginHint: param(query, 'login_hint')?.toLowerCase(),
      hd: param(query, 'hd')?.toLowerCase(),
      nonce: param(query, 'nonce'),
      challenge: challenge ? { value: challenge, method } : undefined,
      expiresAt: Date.now() + FLOW_LIFETIME_MS,
    };
    if (prompts.has('none')) return this.silently(flow);
    this.flows.set(flow.id, flow);
    return { status: 200, page: chooserPage(PATHS.chooser, flow.id, client.name, this.chooserAccounts(flow)) };
  }

  /**
   * The hinted account first, then the accounts of the `hd` domain, then the rest: both are hints to
   * Google's UI, and the user may still pick any account (so the app must check the id_token).
   */
  private chooserAccounts(flow: Flow) {
    const hinted = (a: Account) => flow.loginHint === a.email || flow.loginHint === a.sub;
    const rank = (a: Account) => (hinted(a) ? 0 : flow.hd && a.hd === flow.hd ? 1 : 2);
    return [...this.accounts.values()]
      .sort((a, b) => rank(a) - rank(b))
      .map((a) => ({ email: a.email, name: a.name, hinted: hinted(a) }));
  }

  /** prompt=none: no page may be shown, so either the hinted account already granted it all, or an error. */
  private silently(flow: Flow): Outcome {
    const account = [...this.accounts.values()].find((a) => flow.loginHint === a.email || flow.loginHint === a.sub);
    if (!account) return this.back(flow, { error: 'interaction_required' });
    if (this.blocked.has(domainOf(account)) || this.policyDenied.has(domainOf(account))) return this.back(flow, { error: 'access_denied' });
    flow.email = account.email;
    const earlier = this.grants.get(grantKey(flow.client.clientId, account.email));
    if (!earlier || !flow.requested.every((s) => earlier.has(canonical(s)))) return this.back(flow, { error: 'consent_required' });
    return this.approve(flow, new Set(flow.requested.map(canonical)), 'none');
  }

  private liveFlow(id: string | undefined): Flow | undefined {
    const flow = id ? this.flows.get(id) : undefined;
    if (flow && flow.expiresAt > Date.now()) return flow;
    if (flow) this.flows.delete(flow.id);
    return undefined;
  }

  private expired(): Outcome {
    return {
      status: 400,
      page: errorPage({ status: 400, error: 'invalid_request', message: 'This sign-in request has expired or was already answered. Start again from the app.' }),
    };
  }

  private choose(body: unknown): Outcome {
    const flow = this.liveFlow(param(body, 'flow'));
    if (!flow) return this.expired();
    const account = this.accounts.get(param(body, 'account')?.toLowerCase() ?? '');
    if (!account) return { status: 400, page: errorPage({ status: 400, error: 'invalid_request', message: "Couldn't find your Google Account" }) };
    const domain = domainOf(account);
    if (this.blocked.has(domain)) {
      this.flows.delete(flow.id);
      return { status: 400, page: blockedPage(flow.client.name, domain) };
    }
    if (this.policyDenied.has(domain)) return this.back(flow, { error: 'access_denied' });
    flow.email = account.email;
    // Google skips the consent screen when everything asked was granted before and consent is not forced.
    const earlier = this.grants.get(grantKey(flow.client.clientId, account.email));
    if (!flow.prompts.has('consent') && earlier && flow.requested.every((s) => earlier.has(canonical(s)))) {
      return this.approve(flow, new Set(flow.requested.map(canonical)), 'none');
    }
    return { status: 303, redirect: `${this.url}${PATHS.consent}?flow=${flow.id}` };
  }

  private consentScreen(id: string | undefined): Outcome {
    const flow = this.liveFlow(id);
    if (!flow?.email) return this.expired();
    return { status: 200, page: consentPage(PATHS.consent, flow.id, flow.client.name, flow.email, flow.requested) };
  }

  private decide(body: unknown): Outcome {
    const flow = this.liveFlow(param(body, 'flow'));
    if (!flow?.email) return this.expired();
    if (param(body, 'decision') !== 'allow') return this.back(flow, { error: 'access_denied' });
    const ticked = params(body, 'scope');
    const only = this.grantOnlyFor.get(flow.email);
    const granted = flow.requested.filter((s) => isBasic(s) || (ticked.includes(s) && (!only || only.has(canonical(s)))));
    return this.approve(flow, new Set(granted.map(canonical)), 'consent');
  }

  /** Records the grant, makes a code and sends the browser back, as Google's redirect does. */
  private approve(flow: Flow, granted: Set<string>, prompt: 'consent' | 'none'): Outcome {
    const email = flow.email!;
    const key = grantKey(flow.client.clientId, email);
    const earlier = this.grants.get(key) ?? new Set<string>();
    this.grants.set(key, new Set([...earlier, ...granted]));
    const scopes = flow.includeGranted ? new Set([...earlier, ...granted]) : granted;
    const code = newCode();
    this.codes.set(code, {
      clientId: flow.client.clientId,
      redirectUri: flow.redirectUri,
      email,
      scopes,
      offline: flow.offline,
      forceConsent: flow.prompts.has('consent'),
      challenge: flow.challenge,
      nonce: flow.nonce,
      expiresAt: Date.now() + CODE_LIFETIME_MS,
      used: false,
    });
    const hd = this.accounts.get(email)?.hd;
    return this.back(flow, { code, scope: redirectScope(flow.requested, scopes), authuser: '0', ...(hd ? { hd } : {}), prompt });
  }

  /** The redirect back to the app: state first, as Google puts it, and only if the app sent one. */
  private back(flow: Flow, values: Record<string, string>): Outcome {
    this.flows.delete(flow.id);
    const all = flow.state === undefined ? values : 'error' in values ? { ...values, state: flow.state } : { state: flow.state, ...values };
    const query = Object.entries(all)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&');
    return { status: 302, redirect: `${flow.redirectUri}${flow.redirectUri.includes('?') ? '&' : '?'}${query}` };
  }

  // ---- Token endpoint ----

  private token(req: Request, res: Response): void {
    const body = req.body as Params;
    const grantType = param(body, 'grant_type') ?? '';
    const auth = this.clientOf(req, body);
    const clientId = auth.clientId;
    let email: string | undefined;
    const answer = (status: number, json: Record<string, unknown>) => {
      const result = status === 200 ? 'ok' : String(json.error);
      this.tokenRequests.push({ at: new Date(), grantType, clientId, email, result, status });
      this.log({ grantType, clientId, email, result, status }, 'google emulator: token request');
      res.status(status).set({ 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache' }).json(json);
    };
    const fail = (status: number, error: string, description: string) => answer(status, { error, error_description: description });

    if (this.tokenIsDown) return answer(503, { error: 'temporarily_unavailable', error_description: 'Service unavailable' });
    if ('error' in auth) return fail(auth.status, auth.error, auth.description);
    const client = auth.client;

    if (grantType === 'authorization_code') {
      const code = param(body, 'code');
      if (!code) return fail(400, 'invalid_request', 'Missing required parameter: code');
      const grant = this.codes.get(code);
      if (!grant || grant.used || grant.expiresAt <= Date.now() || grant.clientId !== client.clientId) return fail(400, 'invalid_grant', 'Bad Request');
      email = grant.email;
      const redirectUri = param(body, 'redirect_uri');
      if (!redirectUri) return fail(400, 'invalid_request', 'Missing parameter: redirect_uri');
      if (redirectUri !== grant.redirectUri) return fail(400, 'redirect_uri_mismatch', 'Bad Request');
      if (grant.challenge) {
        const verifier = param(body, 'code_verifier');
        if (!verifier) return fail(400, 'invalid_grant', 'Missing code verifier.');
        if (!pkceMatches(grant.challenge, verifier)) return fail(400, 'invalid_grant', 'Invalid code verifier.');
      }
      grant.used = true;
      // A refresh token with offline access, when consent was forced or this is the first one.
      const fresh = grant.offline && (grant.forceConsent || this.liveRefreshTokens(client.clientId, grant.email).length === 0);
      const refreshToken = fresh ? this.issueRefreshToken(client, grant.email, grant.scopes) : undefined;
      return answer(200, this.issueTokens(client, grant.email, grant.scopes, grant.offline, { refreshToken, isNew: true, nonce: grant.nonce }));
    }

    if (grantType === 'refresh_token') {
      const token = param(body, 'refresh_token');
      if (!token) return fail(400, 'invalid_request', 'Missing required parameter: refresh_token');
      const grant = this.refreshTokens.get(token);
      if (!grant) return fail(400, 'invalid_grant', 'Bad Request');
      email = grant.email;
      if (!this.isLive(grant)) return fail(400, 'invalid_grant', 'Token has been expired or revoked.');
      if (grant.clientId !== client.clientId) return fail(400, 'unauthorized_client', 'Unauthorized');
      return answer(200, this.issueTokens(client, grant.email, grant.scopes, true, { refreshToken: token }));
    }

    return fail(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
  }

  /** Client authentication: HTTP Basic, or client_id and client_secret in the body. */
  private clientOf(
    req: Request,
    body: Params,
  ): { client: OAuthClient; clientId: string } | { clientId: string | undefined; status: number; error: string; description: string } {
    let id = param(body, 'client_id');
    let secret = param(body, 'client_secret');
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      id = decodeURIComponent(decoded.slice(0, Math.max(colon, 0)));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (!id) return { clientId: id, status: 400, error: 'invalid_request', description: 'Could not determine client ID from request.' };
    const client = this.clients.get(id);
    if (!client) return { clientId: id, status: 401, error: 'invalid_client', description: 'The OAuth client was not found.' };
    if (!secret) return { clientId: id, status: 400, error: 'invalid_request', description: 'client_secret is missing.' };
    if (!same(secret, client.clientSecret)) return { clientId: id, status: 401, error: 'invalid_client', description: 'Unauthorized' };
    return { client, clientId: id };
  }

  private issueRefreshToken(client: OAuthClient, email: string, scopes: Set<string>): string {
    const live = this.liveRefreshTokens(client.clientId, email);
    for (const old of live.slice(0, Math.max(0, live.length - MAX_REFRESH_TOKENS + 1))) this.refreshTokens.get(old)!.dead = true;
    const token = newRefreshToken();
    const lifetime = client.refreshTokenLifetimeSec;
    this.refreshTokens.set(token, {
      clientId: client.clientId,
      email,
      scopes,
      issuedAt: Date.now(),
      expiresAt: lifetime === undefined ? undefined : Date.now() + lifetime * 1000,
      dead: false,
    });
    return token;
  }

  /** A token answer: the access token, the refresh token when new, the id_token for sign-in scopes. */
  private issueTokens(
    client: OAuthClient,
    email: string,
    scopes: Set<string>,
    offline: boolean,
    /** The refresh token behind the answer; `isNew` sends it, as only a code exchange does. */
    { refreshToken, isNew = false, nonce }: { refreshToken?: string | undefined; isNew?: boolean; nonce?: string | undefined },
  ): Record<string, unknown> {
    const accessToken = newAccessToken();
    const lifetime = this.accessTokenLifetimeSec;
    this.accessTokens.set(accessToken, { clientId: client.clientId, email, scopes, expiresAt: Date.now() + lifetime * 1000, offline, revoked: false });
    this.issuedTo.set(email, (this.issuedTo.get(email) ?? 0) + 1);
    const signIn = [...scopes].some(isBasic);
    const refreshExpiry = refreshToken ? this.refreshTokens.get(refreshToken)?.expiresAt : undefined;
    return {
      access_token: accessToken,
      expires_in: lifetime,
      ...(isNew && refreshToken ? { refresh_token: refreshToken } : {}),
      scope: tokenScope(scopes),
      token_type: 'Bearer',
      ...(signIn ? { id_token: this.idToken(client, email, scopes, accessToken, nonce) } : {}),
      // Google adds this for refresh tokens that expire (apps in Testing status).
      ...(refreshExpiry !== undefined ? { refresh_token_expires_in: seconds(refreshExpiry - Date.now()) } : {}),
    };
  }

  /** Google's id_token: email only with the email scope, name only with profile, hd for Workspace. */
  private idToken(client: OAuthClient, email: string, scopes: Set<string>, accessToken: string, nonce: string | undefined): string {
    const account = this.accounts.get(email)!;
    const now = Math.floor(Date.now() / 1000);
    const [given, ...family] = account.name.split(' ');
    return signJwt(this.key, {
      iss: ISSUER,
      azp: client.clientId,
      aud: client.clientId,
      sub: account.sub,
      ...(account.hd ? { hd: account.hd } : {}),
      ...(hasScope(scopes, 'email') ? { email: account.email, email_verified: true } : {}),
      at_hash: atHash(accessToken),
      ...(nonce ? { nonce } : {}),
      ...(hasScope(scopes, 'profile') ? { name: account.name, given_name: given, ...(family.length ? { family_name: family.join(' ') } : {}) } : {}),
      iat: now,
      exp: now + ID_TOKEN_LIFETIME_SEC,
    });
  }

  private isLive(r: RefreshGrant): boolean {
    if (!r.dead && r.expiresAt !== undefined && r.expiresAt <= Date.now()) r.dead = true;
    return !r.dead;
  }

  private liveRefreshTokens(clientId: string | undefined, email: string): string[] {
    return [...this.refreshTokens.entries()]
      .filter(([, r]) => r.email === email && (clientId === undefined || r.clientId === clientId) && this.isLive(r))
      .sort(([, a], [, b]) => a.issuedAt - b.issuedAt)
      .map(([t]) => t);
  }

  private liveAccess(token: string | undefined): AccessGrant | undefined {
    const t = token ? this.accessTokens.get(token) : undefined;
    return t && !t.revoked && t.expiresAt > Date.now() ? t : undefined;
  }

  // ---- Revoke ----

  /**
   * Google's revoke ends the whole grant (this account and this client): every refresh token and access
   * token of it, whichever of them was sent.
   */
  private revoke(req: Request, res: Response): void {
    const token = param(req.query, 'token') ?? param(req.body, 'token');
    if (!token) {
      res.status(400).json({ error: 'invalid_request', error_description: 'Bad Request' });
      return;
    }
    const refresh = this.refreshTokens.get(token);
    const owner = refresh && this.isLive(refresh) ? refresh : this.liveAccess(token);
    if (!owner) {
      res.status(400).json({ error: 'invalid_token', error_description: 'Token expired or revoked' });
      return;
    }
    this.revokeGrant(owner.clientId, owner.email);
    this.log({ clientId: owner.clientId, email: owner.email }, 'google emulator: grant revoked');
    res.status(200).json({});
  }

  /** Returns how many refresh tokens died. */
  private revokeGrant(clientId: string, email: string): number {
    let n = 0;
    for (const r of this.refreshTokens.values()) {
      if (r.clientId !== clientId || r.email !== email) continue;
      if (this.isLive(r)) n++;
      r.dead = true;
    }
    for (const a of this.accessTokens.values()) if (a.clientId === clientId && a.email === email) a.revoked = true;
    this.grants.delete(grantKey(clientId, email));
    return n;
  }

  // ---- tokeninfo, userinfo, discovery ----

  /**
   * tokeninfo as Dovecot's oauth2 passdb calls it (GET ?access_token=, plus a Bearer header) and as
   * google-auth-library's getTokenInfo does (POST with a Bearer header). Values are strings, as Google's.
   */
  private tokeninfo(req: Request, res: Response): void {
    const record = (result: TokeninfoRequestRecord['result'], email?: string) => this.tokeninfoRequests.push({ at: new Date(), result, email });
    if (this.tokeninfoIsDown) {
      record('unavailable');
      res.status(503).json({ error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } });
      return;
    }
    const idToken = param(req.query, 'id_token') ?? param(req.body, 'id_token');
    if (idToken) return this.idTokenInfo(idToken, res);
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = param(req.query, 'access_token') ?? param(req.body, 'access_token') ?? bearer;
    if (!token) {
      res.status(400).json({ error: 'invalid_request', error_description: 'Either access_token, id_token, or token_handle required' });
      return;
    }
    const t = this.liveAccess(token);
    if (!t) {
      record('invalid');
      res.status(400).json({ error: 'invalid_token', error_description: 'Invalid Value' });
      return;
    }
    record('valid', t.email);
    const account = this.accounts.get(t.email)!;
    res.json({
      azp: t.clientId,
      aud: t.clientId,
      sub: account.sub,
      scope: tokenScope(t.scopes),
      exp: String(Math.floor(t.expiresAt / 1000)),
      expires_in: String(seconds(t.expiresAt - Date.now())),
      ...(hasScope(t.scopes, 'email') ? { email: account.email, email_verified: 'true' } : {}),
      access_type: t.offline ? 'offline' : 'online',
    });
  }

  /** tokeninfo?id_token=: the claims of a valid id_token, every value a string, as Google answers. */
  private idTokenInfo(idToken: string, res: Response): void {
    const [header = '', body = '', signature = ''] = idToken.split('.');
    let claims: Record<string, unknown> | undefined;
    try {
      const ok = verify('RSA-SHA256', Buffer.from(`${header}.${body}`), createPublicKey(this.key.publicPem), Buffer.from(signature, 'base64url'));
      const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (ok && Number(parsed.exp) * 1000 > Date.now()) claims = parsed;
    } catch {
      claims = undefined;
    }
    if (!claims) {
      res.status(400).json({ error: 'invalid_token', error_description: 'Invalid Value' });
      return;
    }
    const strings = Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, String(v)]));
    res.json({ ...strings, alg: 'RS256', kid: this.key.kid, typ: 'JWT' });
  }

  private userinfo(req: Request, res: Response): void {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? param(req.query, 'access_token');
    const t = this.liveAccess(bearer);
    if (!t) {
      res.status(401).set('www-authenticate', 'Bearer error="invalid_token"').json({ error: 'invalid_request', error_description: 'Invalid Credentials' });
      return;
    }
    const a = this.accounts.get(t.email)!;
    res.json({
      sub: a.sub,
      ...(hasScope(t.scopes, 'profile') ? { name: a.name } : {}),
      ...(hasScope(t.scopes, 'email') ? { email: a.email, email_verified: true } : {}),
      ...(a.hd ? { hd: a.hd } : {}),
    });
  }

  private discovery(): Record<string, unknown> {
    return {
      issuer: ISSUER,
      authorization_endpoint: this.authUrl,
      token_endpoint: this.tokenUrl,
      userinfo_endpoint: this.userinfoUrl,
      revocation_endpoint: this.revokeUrl,
      jwks_uri: this.jwksUrl,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'profile'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      code_challenge_methods_supported: ['plain', 'S256'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
    };
  }

  private toggle(set: Set<string>, value: string, on: boolean): void {
    if (on) set.add(value);
    else set.delete(value);
  }

  private log(fields: Record<string, unknown>, message: string): void {
    this.logger?.info(fields, message);
  }
}
