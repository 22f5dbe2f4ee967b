// The Google emulator the authorize-flow and mail tests lean on: it must answer google-auth-library as
// Google does (tokens, id_token signatures, revocation), answer tokeninfo as Dovecot expects, and
// produce Google's failures (admin block, Cancel, unticked Gmail, dead refresh tokens) on demand.
import { X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { GoogleEmulator, type OAuthClient } from '../../dev/google/emulator.js';
import { atHash, makeSigningKey, signJwt } from '../../dev/google/tokens.js';

const GMAIL = 'https://mail.google.com/';
const SCOPES = [GMAIL, 'openid', 'email'];
const REDIRECT = 'http://127.0.0.1:9/oauth/callback';
const WORKSPACE = 'help@acme.example';
const PERSONAL = 'someone@gmail.com';

let google: GoogleEmulator;
let app: OAuthClient;

beforeAll(async () => {
  google = await GoogleEmulator.start();
  app = google.registerClient({
    clientId: '123456789012-mailbridge.apps.googleusercontent.com',
    clientSecret: 'GOCSPX-test-secret',
    redirectUris: [REDIRECT],
  });
});
afterAll(async () => {
  await google.stop();
});

/** Our app's client, pointed at the emulator with google-auth-library's own option names. */
function oauth(client: OAuthClient = app): OAuth2Client {
  return new OAuth2Client({
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    redirectUri: REDIRECT,
    endpoints: {
      oauth2AuthBaseUrl: google.authUrl,
      oauth2TokenUrl: google.tokenUrl,
      oauth2RevokeUrl: google.revokeUrl,
      oauth2FederatedSignonPemCertsUrl: google.certsUrl,
      tokenInfoUrl: google.tokeninfoUrl,
    },
  });
}

/** The consent URL our app makes. */
function consentUrl(extra: Record<string, string> = {}, client: OAuthClient = app): string {
  return oauth(client).generateAuthUrl({
    access_type: 'offline',
    prompt: 'consent select_account',
    include_granted_scopes: true,
    scope: SCOPES,
    state: 'st-123',
    ...extra,
  });
}

const flowOf = (html: string) => /name="flow" value="([^"]+)"/.exec(html)?.[1] ?? '';
const post = (url: string, form: Record<string, string | string[]>, redirect: 'follow' | 'manual' = 'follow') => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
  return fetch(url, { method: 'POST', body, redirect });
};

/** Through the pages by hand, as a browser: the chooser, the account's button, then Allow. */
async function allow(account: string, url = consentUrl()): Promise<URL> {
  const result = await google.consent(url, { account });
  expect(result.status, result.html).toBe(302);
  return new URL(result.location!);
}

async function tokensFor(account: string, url = consentUrl()) {
  const back = await allow(account, url);
  const { tokens } = await oauth().getToken({ code: back.searchParams.get('code')!, redirect_uri: REDIRECT });
  return tokens;
}

