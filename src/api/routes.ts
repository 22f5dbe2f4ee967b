// The admin UI's REST API. Routes stay thin: check the input, call a repository with the caller's
// tenant, shape the answer. Every route sits behind contextAuth (AP.context.getToken()).
import { Router, type RequestHandler } from 'express';
import type { z } from 'zod';
import { tenantOf } from '../connect/auth.js';
import type { ConnectionView, Connections } from '../store/connections.js';
import type { MessageOutbounds, MessageSources } from '../store/connections.js';
import { AppError } from '../errors.js';
import {
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

function crud<Row extends { id: string; tenantId: string; name: string; passwordCipher: Uint8Array | null; passwordKeyId: string | null }>(
  router: Router,
  path: string,
  repo: Connections<Row, never, never>,
  schemas: { create: z.ZodType; update: z.ZodType },
) {
  const id = (raw: unknown) => parse(idParam, raw);
  const send = (res: Parameters<RequestHandler>[1], body: ConnectionView<Row> | ConnectionView<Row>[], status = 200) => res.status(status).json(body);
  router.get(path, handle(async (_req, res) => void send(res, await repo.list(tenantOf(res).tenant.id))));
  router.post(path, handle(async (req, res) => void send(res, await repo.create(tenantOf(res).tenant.id, parse(schemas.create, req.body) as never), 201)));
  router.get(`${path}/:id`, handle(async (req, res) => void send(res, await repo.get(tenantOf(res).tenant.id, id(req.params.id)))));
  router.patch(`${path}/:id`, handle(async (req, res) => void send(res, await repo.update(tenantOf(res).tenant.id, id(req.params.id), parse(schemas.update, req.body) as never))));
  router.delete(`${path}/:id`, handle(async (req, res) => {
    await repo.remove(tenantOf(res).tenant.id, id(req.params.id));
    res.status(204).end();
  }));
}

export function apiRouter(deps: { contextAuth: RequestHandler; sources: MessageSources; outbounds: MessageOutbounds }): Router {
  const router = Router();
  router.use(deps.contextAuth);
  router.get('/installation', (_req, res) => {
    const { tenant, userAccountId } = tenantOf(res);
    res.json({ baseUrl: tenant.baseUrl, displayUrl: tenant.displayUrl, installedAt: tenant.installedAt, userAccountId });
  });
  crud(router, '/message-sources', deps.sources as never, { create: messageSourceCreate, update: messageSourceUpdate });
  crud(router, '/message-outbounds', deps.outbounds as never, { create: messageOutboundCreate, update: messageOutboundUpdate });
  return router;
}
