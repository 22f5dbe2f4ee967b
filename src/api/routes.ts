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
import { searchUsers, userById } from '../jira/users.js';
import type { ConnectionView } from '../store/connections.js';
import type { MessageOutbounds, MessageSources } from '../store/connections.js';
import type { TenantView } from '../store/tenants.js';
import type { ActivityRow } from '../store/activity.js';
import type { Services } from '../services.js';
import { AppError, notFound } from '../errors.js';
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
  activity: Services['activity'];
}

const tenantId = (res: Response) => tenantOf(res).tenant.id;
const id = (raw: unknown) => parse(idParam, raw);

/** Reprocess is offered for mail that did not become an issue or comment, while its raw message is kept. */
const REPROCESSABLE = new Set(['FAILED', 'QUARANTINED', 'IGNORED']);

/** An activity row as the admin UI shows it, with the link to its issue on the tenant's site. */
function activityView(tenant: TenantView, a: ActivityRow) {
  const site = (tenant.displayUrl ?? tenant.baseUrl).replace(/\/+$/, '');
  return {
    id: a.id,
    at: a.at,
    outcome: a.outcome,
    reason: a.reason,
    issueKey: a.issueKey,
    issueUrl: a.issueKey ? `${site}/browse/${encodeURIComponent(a.issueKey)}` : null,
    messageId: a.messageId,
    subject: a.subject,
    sender: a.sender,
    ledgerEntryId: a.ledgerEntryId,
    canReprocess: Boolean(a.ledgerEntry?.raw && REPROCESSABLE.has(a.ledgerEntry.state)),
  };
}

/** A download name from a Message-ID: only what is safe in a file name and a header. */
const emlName = (messageId: string | null, fallback: string) => `${(messageId ?? fallback).replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@+-]/g, '_').slice(0, 150) || fallback}.eml`;

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

  // ---- what a Message Source did with its mail ----
  router.get('/message-sources/:id/activity', handle(async (req, res) => {
    const { tenant } = tenantOf(res);
    const raw = Number(req.query.limit ?? 50);
    if (!Number.isInteger(raw) || raw < 1 || raw > 500) throw new AppError('INVALID_INPUT', 'limit must be a whole number from 1 to 500.', 400);
    res.json((await d.activity.list(tenant.id, id(req.params.id), raw)).map((a) => activityView(tenant, a)));
  }));
  router.get('/message-sources/:id/messages/:ledgerEntryId/raw', handle(async (req, res) => {
    const entryId = id(req.params.ledgerEntryId);
    const { content, messageId } = await d.activity.raw(tenantId(res), id(req.params.id), entryId);
    res.set({
      'Content-Type': 'message/rfc822',
      'Content-Disposition': `attachment; filename="${emlName(messageId, entryId)}"`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
    res.send(content);
  }));
  router.post('/message-sources/:id/messages/:ledgerEntryId/reprocess', handle(async (req, res) => {
    const { tenant } = tenantOf(res);
    const r = await d.activity.reprocess(tenant.id, id(req.params.id), id(req.params.ledgerEntryId));
    res.json({ outcome: r.outcome, ...(r.outcome === 'retry' ? { reason: r.reason } : {}), activity: r.activity ? activityView(tenant, r.activity) : null });
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
  // ---- and for the Default reporter picker ----
  router.get('/jira/users', handle(async (req, res) => {
    const query = typeof req.query.query === 'string' ? req.query.query.trim() : '';
    if (!query || query.length > 100) throw new AppError('INVALID_INPUT', 'Type 1 to 100 characters of a name to search for.', 400);
    res.json(await searchUsers(await d.jiraFor(tenantOf(res).tenant), query));
  }));
  router.get('/jira/users/:accountId', handle(async (req, res) => {
    const accountId = String(req.params.accountId);
    if (!/^[\w:-]{1,128}$/.test(accountId)) throw new AppError('INVALID_INPUT', 'accountId must be a Jira account id.', 400);
    const user = await userById(await d.jiraFor(tenantOf(res).tenant), accountId);
    if (!user) throw notFound('The Jira user');
    res.json(user);
  }));

  return router;
}
