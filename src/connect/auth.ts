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
import type { Logger } from '../log.js';

export type AuthKind = 'page' | 'context' | 'install';

export interface TenantContext {
  tenant: TenantView;
  /** The Jira user making the request (absent on lifecycle calls and some webhooks). */
  userAccountId: string | undefined;
}

/** The guard of a route, readable from the router (the route tests enumerate routes by it). */
export const AUTH_KIND = Symbol('mailbridge.authKind');
type Guard = RequestHandler & { [AUTH_KIND]?: AuthKind };

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

  const guard = (kind: AuthKind, verify: RequestHandler): Guard => {
    const after = attachTenant(kind);
    const g: Guard = (req, res, next) => verify(req, res, (err?: unknown) => (err ? next(err) : after(req, res, next)));
    g[AUTH_KIND] = kind;
    return g;
  };

  return {
    pageAuth: guard('page', addon.authenticate()),
    contextAuth: guard('context', addon.checkValidToken()),
    installAuth: guard('install', addon.authenticateInstall()),
  };
}

export function tenantOf(res: Response): TenantContext {
  const { tenant, userAccountId } = res.locals as Partial<TenantContext>;
  if (!tenant) throw new Error('tenantOf() used on a route without a Connect guard');
  return { tenant, userAccountId };
}

/** ACE's failures arrive as plain {code, message}: a token problem is 401, a store failure 503. */
export function authErrorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const ace = err instanceof AuthError || (typeof err === 'object' && err !== null && !(err instanceof Error) && 'code' in err && 'message' in err);
    if (!ace) return next(err);
    const { code, message } = err as { code: unknown; message: unknown };
    const status = typeof code === 'number' && code >= 500 ? 503 : 401;
    if (status === 503) log.error({ err: String(message) }, 'could not check a JWT: store unavailable');
    res.status(status).json({
      error: status === 401
        ? { code: 'UNAUTHORIZED', message: /reload/i.test(String(message)) ? String(message) : `${String(message)} Reload the page in Jira.` }
        : { code: 'UNAVAILABLE', message: 'The app cannot check this request right now. Try again in a minute.' },
    });
  };
}