const tokeninfo = async (token: string) => {
  const res = await fetch(`${google.tokeninfoUrl}?access_token=${encodeURIComponent(token)}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('consent pages, followed by hand', () => {
  it('chooser, consent, Allow: back to the app with a code, Google-shaped scope and state', async () => {
    const page = await fetch(consentUrl({ login_hint: 'sales@acme.example' }));
    expect(page.status).toBe(200);
    const chooser = await page.text();
    const buttons = [...chooser.matchAll(/<button[^>]*aria-label="([^"]+)"/g)].map((m) => m[1]);
    expect(buttons[0]).toBe('sales@acme.example'); // the hinted account first...
    expect(buttons).toEqual(expect.arrayContaining([WORKSPACE, PERSONAL])); // ...but any can be chosen

    const consent = await post(`${google.url}/signin/oauth/id`, { flow: flowOf(chooser), account: WORKSPACE });
    expect(consent.status).toBe(200);
    const html = await consent.text();
    expect(html).toContain('Mailbridge wants access to your Google Account');
    expect(html).toContain(WORKSPACE);
    expect(html).toContain('Read, compose, send, and permanently delete all your email from Gmail');
    expect(html).toMatch(/<button[^>]*value="allow">Allow<\/button>/);
    expect(html).toMatch(/<button[^>]*value="cancel">Cancel<\/button>/);

    const res = await post(`${google.url}/signin/oauth/consent`, { flow: flowOf(html), decision: 'allow', scope: GMAIL }, 'manual');
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('code')).toMatch(/^4\/0A/);
    expect(back.searchParams.get('scope')).toBe(`email ${GMAIL} openid https://www.googleapis.com/auth/userinfo.email`);
    expect(back.searchParams.get('state')).toBe('st-123');
    expect(back.searchParams.get('authuser')).toBe('0');
    expect(back.searchParams.get('hd')).toBe('acme.example');
    expect(back.searchParams.get('prompt')).toBe('consent');
  });

  it('sends no state back when the app sent none', async () => {
    const url = oauth().generateAuthUrl({ access_type: 'offline', prompt: 'consent', scope: SCOPES });
    const back = await allow(PERSONAL, url);
    expect(back.searchParams.has('state')).toBe(false);
    expect(back.searchParams.has('hd')).toBe(false);
  });

  it('Cancel goes back with error=access_denied and the state', async () => {
    const result = await google.consent(consentUrl(), { account: WORKSPACE, decision: 'cancel' });
    expect(result.status).toBe(302);
    expect(result.location).toBe(`${REDIRECT}?error=access_denied&state=st-123`);
  });

  it('refuses what Google refuses, on its own error pages and without a redirect', async () => {
    const cases: [Record<string, string>, number, string][] = [
      [{ client_id: 'nobody.apps.googleusercontent.com' }, 401, 'Error 401: invalid_client'],
      [{ redirect_uri: 'http://127.0.0.1:9/elsewhere' }, 400, 'Error 400: redirect_uri_mismatch'],
      [{ scope: '' }, 400, 'Error 400: invalid_request'],
      [{ response_type: '' }, 400, 'Error 400: invalid_request'],
      [{ response_type: 'token' }, 400, 'Error 400: invalid_request'],
      [{ access_type: 'forever' }, 400, 'Error 400: invalid_request'],
      [{ scope: 'mail' }, 400, 'Error 400: invalid_scope'],
    ];
    for (const [change, status, text] of cases) {
      const url = new URL(consentUrl());
      for (const [k, v] of Object.entries(change)) url.searchParams.set(k, v);
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status, text).toBe(status);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain(text);
    }
  });

  it('admin_policy_enforced: Google shows its page and never sends the user back', async () => {
    google.blockDomain('acme.example');
    try {
      const result = await google.consent(consentUrl(), { account: WORKSPACE });
      expect(result.status).toBe(400);
      expect(result.location).toBeUndefined();
      expect(result.html).toContain('Access blocked: Mailbridge is blocked');
      expect(result.html).toContain('Error 400: admin_policy_enforced');
      // Other domains are not affected.
      expect((await google.consent(consentUrl(), { account: PERSONAL })).status).toBe(302);
    } finally {
      google.blockDomain('acme.example', false);
    }
  });

  it('a policy that denies sends the user back with access_denied', async () => {
    google.denyByPolicy('acme.example');
    try {
      const result = await google.consent(consentUrl(), { account: 'sales@acme.example' });
      expect(result.location).toBe(`${REDIRECT}?error=access_denied&state=st-123`);
    } finally {
      google.denyByPolicy('acme.example', false);
    }
  });

  it('granular consent: with Gmail unticked, no scope anywhere has it', async () => {
    // Fresh accounts: with include_granted_scopes an earlier grant of Gmail would still count.
    const [first, second] = ['partial@acme.example', 'partial2@acme.example'];
    google.addAccount({ email: first, hd: 'acme.example' });
    google.addAccount({ email: second, hd: 'acme.example' });
    google.grantOnly(first, ['openid', 'email']);
    try {
      const back = await allow(first);
      expect(back.searchParams.get('scope')).toBe('email openid https://www.googleapis.com/auth/userinfo.email');
      const { tokens } = await oauth().getToken({ code: back.searchParams.get('code')!, redirect_uri: REDIRECT });
      expect(tokens.scope?.split(' ')).not.toContain(GMAIL);
      expect(tokens.scope?.split(' ')).toContain('openid');
      expect((await tokeninfo(tokens.access_token!)).body.scope).not.toContain(GMAIL);
    } finally {
      google.grantOnly(first, undefined);
    }
    // The same by unticking the checkbox on the page.
    const result = await google.consent(consentUrl(), { account: second, uncheck: [GMAIL] });
    expect(new URL(result.location!).searchParams.get('scope')).not.toContain(GMAIL);
  });
});

