// The admin UI's REST API. Routes stay thin: check the input, call a command or repository with the
// caller's tenant, shape the answer. Every route sits behind contextAuth (AP.context.getToken()).
import { Router, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import { tenantOf } from '../connect/auth.js';
import type { ConnectionService } from '../connections/service.js';
import type { AuthorizeFlow } from '../google/authorize.js';
import type { ProblemCode } from '../google/explain.js';
import type { JiraClient } from '../jira/client.js';
import { listIssueTypes, listProjects } from '../jira/projects.js';
import type { ConnectionView } from '../store/connections.js';
import type { MessageOutbounds, MessageSources } from '../store/connections.js';
import type { TenantView } from '../store/tenants.js';
import { AppError } from '../errors.js';
import {
  authorizationStart,
  idParam,
  messageOutboundCreate,
  messageOutboundUpdate,
  messageSourceCreate,
  messageSourceUpdate,
} from './schemas.js';

/** Parses input with a schema, or answers 400 naming each bad field in the users' words. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) fields[issue.path.join('.') || '_'] ??= issue.message;
  const first = result.error.issues[0]!;
  throw new AppError('INVALID_INPUT', first.path.length ? `${first.path.join('.')}: ${first.message}` : first.message, 400, { fields });
}

/** Wraps an async handler so its errors reach the error handler. */
export const handle = (fn: (...args: Parameters<RequestHandler>) => Promise<void>): RequestHandler => (req, res, next) => {
  fn(req, res, next).catch(next);
};

export interface ApiDeps {
  contextAuth: RequestHandler;
  sources: MessageSources;
  outbounds: MessageOutbounds;
  connections: ConnectionService;
  authorize: AuthorizeFlow;
  jiraFor: (tenant: TenantView) => Promise<JiraClient>;
  google: { configured: boolean; clientId: string | undefined };
  trustPageUrl: string;
}

const tenantId = (res: Response) => tenantOf(res).tenant.id;
const id = (raw: unknown) => parse(idParam, raw);

export function apiRouter(d: ApiDeps): Router {
  const router = Router();
  router.use(d.contextAuth);

  /** A connection as the UI shows it: with its status problem explained. */
  const present = <Row extends { statusReason: string | null; statusDetail: string | null; username: string | null }>(c: ConnectionView<Row>) => ({
    ...c,
    statusExplanation: c.statusReason ? d.connections.explain({ code: c.statusReason as ProblemCode, detail: c.statusDetail ?? undefined }, c.username) : null,
  });

  router.get('/installation', (_req, res) => {
    const { tenant, userAccountId } = tenantOf(res);
    res.json({
      baseUrl: tenant.baseUrl,
      displayUrl: tenant.displayUrl,
      installedAt: tenant.installedAt,
      userAccountId,
      google: { configured: d.google.configured, clientId: d.google.clientId ?? null, trustPageUrl: d.trustPageUrl },
    });
  });

  // ---- Message Sources ----
  router.get('/message-sources', handle(async (_req, res) => void res.json((await d.sources.list(tenantId(res))).map(present))));
  router.post('/message-sources', handle(async (req, res) => void res.status(201).json(present(await d.connections.createSource(tenantId(res), parse(messageSourceCreate, req.body))))));
  router.get('/message-sources/:id', handle(async (req, res) => void res.json(present(await d.sources.get(tenantId(res), id(req.params.id))))));
  router.patch('/message-sources/:id', handle(async (req, res) => void res.json(present(await d.connections.updateSource(tenantId(res), id(req.params.id), parse(messageSourceUpdate, req.body))))));
  router.post('/message-sources/:id/test', handle(async (req, res) => {
    const r = await d.connections.testSource(tenantId(res), id(req.params.id));
    res.json({ ok: r.ok, connection: present(r.connection), ...(r.ok ? {} : { problem: r.problem }) });
  }));
  router.delete('/message-sources/:id', handle(async (req, res) => {
    await d.connections.removeSource(tenantId(res), id(req.params.id));
    res.status(204).end();
  }));

  // ---- Message Outbounds ----
  router.get('/message-outbounds', handle(async (_req, res) => void res.json((await d.outbounds.list(tenantId(res))).map(present))));
  router.post('/message-outbounds', handle(async (req, res) => void res.status(201).json(present(await d.connections.createOutbound(tenantId(res), parse(messageOutboundCreate, req.body))))));
  router.get('/message-outbounds/:id', handle(async (req, res) => void res.json(present(await d.outbounds.get(tenantId(res), id(req.params.id))))));
  router.patch('/message-outbounds/:id', handle(async (req, res) => void res.json(present(await d.connections.updateOutbound(tenantId(res), id(req.params.id), parse(messageOutboundUpdate, req.body))))));
  router.post('/message-outbounds/:id/test', handle(async (req, res) => {
    const r = await d.connections.testOutbound(tenantId(res), id(req.params.id));
    res.json({ ok: r.ok, connection: present(r.connection), ...(r.ok ? {} : { problem: r.problem }) });
  }));
  router.delete('/message-outbounds/:id', handle(async (req, res) => {
    await d.connections.removeOutbound(tenantId(res), id(req.params.id));
    res.status(204).end();
  }));

  // ---- Authorize ----
  router.post('/authorizations', handle(async (req, res) => {
    const input = parse(authorizationStart, req.body);
    const { tenant, userAccountId } = tenantOf(res);
    res.status(201).json(await d.authorize.start(tenant.id, userAccountId, { kind: input.kind, id: input.targetId }, input.loginHint));
  }));
  router.get('/authorizations/:id', handle(async (req, res) => {
    const { tenant, userAccountId } = tenantOf(res);
    res.json(await d.authorize.status(tenant.id, userAccountId, id(req.params.id)));
  }));

  // ---- the tenant's Jira, for the Project and Issue type pickers ----
  router.get('/jira/projects', handle(async (_req, res) => void res.json(await listProjects(await d.jiraFor(tenantOf(res).tenant)))));
  router.get('/jira/projects/:projectId/issue-types', handle(async (req, res) => {
    const projectId = String(req.params.projectId);
    if (!/^\d{1,18}$/.test(projectId)) throw new AppError('INVALID_INPUT', 'projectId must be a Jira project id.', 400);
    res.json(await listIssueTypes(await d.jiraFor(tenantOf(res).tenant), projectId));
  }));

  return router;
}
