// One emulated Jira Cloud site: its installation of our app (lifecycle events signed as Jira signs
// them today), the JWTs Jira puts in iframe URLs and hands out through AP.context.getToken(), and the
// REST API our app calls (rest.ts), which checks every call's JWT and qsh with the site's shared secret.
import { randomBytes, randomUUID } from 'node:crypto';
import express from 'express';
import jwt from 'atlassian-jwt';
import { listen, type Listening } from '../http.js';
import type { InstallKey } from './emulator.js';
import { restRouter } from './rest.js';
import { SiteState, type Issue, type SeedData } from './state.js';

export interface SiteOptions {
  /** Projects, issue types and users the site starts with (state.ts has a default). */
  seed?: SeedData;
  /** Milliseconds a new issue stays invisible to JQL search (Jira's index is eventually consistent). */
  searchLagMs?: number;
  /** Added before every REST answer, for benchmarks. */
  latencyMs?: number;
}

/** Ways to spoil an install or uninstall event, for the tests that check they are refused. */
export interface LifecycleTamper {
  /** Sign with this key instead of the CDN's (a forged signature when the kid stays the CDN's). */
  signingKey?: Pick<InstallKey, 'privateKey'>;
  kid?: string;
  aud?: string[];
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  qsh?: string;
  iss?: string;
  /** Keep the previous shared secret instead of issuing a new one (Jira issues a new one each install). */
  keepSecret?: boolean;
  omitToken?: boolean;
}

export interface TokenOptions {
  accountId?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  omitExp?: boolean;
  qsh?: string;
  /** Sign with another secret (a forged token). */
  secret?: string;
  iss?: string;
}

export interface FaultRule {
  status: number;
  /** Seconds, sent as Retry-After (429 and 503). */
  retryAfter?: number;
  /** How many matching requests fail; then the rule is spent. */
  times?: number;
  method?: string;
  path?: RegExp;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  status: number;
}

interface InstalledApp {
  key: string;
  baseUrl: string;
  descriptor: Record<string, unknown> & { lifecycle?: { installed?: string; uninstalled?: string } };
}

export class JiraSite {
  readonly clientKey = randomUUID();
  readonly cloudId = randomUUID();
  sharedSecret = randomBytes(32).toString('base64url');
  app: InstalledApp | undefined;
  readonly state: SiteState;
  readonly requests: RecordedRequest[] = [];
  readonly faults: (FaultRule & { left: number })[] = [];
  /** Test hooks into the REST API's work. */
  readonly hooks: { afterIssueCreated?: (issue: Issue) => Promise<void> | void } = {};

  private constructor(
    private readonly server: Listening,
    private readonly installKey: InstallKey,
    state: SiteState,
  ) {
    this.state = state;
  }

  static async start(installKey: InstallKey, options: SiteOptions): Promise<JiraSite> {
    const app = express();
    // The router needs the site (for its secret) and the site needs the server's URL: bind late.
    const bound: { router?: express.Router } = {};
    app.use((req, res, next) => (bound.router ? bound.router(req, res, next) : res.status(503).end()));
    const server = await listen(app);
    const site = new JiraSite(server, installKey, new SiteState(server.url, options.seed, options.searchLagMs ?? 0));
    bound.router = restRouter(site, options);
    return site;
  }

  get baseUrl(): string {
    return this.server.url;
  }

  /** Fails the next matching REST calls, e.g. { status: 429, retryAfter: 1 }. */
  fail(rule: FaultRule): void {
    this.faults.push({ ...rule, left: rule.times ?? 1 });
  }

  // ---- Lifecycle: what Jira does when an admin installs or uninstalls the app ----

  /** Installs the app whose descriptor is at appBaseUrl/atlassian-connect.json. */
  async install(appBaseUrl: string, tamper: LifecycleTamper = {}): Promise<{ status: number; body: string }> {
    const res = await fetch(`${appBaseUrl.replace(/\/$/, '')}/atlassian-connect.json`);
    if (!res.ok) throw new Error(`Jira could not read the app descriptor: HTTP ${res.status}`);
    const descriptor = (await res.json()) as InstalledApp['descriptor'] & { key: string; baseUrl: string };
    if (!tamper.keepSecret) this.sharedSecret = randomBytes(32).toString('base64url');
    const result = await this.lifecycle(descriptor, 'installed', tamper);
    if (result.status >= 200 && result.status < 300) this.app = { key: descriptor.key, baseUrl: descriptor.baseUrl, descriptor };
    return result;
  }

