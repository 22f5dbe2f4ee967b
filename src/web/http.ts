// Cross-cutting HTTP pieces: request logging without query strings (a page URL carries its JWT in
// the query), JSON errors with a code and a sentence, and 404s.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../errors.js';
import { JiraError } from '../jira/client.js';
import type { Logger } from '../log.js';

export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const tenantId = (res.locals as { tenant?: { id: string } }).tenant?.id;
      const line = { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, tenantId };
      if (req.path === '/healthz') log.debug(line, 'request');
      else log.info(line, 'request');
    });
    next();
  };
}

export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'NOT_FOUND', message: `Nothing is served at ${req.method} ${req.path}.` } });
};

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof AppError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message, ...err.details } });
      return;
    }
    if (err instanceof JiraError) {
      log.warn({ code: err.code, status: err.status, path: req.path }, 'a Jira call failed');
      res.status(502).json({ error: { code: err.code, message: err.message } });
      return;
    }
    const bodyError = err as { type?: string; status?: number };
    if (bodyError?.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'INVALID_JSON', message: 'The request body is not valid JSON.' } });
      return;
    }
    if (bodyError?.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'TOO_LARGE', message: 'The request body is too large.' } });
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'request failed');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'Something went wrong on our side. Try again; if it keeps happening, contact support.' } });
  };
}
