// Our OAuth client at Google, through google-auth-library, pointed at the endpoints of the settings
// (Google's own by default, the emulator in tests). Only the calls the authorize flow and the token
// refresh need; errors come out as GoogleError with our code.
import { OAuth2Client } from 'google-auth-library';
import type { GoogleConfig } from '../config.js';

/** Gmail over IMAP and SMTP needs the full mail scope; openid + email give us the account's address. */
export const SCOPES = ['https://mail.google.com/', 'openid', 'email'];
export const GMAIL_SCOPE = 'https://mail.google.com/';

export class GoogleError extends Error {
  constructor(
    /** invalid_grant, invalid_client, unavailable, ... */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface GrantedAccount {
  email: string;
  emailVerified: boolean;
  /** The Google Workspace domain; absent for personal accounts. */
  hostedDomain: string | undefined;
  scopes: string[];
  refreshToken: string | undefined;
  accessToken: string | undefined;
  accessTokenExpiresAt: Date | undefined;
}

function asGoogleError(err: unknown): GoogleError {
  const e = err as { response?: { status?: number; data?: { error?: string; error_description?: string } }; code?: string; message?: string };
  const data = e.response?.data;
  if (data?.error) return new GoogleError(data.error, data.error_description ? `${data.error}: ${data.error_description}` : data.error);
  if (e.response?.status && e.response.status >= 500) return new GoogleError('unavailable', `Google answered ${e.response.status}`);
  return new GoogleError('unavailable', e.message ?? String(err));
}

export class GoogleOAuth {
  constructor(
    private readonly config: GoogleConfig,
    private readonly redirectUri: string,
  ) {}

  get configured(): boolean {
    return this.config.client !== undefined;
  }

  get clientId(): string | undefined {
    return this.config.client?.id;
  }

  private client(): OAuth2Client {
    const c = this.config.client;
    if (!c) throw new GoogleError('not_configured', 'GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are not set');
    return new OAuth2Client({
      clientId: c.id,
      clientSecret: c.secret,
      redirectUri: this.redirectUri,
      endpoints: {
        oauth2AuthBaseUrl: this.config.authUrl,
        oauth2TokenUrl: this.config.tokenUrl,
        oauth2RevokeUrl: this.config.revokeUrl,
        oauth2FederatedSignonPemCertsUrl: this.config.certsUrl,
      },
    });
  }

  /** Google's consent page: offline access, the account chooser every time, a fresh consent. */
  consentUrl(state: string, loginHint?: string): string {
    return this.client().generateAuthUrl({
      access_type: 'offline',
      prompt: 'consent select_account',
      include_granted_scopes: true,
      scope: SCOPES,
      state,
      ...(loginHint ? { login_hint: loginHint } : {}),
    });
  }

  /** Exchanges the callback's code and verifies the id_token (signature, audience, issuer, expiry). */
  async exchange(code: string): Promise<GrantedAccount> {
    const client = this.client();
    let tokens;
    try {
      ({ tokens } = await client.getToken({ code, redirect_uri: this.redirectUri }));
    } catch (err) {
      throw asGoogleError(err);
    }
    if (!tokens.id_token) throw new GoogleError('no_id_token', 'Google sent no id_token');
    let payload;
    try {
      const ticket = await client.verifyIdToken({ idToken: tokens.id_token, audience: this.config.client!.id });
      payload = ticket.getPayload();
    } catch (err) {
      throw new GoogleError('invalid_id_token', `the id_token did not verify: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!payload?.email) throw new GoogleError('invalid_id_token', 'the id_token names no email');
    return {
      email: payload.email.toLowerCase(),
      emailVerified: payload.email_verified === true,
      hostedDomain: payload.hd,
      scopes: (tokens.scope ?? '').split(' ').filter(Boolean),
      refreshToken: tokens.refresh_token ?? undefined,
      accessToken: tokens.access_token ?? undefined,
      accessTokenExpiresAt: tokens.expiry_date ? new Date(tokens.expiry_date) : undefined,
    };
  }

  /** A new access token from a refresh token. */
  async refresh(refreshToken: string): Promise<{ accessToken: string; expiresAt: Date }> {
    const client = this.client();
    client.setCredentials({ refresh_token: refreshToken });
    try {
      const { token } = await client.getAccessToken();
      const expiry = client.credentials.expiry_date;
      if (!token) throw new GoogleError('unavailable', 'Google sent no access token');
      return { accessToken: token, expiresAt: new Date(expiry ?? Date.now() + 3_000_000) };
    } catch (err) {
      throw err instanceof GoogleError ? err : asGoogleError(err);
    }
  }

  /**
   * Revokes a token at Google. Google revokes the whole grant (this account, our client), so callers
   * revoke only when no connection anywhere still uses the account.
   */
  async revoke(token: string): Promise<void> {
    try {
      await this.client().revokeToken(token);
    } catch (err) {
      const g = asGoogleError(err);
      // Already revoked or expired: the goal is reached.
      if (g.reason === 'invalid_token' || g.reason === 'invalid_grant') return;
      throw g;
    }
  }
}