  async uninstall(tamper: LifecycleTamper = {}): Promise<{ status: number; body: string }> {
    if (!this.app) throw new Error('The app is not installed on this site.');
    const result = await this.lifecycle(this.app.descriptor as InstalledApp['descriptor'] & { key: string; baseUrl: string }, 'uninstalled', tamper);
    if (result.status >= 200 && result.status < 300) this.app = undefined;
    return result;
  }

  private async lifecycle(
    descriptor: { key: string; baseUrl: string; lifecycle?: { installed?: string; uninstalled?: string } },
    event: 'installed' | 'uninstalled',
    tamper: LifecycleTamper,
  ): Promise<{ status: number; body: string }> {
    const path = descriptor.lifecycle?.[event];
    if (!path) throw new Error(`The descriptor has no lifecycle.${event} URL.`);
    const url = `${descriptor.baseUrl}${path}`;
    const payload = {
      key: descriptor.key,
      clientKey: this.clientKey,
      sharedSecret: this.sharedSecret,
      serverVersion: '100289',
      pluginsVersion: '1001.0.0-SNAPSHOT',
      baseUrl: this.baseUrl,
      displayUrl: this.baseUrl,
      productType: 'jira',
      description: 'Atlassian JIRA at ' + this.baseUrl,
      eventType: event,
      cloudId: this.cloudId,
    };
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: tamper.iss ?? this.clientKey,
      aud: tamper.aud ?? [descriptor.baseUrl],
      iat: now,
      exp: now + (tamper.expiresIn ?? 180),
      qsh: tamper.qsh ?? jwt.createQueryStringHash(jwt.fromMethodAndUrl('POST', url), false, descriptor.baseUrl),
      context: {},
    };
    const token = jwt.encodeAsymmetric(claims, (tamper.signingKey ?? this.installKey).privateKey, jwt.AsymmetricAlgorithm.RS256, {
      kid: tamper.kid ?? this.installKey.kid,
      typ: 'JWT',
    } as never);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(tamper.omitToken ? {} : { authorization: `JWT ${token}` }) },
      body: JSON.stringify(payload),
    });
    return { status: res.status, body: await res.text() };
  }

  // ---- Tokens Jira gives the app's pages ----

  /** A JWT as Jira signs it for a request to the app (iframe URLs; qsh bound to method and URL). */
  token(method: string, url: string, opts: TokenOptions = {}): string {
    if (!this.app) throw new Error('The app is not installed on this site.');
    const now = Math.floor(Date.now() / 1000);
    const accountId = opts.accountId ?? this.state.adminAccountId;
    const claims: Record<string, unknown> = {
      iss: opts.iss ?? this.clientKey,
      sub: accountId,
      iat: now,
      qsh: opts.qsh ?? jwt.createQueryStringHash(jwt.fromMethodAndUrl(method, url), false, this.app.baseUrl),
      context: { user: { accountId } },
    };
    if (!opts.omitExp) claims.exp = now + (opts.expiresIn ?? 180);
    return jwt.encodeSymmetric(claims, opts.secret ?? this.sharedSecret, jwt.SymmetricAlgorithm.HS256);
  }

  /** What AP.context.getToken() resolves to in the app's iframe: qsh "context-qsh", 15 minutes. */
  contextToken(opts: TokenOptions = {}): string {
    return this.token('GET', '/', { expiresIn: 900, qsh: 'context-qsh', ...opts });
  }

  /** The URL Jira loads in the iframe for one of the app's pages, JWT included. */
  pageUrl(path: string, opts: TokenOptions = {}): string {
    if (!this.app) throw new Error('The app is not installed on this site.');
    const url = new URL(`${this.app.baseUrl}${path}`);
    url.searchParams.set('xdm_e', this.baseUrl);
    url.searchParams.set('xdm_c', 'channel-' + randomUUID());
    url.searchParams.set('cp', '');
    url.searchParams.set('lic', 'none');
    url.searchParams.set('cv', '1001.0.0-SNAPSHOT');
    const relative = url.pathname + url.search;
    url.searchParams.set('jwt', this.token('GET', relative, opts));
    return url.toString();
  }

  async stop(): Promise<void> {
    await this.server.close();
  }
}
