// The one narrow edge to Jira's REST API. Callers see `JiraClient`; today's implementation signs each
// call as a Connect app (HS256 JWT with the tenant's shared secret, qsh of the call), a Forge app token
// can take its place later. 429 and 5xx are retried with backoff that honours Retry-After.
import jwt from 'atlassian-jwt';

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  /** A multipart body (attachments); sent with the X-Atlassian-Token header Jira requires for it. */
  form?: FormData;
}

export interface JiraClient {
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options?: RequestOptions): Promise<T>;
  /** Where a GET redirects to (its Location), without following it; undefined when it answers without one. */
  location(path: string, options?: Pick<RequestOptions, 'query'>): Promise<string | undefined>;
}

export class JiraError extends Error {
  constructor(
    readonly code: 'JIRA_RATE_LIMITED' | 'JIRA_UNAVAILABLE' | 'JIRA_REJECTED' | 'JIRA_UNREACHABLE',
    readonly status: number | undefined,
    message: string,
    readonly errors: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** First backoff when Jira sends no Retry-After; doubles each time, with jitter. */
  baseDelayMs: number;
  /** Longest single wait, whatever Retry-After says. */
  maxDelayMs: number;
}

export const INTERACTIVE: RetryPolicy = { attempts: 2, baseDelayMs: 300, maxDelayMs: 2_000 };
export const BACKGROUND: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 60_000 };

export interface ConnectCredentials {
  baseUrl: string;
  appKey: string;
  sharedSecret: string;
}

/** Seconds or an HTTP date, as Jira sends Retry-After; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ConnectJiraClient implements JiraClient {
  constructor(
    private readonly creds: ConnectCredentials,
    private readonly retry: RetryPolicy = INTERACTIVE,
  ) {}

  private token(method: string, pathAndQuery: string): string {
    const now = Math.floor(Date.now() / 1000);
    const qsh = jwt.createQueryStringHash(jwt.fromMethodAndUrl(method, pathAndQuery), false, this.creds.baseUrl);
    return jwt.encodeSymmetric({ iss: this.creds.appKey, iat: now, exp: now + 180, qsh }, this.creds.sharedSecret, jwt.SymmetricAlgorithm.HS256);
  }

  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, options, 'follow');
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async location(path: string, options: Pick<RequestOptions, 'query'> = {}): Promise<string | undefined> {
    const res = await this.send('GET', path, options, 'manual');
    await res.body?.cancel();
    return res.status >= 300 && res.status < 400 ? (res.headers.get('location') ?? undefined) : undefined;
  }

  /** The answer to a call once it succeeded (2xx, or 3xx when not following redirects), after retries. */
  private async send(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, options: RequestOptions, redirect: 'follow' | 'manual'): Promise<Response> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) params.set(k, String(v));
    const pathAndQuery = params.size ? `${path}?${params.toString()}` : path;
    const url = `${this.creds.baseUrl.replace(/\/$/, '')}${pathAndQuery}`;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            authorization: `JWT ${this.token(method, pathAndQuery)}`,
            accept: 'application/json',
            ...(options.json === undefined ? {} : { 'content-type': 'application/json' }),
            ...(options.form ? { 'x-atlassian-token': 'no-check' } : {}),
          },
          body: options.form ?? (options.json === undefined ? undefined : JSON.stringify(options.json)),
          redirect,
          signal: AbortSignal.timeout(30_000),
        });
      } catch (err) {
        if (attempt < this.retry.attempts) {
          await sleep(this.backoff(attempt));
          continue;
        }
        throw new JiraError('JIRA_UNREACHABLE', undefined, `Jira at ${this.creds.baseUrl} could not be reached: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (res.ok || (redirect === 'manual' && res.status >= 300 && res.status < 400)) return res;
      const retriable = res.status === 429 || res.status >= 500;
      if (retriable && attempt < this.retry.attempts) {
        const wait = retryAfterMs(res.headers.get('retry-after')) ?? this.backoff(attempt);
        await res.body?.cancel();
        await sleep(Math.min(wait, this.retry.maxDelayMs));
        continue;
      }
      throw await this.failure(res);
    }
  }

  private backoff(attempt: number): number {
    const base = this.retry.baseDelayMs * 2 ** (attempt - 1);
    return Math.min(this.retry.maxDelayMs, base / 2 + Math.random() * base);
  }

  private async failure(res: Response): Promise<JiraError> {
    const body = (await res.json().catch(() => ({}))) as { errorMessages?: string[]; errors?: Record<string, string> };
    const detail = [...(body.errorMessages ?? []), ...Object.entries(body.errors ?? {}).map(([k, v]) => `${k}: ${v}`)].join('; ');
    if (res.status === 429) return new JiraError('JIRA_RATE_LIMITED', 429, 'Jira is limiting the app’s requests right now. Try again in a minute.');
    if (res.status >= 500) return new JiraError('JIRA_UNAVAILABLE', res.status, `Jira answered ${res.status}; it may be having trouble. Try again in a minute.`);
    return new JiraError('JIRA_REJECTED', res.status, `Jira refused the request (${res.status})${detail ? `: ${detail}` : '.'}`, body.errors ?? {});
  }
}
