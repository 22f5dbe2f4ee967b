// Who is calling: every Jira-facing and admin route passes one of these guards.
//   pageAuth     a page Jira loads in an iframe, or a webhook: HS256 with the tenant's shared secret and
//                a qsh that matches this very request (ACE's authenticate()).
//   contextAuth  the admin UI's API calls, made with AP.context.getToken(): the same, except that the qsh
//                may also be "context-qsh". ACE's checkValidToken() skips the qsh check altogether, so
//                a token minted for another request would pass; we close that.
//   installAuth  /uninstalled: RS256 from Atlassian's install keys (ACE's authenticateInstall()).
// Each guard also requires an expiry (ACE accepts a token without one) and puts the tenant on
// res.locals.tenant. ACE reports failures through next(); authErrorHandler answers them with 401.
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import jwt from 'atlassian-jwt';
import type { Addon } from './ace.js';
import type { Tenants, TenantView } from '../store/tenants.js';
import { scrub, type Logger } from '../log.js';

export type AuthKind = 'page' | 'context' | 'install';

export interface TenantContext {
  tenant: TenantView;
  /** The Jira user making the request (absent on lifecycle calls and some webhooks). */
  userAccountId: string | undefined;
}

class AuthError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function tokenOf(req: Request): string | undefined {
  const q = req.query.jwt;
  if (typeof q === 'string') return q;
  const b = (req.body as Record<string, unknown> | undefined)?.jwt;
  if (typeof b === 'string') return b;
  const h = req.headers.authorization;
  return h?.startsWith('JWT ') ? h.slice(4) : undefined;
}

/** Claims of a token ACE has already verified. */
function claimsOf(req: Request): Record<string, unknown> {
  const token = tokenOf(req);
  if (!token) throw new AuthError(401, 'Could not find authentication data on request');
  return jwt.decodeSymmetric(token, '', jwt.SymmetricAlgorithm.HS256, true) as Record<string, unknown>;
}

export function connectAuth(addon: Addon, tenants: Tenants, baseUrl: string) {
  const attachTenant = (kind: AuthKind): RequestHandler => (req, res, next) => {
    void (async () => {
      if (kind !== 'install') {
        const claims = claimsOf(req);
        if (typeof claims.exp !== 'number') throw new AuthError(401, 'The JWT has no expiry (exp) claim.');
        if (kind === 'context' && claims.qsh !== 'context-qsh') {
          const expected = jwt.createQueryStringHash(jwt.fromExpressRequest(req as never), false, baseUrl);
          if (claims.qsh !== expected) throw new AuthError(401, 'Authentication failed: query hash does not match.');
        }
      }
      const context = (req as Request & { context?: { clientKey?: string; userAccountId?: string } }).context;
      const tenant = context?.clientKey ? await tenants.findByClientKey(context.clientKey) : null;
      if (!tenant || (tenant.uninstalledAt && kind !== 'install')) throw new AuthError(401, 'This Jira site has not installed the app.');
      const locals: TenantContext = { tenant, userAccountId: context?.userAccountId || undefined };
      Object.assign(res.locals, locals);
      next();
    })().catch(next);
  };

  const guard = (kind: AuthKind, verify: RequestHandler): RequestHandler => {
    const after = attachTenant(kind);
    return (req, res, next) => {
      try {
        verify(req, res, (err?: unknown) => (err ? next(err) : after(req, res, next)));
      } catch (err) {
        // ACE throws synchronously on a token it cannot even parse (e.g. on /installed).
        next(new AuthError(401, `Invalid JWT: ${err instanceof Error ? err.message : String(err)}`));
      }
    };
  };

  return {
    pageAuth: guard('page', addon.authenticate()),
    contextAuth: guard('context', addon.checkValidToken()),
    installAuth: guard('install', addon.authenticateInstall()),
  };
}

/**
 * ACE's /installed handler throws (a 500) on a token it cannot parse; this runs before it and turns
 * that into the 401 it is.
 */
export const requireParseableJwt: RequestHandler = (req, _res, next) => {
  const token = tokenOf(req);
  if (!token) return next();
  try {
    jwt.getAlgorithm(token);
    jwt.getKeyId(token);
    next();
  } catch (err) {
    next(new AuthError(401, `Invalid JWT: ${err instanceof Error ? err.message : String(err)}`));
  }
};

export function tenantOf(res: Response): TenantContext {
  const { tenant, userAccountId } = res.locals as Partial<TenantContext>;
  if (!tenant) throw new Error('tenantOf() used on a route without a Connect guard');
  return { tenant, userAccountId };
}

/** ACE's reasons, sorted into stable codes with a sentence that says what to do. */
const REASONS: [RegExp, string, string][] = [
  [/could not find authentication data|missing jwt/i, 'JWT_MISSING', 'The request carries no JWT. Open the page from Jira.'],
  [/expired/i, 'JWT_EXPIRED', 'The JWT has expired. Reload the page in Jira.'],
  [/query (string )?hash|qsh/i, 'JWT_QSH_MISMATCH', 'The JWT was issued for another request (its qsh does not match).'],
  [/audience/i, 'JWT_WRONG_AUDIENCE', 'The install token is meant for another app address than BASE_URL.'],
  [/DECODER|public key with keyId/i, 'JWT_UNKNOWN_KEY', "The install token's key id is not one the install-keys CDN (CONNECT_KEYS_CDN_URL) publishes."],
  [/not authorized to register|whitelist/i, 'HOST_NOT_ALLOWED', 'This Jira host may not install the app (AC_HOST_WHITELIST).'],
  [/not find stored client data|not installed|sharedSecret/i, 'NOT_INSTALLED', 'This Jira site has not installed the app. Install it, then reload the page.'],
  [/did not match authenticated client|issuer/i, 'JWT_WRONG_ISSUER', 'The JWT was issued by another Jira site than the request names.'],
  [/signature|decode|invalid jwt|malformed|unexpected/i, 'JWT_INVALID', 'The JWT is malformed or its signature is wrong.'],
];

/** ACE's failures arrive as plain {code, message}: a token problem is 401, a store failure 503. */
export function authErrorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    const ace = err instanceof AuthError || (typeof err === 'object' && err !== null && !(err instanceof Error) && 'code' in err && 'message' in err);
    if (!ace) return next(err);
    const { code, message } = err as { code: unknown; message: unknown };
    const reason = scrub(String(message));
    if (typeof code === 'number' && code >= 500) {
      log.error({ reason, path: req.path }, 'could not check a JWT: store unavailable');
      res.status(503).json({ error: { code: 'UNAVAILABLE', message: 'The app cannot check this request right now. Try again in a minute.' } });
      return;
    }
    const [, errorCode, sentence] = REASONS.find(([re]) => re.test(reason)) ?? [null, 'UNAUTHORIZED', 'The request is not authenticated.'];
    log.info({ path: req.path, code: errorCode, reason }, 'request refused: authentication');
    res.status(401).json({ error: { code: errorCode, message: sentence } });
  };
}
