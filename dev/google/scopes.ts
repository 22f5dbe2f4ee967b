// Scopes as Google names and shows them. Google treats the sign-in shorthands `email` and `profile` as
// their userinfo URLs: a grant, a token or tokeninfo lists the URL, while the redirect after consent
// echoes the shorthand the app asked for and then the URL as well.
export const GMAIL = 'https://mail.google.com/';
const EMAIL = 'https://www.googleapis.com/auth/userinfo.email';
const PROFILE = 'https://www.googleapis.com/auth/userinfo.profile';
const SHORTHANDS: Record<string, string> = { email: EMAIL, profile: PROFILE };

/** The one name Google keeps a scope under. */
export const canonical = (scope: string) => SHORTHANDS[scope] ?? scope;

export const hasScope = (scopes: Iterable<string>, scope: string) => [...scopes].some((s) => canonical(s) === canonical(scope));

/** openid, email and profile: the consent screen lists them without a checkbox; they cannot be refused. */
export const isBasic = (scope: string) => scope === 'openid' || canonical(scope) === EMAIL || canonical(scope) === PROFILE;

/**
 * Google rejects a scope it does not know with invalid_scope. The emulator cannot know them all, so it
 * rejects only what is not shaped like one of Google's (a typo such as `mail` instead of the URL).
 */
export const isValidScope = (scope: string) => isBasic(scope) || scope in SHORTHANDS || /^https:\/\/[a-z0-9.-]+\.google(apis)?\.com\//.test(scope);

export function splitScopes(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(/\s+/).filter(Boolean))];
}

/** The `scope` of a token answer and of tokeninfo: canonical names, space separated. */
export const tokenScope = (granted: Iterable<string>) => [...new Set([...granted].map(canonical))].sort().join(' ');

/**
 * The `scope` of the redirect after consent, e.g. `email https://mail.google.com/ openid
 * https://www.googleapis.com/auth/userinfo.email`: the names as asked, then what the shorthands stand for
 * and any earlier grant (include_granted_scopes).
 */
export function redirectScope(requested: string[], granted: Set<string>): string {
  const asked = requested.filter((s) => granted.has(canonical(s))).sort();
  const rest = [...granted].filter((s) => !asked.includes(s)).sort();
  return [...asked, ...rest].join(' ');
}

const DESCRIPTIONS: Record<string, string> = {
  [GMAIL]: 'Read, compose, send, and permanently delete all your email from Gmail',
  [EMAIL]: 'See your primary Google Account email address',
  [PROFILE]: "See your personal info, including any personal info you've made publicly available",
  openid: 'Associate you with your personal info on Google',
};

export const describeScope = (scope: string) => DESCRIPTIONS[canonical(scope)] ?? scope;
