// The one token check both mail servers make, with Google's tokeninfo contract as Dovecot applies it:
// 2xx is a valid token, 4xx an invalid one, anything else (or no answer) a temporary failure. The
// SMTP server repeats Dovecot's rules so a token IMAP accepts is the token SMTP accepts.

export const GMAIL_SCOPE = 'https://mail.google.com/';
const TIMEOUT_MS = 5000;

/**
 * The URL a token is appended to. Accepts the endpoint (`http://127.0.0.1:1234/tokeninfo`) or the
 * prefix Dovecot wants (`...?access_token=`), so both servers can be given the same string.
 */
export function tokeninfoPrefix(tokeninfoUrl: string): string {
  if (tokeninfoUrl.endsWith('access_token=')) return tokeninfoUrl;
  return `${tokeninfoUrl}${tokeninfoUrl.includes('?') ? '&' : '?'}access_token=`;
}

export type TokenCheck = { ok: true } | { ok: false; temporary: boolean; reason: string };

export async function checkToken(tokeninfoUrl: string, user: string, accessToken: string): Promise<TokenCheck> {
  let res: Response;
  try {
    res = await fetch(tokeninfoPrefix(tokeninfoUrl) + encodeURIComponent(accessToken), { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    return { ok: false, temporary: true, reason: `tokeninfo did not answer: ${(err as Error).message}` };
  }
  const text = await res.text().catch(() => '');
  if (res.status >= 400 && res.status < 500) return { ok: false, temporary: false, reason: `tokeninfo answered ${res.status}` };
  if (res.status < 200 || res.status >= 300) return { ok: false, temporary: true, reason: `tokeninfo answered ${res.status}` };
  let info: { email?: unknown; scope?: unknown; expires_in?: unknown };
  try {
    info = JSON.parse(text) as typeof info;
  } catch {
    return { ok: false, temporary: true, reason: 'tokeninfo answered something that is not JSON' };
  }
  if (typeof info.email !== 'string' || info.email.toLowerCase() !== user.toLowerCase()) {
    return { ok: false, temporary: false, reason: 'the token belongs to another user' };
  }
  const scopes = typeof info.scope === 'string' ? info.scope.split(' ') : [];
  if (!scopes.includes(GMAIL_SCOPE)) return { ok: false, temporary: false, reason: `the token lacks the ${GMAIL_SCOPE} scope` };
  if (info.expires_in !== undefined) {
    const seconds = Number(info.expires_in);
    if (!Number.isInteger(seconds) || seconds < 0) return { ok: false, temporary: false, reason: 'the token has expired' };
  }
  return { ok: true };
}