describe('tokens through google-auth-library', () => {
  it('exchanges the code; the id_token verifies with the served certificates', async () => {
    const before = google.accessTokensIssued(WORKSPACE);
    const tokens = await tokensFor(WORKSPACE);
    expect(tokens.access_token).toMatch(/^ya29\./);
    expect(tokens.refresh_token).toMatch(/^1\/\//);
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.scope?.split(' ').sort()).toEqual([GMAIL, 'https://www.googleapis.com/auth/userinfo.email', 'openid']);
    expect(tokens.expiry_date! - Date.now()).toBeGreaterThan(3590_000);
    expect(google.accessTokensIssued(WORKSPACE)).toBe(before + 1);

    const ticket = await oauth().verifyIdToken({ idToken: tokens.id_token!, audience: app.clientId });
    const claims = ticket.getPayload()!;
    expect(claims).toMatchObject({
      iss: 'https://accounts.google.com',
      aud: app.clientId,
      azp: app.clientId,
      email: WORKSPACE,
      email_verified: true,
      hd: 'acme.example',
      at_hash: atHash(tokens.access_token!),
    });
    expect(claims.sub).toMatch(/^\d{21}$/);
    expect(claims.sub).toBe(google.account(WORKSPACE)!.sub);
    expect(claims.exp - claims.iat).toBe(3600);
    expect(claims.name).toBeUndefined(); // only with the profile scope, as at Google
    // getEnvelope() is typed string but holds the parsed header.
    const { kid } = ticket.getEnvelope() as unknown as { kid: string };
    expect(Object.keys((await (await fetch(google.certsUrl)).json()) as object)).toEqual([kid]);
  });

  it('a personal account has no hd claim; profile adds the name', async () => {
    const tokens = await tokensFor(PERSONAL, consentUrl({ scope: [...SCOPES, 'profile'].join(' ') }));
    const claims = (await oauth().verifyIdToken({ idToken: tokens.id_token!, audience: app.clientId })).getPayload()!;
    expect(claims.email).toBe(PERSONAL);
    expect(claims).not.toHaveProperty('hd');
    expect(claims.name).toBe('Some One');
  });

  it('a code works once, within its client and redirect_uri', async () => {
    const code = (await allow(WORKSPACE)).searchParams.get('code')!;
    await expect(oauth().getToken({ code, redirect_uri: 'http://127.0.0.1:9/other' })).rejects.toMatchObject({
      status: 400,
      response: { data: { error: 'redirect_uri_mismatch' } },
    });
    await oauth().getToken({ code, redirect_uri: REDIRECT });
    await expect(oauth().getToken({ code, redirect_uri: REDIRECT })).rejects.toMatchObject({
      message: 'invalid_grant',
      status: 400,
      response: { data: { error: 'invalid_grant', error_description: 'Bad Request' } },
    });
  });

  it('a code expires after 10 minutes', async () => {
    const code = (await allow(WORKSPACE)).searchParams.get('code')!;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 10 * 60_000 + 1000);
      await expect(oauth().getToken({ code, redirect_uri: REDIRECT })).rejects.toMatchObject({ response: { data: { error: 'invalid_grant' } } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('refreshes with the refresh token; after revoke the refresh fails with invalid_grant', async () => {
    const first = await tokensFor(WORKSPACE);
    const client = oauth();
    client.setCredentials({ refresh_token: first.refresh_token! });
    const { token } = await client.getAccessToken();
    expect(token).toMatch(/^ya29\./);
    expect(token).not.toBe(first.access_token);
    expect(client.credentials.id_token).toBeTruthy();
    expect((await tokeninfo(token!)).status).toBe(200);

    await client.revokeToken(first.refresh_token!);
    const again = oauth();
    again.setCredentials({ refresh_token: first.refresh_token! });
    await expect(again.getAccessToken()).rejects.toMatchObject({
      message: 'invalid_grant',
      status: 400,
      response: { data: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } },
    });
    // The access tokens of the grant died with it.
    expect(await tokeninfo(token!)).toEqual({ status: 400, body: { error: 'invalid_token', error_description: 'Invalid Value' } });
    expect((await tokeninfo(first.access_token!)).status).toBe(400);
    // A second revoke: Google no longer knows the token.
    const res = await fetch(`${google.revokeUrl}?token=${encodeURIComponent(first.refresh_token!)}`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_token', error_description: 'Token expired or revoked' });
  });

  it('the refresh token comes on the first grant and whenever consent is forced, only with offline access', async () => {
    const email = 'new.user@acme.example';
    google.addAccount({ email, name: 'New User', hd: 'acme.example' });
    const base = { access_type: 'offline', prompt: 'select_account' };
    const first = await tokensFor(email, consentUrl(base));
    expect(first.refresh_token).toBeTruthy();
    // Everything asked was granted before and consent is not forced: no consent screen, no refresh token.
    const back = await allow(email, consentUrl(base));
    expect(back.searchParams.get('prompt')).toBe('none');
    const { tokens: second } = await oauth().getToken({ code: back.searchParams.get('code')!, redirect_uri: REDIRECT });
    expect(second.refresh_token).toBeUndefined();
    expect((await tokensFor(email, consentUrl({ ...base, prompt: 'consent' }))).refresh_token).toBeTruthy();
    expect((await tokensFor(email, consentUrl({ access_type: 'online', prompt: 'consent' }))).refresh_token).toBeUndefined();
  });

  it('PKCE: the code needs its verifier', async () => {
    const { codeVerifier, codeChallenge } = await oauth().generateCodeVerifierAsync();
    const url = consentUrl({ code_challenge: codeChallenge!, code_challenge_method: CodeChallengeMethod.S256 });
    const code = (await allow(WORKSPACE, url)).searchParams.get('code')!;
    await expect(oauth().getToken({ code, redirect_uri: REDIRECT })).rejects.toMatchObject({
      response: { data: { error: 'invalid_grant', error_description: 'Missing code verifier.' } },
    });
    const { tokens } = await oauth().getToken({ code, redirect_uri: REDIRECT, codeVerifier });
    expect(tokens.access_token).toBeTruthy();
  });

  it('client authentication: body or HTTP Basic; a wrong secret or another client is refused', async () => {
    const { refresh_token } = await tokensFor(WORKSPACE);
    const refresh = (form: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(google.tokenUrl, { method: 'POST', headers, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh_token!, ...form }) });

    const basic = `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`;
    const ok = await refresh({}, { authorization: basic });
    expect(ok.status).toBe(200);
    expect(Object.keys((await ok.json()) as object).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'scope', 'token_type']);

    const wrong = await refresh({ client_id: app.clientId, client_secret: 'nope' });
    expect([wrong.status, await wrong.json()]).toEqual([401, { error: 'invalid_client', error_description: 'Unauthorized' }]);
    const unknown = await refresh({ client_id: 'x.apps.googleusercontent.com', client_secret: 'nope' });
    expect(unknown.status).toBe(401);

    const other = google.registerClient({ redirectUris: [REDIRECT], name: 'Other app' });
    const stolen = await refresh({ client_id: other.clientId, client_secret: other.clientSecret });
    expect([stolen.status, await stolen.json()]).toEqual([400, { error: 'unauthorized_client', error_description: 'Unauthorized' }]);

    const bad = await refresh({ client_id: app.clientId, client_secret: app.clientSecret, grant_type: 'password' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('unsupported_grant_type');
  });

  it('a Testing app: refresh tokens carry their lifetime and die; issued access tokens live on', async () => {
    const testing = google.registerClient({ redirectUris: [REDIRECT], name: 'Mailbridge (testing)', refreshTokenLifetimeSec: 604800 });
    const back = await allow(WORKSPACE, consentUrl({}, testing));
    const { tokens, res } = await oauth(testing).getToken({ code: back.searchParams.get('code')!, redirect_uri: REDIRECT });
    expect((res?.data as { refresh_token_expires_in?: number }).refresh_token_expires_in).toBeGreaterThan(604700);

    expect(google.expireRefreshToken(tokens.refresh_token!)).toBe(true);
    const client = oauth(testing);
    client.setCredentials({ refresh_token: tokens.refresh_token! });
    await expect(client.getAccessToken()).rejects.toMatchObject({ response: { data: { error_description: 'Token has been expired or revoked.' } } });
    expect((await tokeninfo(tokens.access_token!)).status).toBe(200);
  });

  it('revokeRefreshTokensOf: the user removed access; every token of the account stops working', async () => {
    const email = 'leaver@acme.example';
    google.addAccount({ email, hd: 'acme.example' });
    const tokens = await tokensFor(email);
    expect(google.refreshTokensOf(email)).toEqual([tokens.refresh_token]);
    expect(google.revokeRefreshTokensOf(email)).toBe(1);
    const client = oauth();
    client.setCredentials({ refresh_token: tokens.refresh_token! });
    await expect(client.getAccessToken()).rejects.toMatchObject({ message: 'invalid_grant' });
    expect((await tokeninfo(tokens.access_token!)).status).toBe(400);
  });

  it('prompt=none answers without a page: a code if all was granted before, an error otherwise', async () => {
    const email = 'silent@acme.example';
    google.addAccount({ email, hd: 'acme.example' });
    const silent = () => fetch(consentUrl({ prompt: 'none', login_hint: email }), { redirect: 'manual' });
    expect((await silent()).headers.get('location')).toBe(`${REDIRECT}?error=consent_required&state=st-123`);
    await tokensFor(email);
    const back = new URL((await silent()).headers.get('location')!);
    expect(back.searchParams.get('code')).toBeTruthy();
    expect(back.searchParams.get('prompt')).toBe('none');
  });
});

describe('tokeninfo, as Dovecot and the SMTP test server call it', () => {
  afterEach(() => google.tokeninfoDown(false));

  it('valid: 200 with email, space-separated scope and a non-negative integer expires_in', async () => {
    const { access_token } = await tokensFor(WORKSPACE);
    const { status, body } = await tokeninfo(access_token!);
    expect(status).toBe(200);
    expect(body).toMatchObject({ aud: app.clientId, azp: app.clientId, email: WORKSPACE, email_verified: 'true', access_type: 'offline' });
    expect(String(body.scope).split(' ')).toContain(GMAIL);
    expect(String(body.expires_in)).toMatch(/^\d+$/);
    expect(Number(body.expires_in)).toBeGreaterThan(3500);
    expect(Number(body.exp)).toBeCloseTo(Date.now() / 1000 + 3599, -1);
    expect(body.sub).toBe(google.account(WORKSPACE)!.sub);
    // google-auth-library's getTokenInfo (POST with a Bearer header) reads the same answer.
    const info = await oauth().getTokenInfo(access_token!);
    expect(info.email).toBe(WORKSPACE);
    expect(info.scopes).toContain(GMAIL);
  });

  it('expired or unknown: 400 invalid_token; down: 503', async () => {
    const { access_token } = await tokensFor(PERSONAL);
    expect(google.expireAccessTokens(PERSONAL)).toBeGreaterThan(0);
    expect(await tokeninfo(access_token!)).toEqual({ status: 400, body: { error: 'invalid_token', error_description: 'Invalid Value' } });
    expect((await tokeninfo('ya29.nonsense')).status).toBe(400);

    const fresh = await tokensFor(PERSONAL);
    google.tokeninfoDown(true);
    expect((await tokeninfo(fresh.access_token!)).status).toBe(503);
    google.tokeninfoDown(false);
    expect((await tokeninfo(fresh.access_token!)).status).toBe(200);
    expect(google.tokeninfoRequests.at(-2)?.result).toBe('unavailable');
  });

  it('a shorter access token lifetime shows in expires_in', async () => {
    google.accessTokenLifetimeSec = 60;
    try {
      const tokens = await tokensFor(WORKSPACE);
      expect(Number((await tokeninfo(tokens.access_token!)).body.expires_in)).toBeLessThanOrEqual(60);
    } finally {
      google.accessTokenLifetimeSec = 3599;
    }
  });
});

describe('certificates and records', () => {
  it('serves the signing key as an X.509 certificate (v1) and as a JWK (v3)', async () => {
    expect(google.certificateKind).toBe('x509');
    const res = await fetch(google.certsUrl);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const certs = (await res.json()) as Record<string, string>;
    const [kid, pem] = Object.entries(certs)[0]!;
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(new X509Certificate(pem).subject).toContain('CN=emulator');
    const jwks = (await (await fetch(google.jwksUrl)).json()) as { keys: { kid: string; kty: string }[] };
    expect(jwks.keys).toEqual([expect.objectContaining({ kid, kty: 'RSA', alg: 'RS256' })]);
  });

  it('google-auth-library also takes the public-key PEM of the fallback (no openssl)', async () => {
    const key = await makeSigningKey({ useOpenssl: false });
    expect(key.kind).toBe('spki');
    expect(key.publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const now = Math.floor(Date.now() / 1000);
    const jwt = signJwt(key, { iss: 'https://accounts.google.com', aud: 'x', sub: '1', iat: now, exp: now + 3600 });
    const ticket = await new OAuth2Client().verifySignedJwtWithCertsAsync(jwt, { [key.kid]: key.publicPem }, 'x', ['https://accounts.google.com']);
    expect(ticket.getPayload()?.sub).toBe('1');
  });

  it('records token requests without the tokens, and logs only through a given logger', async () => {
    const lines: string[] = [];
    const quiet = await GoogleEmulator.start({ logger: { info: (fields, message) => lines.push(`${message} ${JSON.stringify(fields)}`) } });
    try {
      const client = quiet.registerClient({ redirectUris: [REDIRECT] });
      const url = new OAuth2Client({ clientId: client.clientId, redirectUri: REDIRECT, endpoints: quiet.endpoints }).generateAuthUrl({
        access_type: 'offline',
        scope: SCOPES,
      });
      const code = new URL((await quiet.consent(url, { account: WORKSPACE })).location!).searchParams.get('code')!;
      const c = new OAuth2Client({ clientId: client.clientId, clientSecret: client.clientSecret, redirectUri: REDIRECT, endpoints: quiet.endpoints });
      const { tokens } = await c.getToken(code);
      await c.revokeToken(tokens.access_token!);
      expect(quiet.tokenRequests).toEqual([expect.objectContaining({ grantType: 'authorization_code', clientId: client.clientId, email: WORKSPACE, result: 'ok', status: 200 })]);
      const everything = JSON.stringify(quiet.tokenRequests) + lines.join('\n');
      expect(lines.length).toBeGreaterThan(0);
      for (const secret of [tokens.access_token!, tokens.refresh_token!, tokens.id_token!, code, client.clientSecret]) expect(everything).not.toContain(secret);
    } finally {
      await quiet.stop();
    }
  });
});
