// The REST API of an emulated Jira site: the calls Mailbridge makes, shaped as Atlassian's OpenAPI spec
// describes them (checked by dev/jira/openapi-check.ts), and as strict as Jira where Jira is strict:
// every call needs a Connect JWT from the installed app (HS256, the site's shared secret, a qsh of this
// very request), attachments need X-Atlassian-Token: no-check, summaries are at most 255 characters.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import jwt from 'atlassian-jwt';
import type { JiraSite, SiteOptions } from './site.js';
import type { Attachment, Comment, Issue, Project, User } from './state.js';
import { JqlError, parseJql, type Clause } from './jql.js';
import { adfProblem } from './adf-check.js';

const MAX_PROPERTY_BYTES = 32 * 1024;
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** Atlassian's media service, where attachment downloads are redirected to. */
const MEDIA_API = 'https://api.media.atlassian.com';

class JiraError extends Error {
  constructor(
    readonly status: number,
    readonly errorMessages: string[],
    readonly errors: Record<string, string> = {},
  ) {
    super(errorMessages[0] ?? Object.values(errors)[0] ?? `HTTP ${status}`);
  }
}

/** A query or body value as text (Express gives strings, arrays or objects). */
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

const bad = (errors: Record<string, string>) => new JiraError(400, [], errors);
const notFound = (what: string) => new JiraError(404, [`${what} does not exist or you do not have permission to see it.`]);

/** Every answer goes through here, so every answer is recorded. */
function recorder(site: JiraSite) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => {
      site.requests.push({ method: req.method, path: req.path, query: { ...req.query }, body: req.body as unknown, status: res.statusCode });
    });
    next();
  };
}

/** Checks the Connect JWT the way Jira does: the app's key as issuer, the site's secret, this request's qsh. */
function verifyJwt(site: JiraSite) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('JWT ')) throw new JiraError(401, ['You are not authenticated. Authentication required to perform this operation.']);
    if (!site.app) throw new JiraError(401, ['The app is not installed on this site.']);
    const token = header.slice(4);
    let claims: { iss?: string; exp?: number; qsh?: string };
    try {
      claims = jwt.decodeSymmetric(token, site.sharedSecret, jwt.SymmetricAlgorithm.HS256) as typeof claims;
    } catch {
      throw new JiraError(401, ['JWT signature verification failed.']);
    }
    if (claims.iss !== site.app.key) throw new JiraError(401, [`JWT issuer ${String(claims.iss)} is not an app installed on this site.`]);
    if (typeof claims.exp !== 'number' || claims.exp <= Math.floor(Date.now() / 1000)) throw new JiraError(401, ['JWT has expired.']);
    const expected = jwt.createQueryStringHash(jwt.fromExpressRequest(req as never), false, site.baseUrl);
    if (claims.qsh !== expected) throw new JiraError(401, ['JWT query string hash (qsh) does not match the request.']);
    next();
  };
}

function injectFaults(site: JiraSite) {
  return (req: Request, res: Response, next: NextFunction) => {
    // Mounted under /rest, req.path lacks that prefix: rules match the whole path, as callers write it.
    const path = req.baseUrl + req.path;
    const rule = site.faults.find((f) => f.left > 0 && (!f.method || f.method === req.method) && (!f.path || f.path.test(path)));
    if (!rule) return next();
    rule.left--;
    if (rule.retryAfter !== undefined) res.setHeader('Retry-After', String(rule.retryAfter));
    if (rule.status === 429) {
      res.setHeader('X-RateLimit-Reason', 'jira-burst-based');
      res.status(429).json({ errorMessages: ['Rate limit exceeded.'], errors: {} });
    } else res.status(rule.status).json({ errorMessages: ['Service temporarily unavailable.'], errors: {} });
  };
}

export function restRouter(site: JiraSite, options: SiteOptions) {
  const state = site.state;
  const base = state.baseUrl;
  const router = Router();
  router.use(recorder(site));
  if (options.latencyMs) router.use((_req, _res, next) => void setTimeout(next, options.latencyMs));
  // Jira accepts a bare JSON string as a body (POST .../watchers).
  router.use(express.json({ limit: '5mb', strict: false }));
  router.use('/rest', verifyJwt(site), injectFaults(site));

  // ---- shapes ----
  const userBean = (u: User | undefined) =>
    u && {
      self: `${base}/rest/api/3/user?accountId=${u.accountId}`,
      accountId: u.accountId,
      accountType: u.accountType,
      displayName: u.displayName,
      active: u.active,
      ...(u.emailVisible ? { emailAddress: u.emailAddress } : {}),
      avatarUrls: { '48x48': `${base}/avatar/${u.accountId}` },
      timeZone: 'Etc/UTC',
    };
  const projectBean = (p: Project) => ({
    self: `${base}/rest/api/3/project/${p.id}`,
    id: p.id,
    key: p.key,
    name: p.name,
    projectTypeKey: 'software',
    simplified: false,
    style: 'classic',
    isPrivate: false,
  });
  const issueTypeBean = (t: Project['issueTypes'][number]) => ({
    self: `${base}/rest/api/3/issuetype/${t.id}`,
    id: t.id,
    name: t.name,
    description: '',
    iconUrl: `${base}/images/icons/issuetypes/${t.name.toLowerCase()}.svg`,
    subtask: t.subtask,
    hierarchyLevel: t.hierarchyLevel,
  });
  const commentBean = (issue: Issue, c: Comment, withProperties = false) => ({
    self: `${base}/rest/api/3/issue/${issue.id}/comment/${c.id}`,
    id: c.id,
    author: userBean(state.user(c.authorAccountId)),
    body: c.body,
    created: c.created.toISOString(),
    updated: c.created.toISOString(),
    jsdPublic: true,
    ...(withProperties ? { properties: [...c.properties].map(([key, value]) => ({ key, value })) } : {}),
  });
  const attachmentBean = (a: Attachment) => ({
    self: `${base}/rest/api/3/attachment/${a.id}`,
    id: a.id,
    filename: a.filename,
    author: userBean(state.user(a.authorAccountId)),
    created: a.created.toISOString(),
    size: a.size,
    mimeType: a.mimeType,
    content: `${base}/rest/api/3/attachment/content/${a.id}`,
  });
  const allFields = (issue: Issue): Record<string, unknown> => {
    const project = state.project(issue.projectId)!;
    return {
      summary: issue.summary,
      description: issue.description,
      project: projectBean(project),
      issuetype: issueTypeBean(project.issueTypes.find((t) => t.id === issue.issueTypeId)!),
      reporter: issue.reporterAccountId ? userBean(state.user(issue.reporterAccountId)) : null,
      creator: userBean(state.user(issue.creatorAccountId)),
      created: issue.created.toISOString(),
      updated: issue.updated.toISOString(),
      status: { self: `${base}/rest/api/3/status/1`, id: '1', name: 'To Do' },
      attachment: issue.attachments.map(attachmentBean),
      comment: { comments: issue.comments.map((c) => commentBean(issue, c)), total: issue.comments.length, maxResults: issue.comments.length, startAt: 0 },
      watches: { self: `${base}/rest/api/3/issue/${issue.key}/watchers`, watchCount: issue.watchers.size, isWatching: false },
    };
  };
  const listParam = (v: unknown): string[] | undefined =>
    v === undefined ? undefined : (Array.isArray(v) ? v.map(text) : text(v).split(',')).map((s) => s.trim()).filter(Boolean);
  const issueBean = (issue: Issue, fields: string[] | undefined, properties: string[] | undefined) => {
    const all = allFields(issue);
    const wanted = !fields || fields.includes('*all') || fields.includes('*navigable') ? Object.keys(all) : fields;
    const props = properties?.includes('*all') ? [...issue.properties.keys()] : (properties ?? []);
    return {
      id: issue.id,
      key: issue.key,
      self: `${base}/rest/api/3/issue/${issue.id}`,
      fields: Object.fromEntries(wanted.filter((f) => f in all).map((f) => [f, all[f]])),
      ...(props.length ? { properties: Object.fromEntries(props.filter((p) => issue.properties.has(p)).map((p) => [p, issue.properties.get(p)])) } : {}),
    };
  };
  const findIssue = (idOrKey: string | undefined) => {
    const issue = state.issue(idOrKey ?? '');
    if (!issue) throw notFound('Issue');
    return issue;
  };
  const propertiesOf = (list: unknown, field: string): Map<string, unknown> => {
    const map = new Map<string, unknown>();
    if (list === undefined) return map;
    if (!Array.isArray(list)) throw bad({ [field]: 'The properties must be a list of {key, value}.' });
    for (const p of list as { key?: unknown; value?: unknown }[]) {
      if (typeof p?.key !== 'string' || !p.key || p.key.length > 255) throw bad({ [field]: 'Each property needs a key of 1 to 255 characters.' });
      if (Buffer.byteLength(JSON.stringify(p.value ?? null)) > MAX_PROPERTY_BYTES) throw bad({ [field]: `The value of property ${p.key} is larger than 32768 bytes.` });
      map.set(p.key, p.value);
    }
    return map;
  };
  const adf = (value: unknown, field: string) => {
    if (value === undefined || value === null) return null;
    const doc = value as { type?: unknown; version?: unknown; content?: unknown };
    if (typeof value !== 'object' || doc.type !== 'doc' || doc.version !== 1 || !Array.isArray(doc.content)) {
      throw bad({ [field]: 'Operation value must be an Atlassian Document (see the Atlassian Document Format).' });
    }
    const problem = adfProblem(value);
    if (problem) throw new JiraError(400, ['INVALID_INPUT'], { [field]: `The Atlassian Document is invalid: ${problem}` });
    return value;
  };

  // ---- issues ----
  router.post('/rest/api/3/issue', (req, res, next) => {
    const body = (req.body ?? {}) as { fields?: Record<string, unknown>; properties?: unknown };
    const f = body.fields ?? {};
    const errors: Record<string, string> = {};
    const projectRef = f.project as { id?: string; key?: string } | undefined;
    const project = projectRef && state.project(String(projectRef.id ?? projectRef.key ?? ''));
    if (!project) errors.project = 'Specify a valid project ID or key';
    const typeRef = f.issuetype as { id?: string; name?: string } | undefined;
    const issueType = project?.issueTypes.find((t) => t.id === typeRef?.id || (typeRef?.name && t.name === typeRef.name));
    if (project && !issueType) errors.issuetype = 'Specify an issue type';
    if (issueType?.subtask) errors.parent = 'Given parent work item does not belong to appropriate hierarchy.';
    const summary = f.summary;
    if (typeof summary !== 'string' || !summary.trim()) errors.summary = 'You must specify a summary of the issue.';
    else if (summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
    else if (/[\r\n]/.test(summary)) errors.summary = 'The summary is invalid because it contains newline characters.';
    const reporterRef = f.reporter as { accountId?: string } | undefined;
    if (reporterRef && !state.user(String(reporterRef.accountId))) errors.reporter = 'Specify a valid value for reporter.';
    if (Object.keys(errors).length) throw bad(errors);
    const description = adf(f.description, 'description');
    const issue = state.createIssue(
      {
        projectId: project!.id,
        issueTypeId: issueType!.id,
        summary: summary as string,
        description,
        reporterAccountId: reporterRef?.accountId ?? state.appAccountId,
        creatorAccountId: state.appAccountId,
      },
      propertiesOf(body.properties, 'properties'),
    );
    // A test may act between Jira creating the issue and the caller hearing of it (a crash there).
    Promise.resolve(site.hooks.afterIssueCreated?.(issue))
      .then(() => res.status(201).json({ id: issue.id, key: issue.key, self: `${base}/rest/api/3/issue/${issue.id}` }))
      .catch(next);
  });

  // Edit issue: only the description is edited by the app; Jira answers 204 without returnIssue.
  router.put('/rest/api/3/issue/:issueIdOrKey', (req, res) => {
    const issue = findIssue(req.params.issueIdOrKey);
    const fields = ((req.body ?? {}) as { fields?: Record<string, unknown> }).fields ?? {};
    const unknown = Object.keys(fields).filter((f) => f !== 'description' && f !== 'summary');
    if (unknown.length) throw bad(Object.fromEntries(unknown.map((f) => [f, `Field '${f}' cannot be set. It is not on the appropriate screen, or unknown.`])));
    if ('summary' in fields) {
      if (typeof fields.summary !== 'string' || !fields.summary.trim() || fields.summary.length > 255) throw bad({ summary: 'Summary must be less than 255 characters.' });
      issue.summary = fields.summary;
    }
    if ('description' in fields) issue.description = adf(fields.description, 'description');
    issue.updated = new Date();
    res.status(204).end();
  });

  router.get('/rest/api/3/issue/:issueIdOrKey', (req, res) => {
    const issue = findIssue(req.params.issueIdOrKey);
    res.json(issueBean(issue, listParam(req.query.fields), listParam(req.query.properties)));
  });

  router.get('/rest/api/3/issue/:issueIdOrKey/comment', (req, res) => {
    const issue = findIssue(req.params.issueIdOrKey);
    const startAt = Number(req.query.startAt ?? 0);
    const maxResults = Math.min(Number(req.query.maxResults ?? 100), 5000);
    // orderBy: "created" (oldest first, Jira's default) or "-created".
    const ordered = text(req.query.orderBy) === '-created' ? [...issue.comments].reverse() : issue.comments;
    const page = ordered.slice(startAt, startAt + maxResults);
    const withProperties = (listParam(req.query.expand) ?? []).includes('properties');
    res.json({ comments: page.map((c) => commentBean(issue, c, withProperties)), maxResults, startAt, total: issue.comments.length });
  });

  router.post('/rest/api/3/issue/:issueIdOrKey/comment', (req, res) => {
    const issue = findIssue(req.params.issueIdOrKey);
    const body = (req.body ?? {}) as { body?: unknown; properties?: unknown };
    if (body.body === undefined) throw bad({ comment: 'Comment body can not be empty!' });
    const comment = state.addComment(issue, adf(body.body, 'comment'), state.appAccountId, propertiesOf(body.properties, 'properties'));
    res.status(201).json(commentBean(issue, comment));
  });

  router.put('/rest/api/3/issue/:issueIdOrKey/comment/:id', (req, res) => {
    const issue = findIssue(req.params.issueIdOrKey);
    const comment = issue.comments.find((c) => c.id === req.params.id);
    if (!comment) throw notFound('Comment');
    const body = (req.body ?? {}) as { body?: unknown };
    if (body.body === undefined) throw bad({ comment: 'Comment body can not be empty!' });
    comment.body = adf(body.body, 'comment');
    res.json(commentBean(issue, comment));
  });

  router.post('/rest/api/3/issue/:issueIdOrKey/attachments', async (req, res, next) => {
    try {
      if (req.headers['x-atlassian-token'] !== 'no-check') throw new JiraError(403, ['XSRF check failed']);
      const issue = findIssue(req.params.issueIdOrKey);
      const type = req.headers['content-type'] ?? '';
      if (!type.startsWith('multipart/form-data')) throw new JiraError(415, ['Unsupported media type: send multipart/form-data.']);
      const webRequest = new globalThis.Request(`${base}${req.url}`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: Readable.toWeb(req),
        duplex: 'half',
      });
      const form = await webRequest.formData();
      const files = form.getAll('file').filter((v) => typeof v !== 'string');
      if (!files.length) throw bad({ file: 'The multipart field must be named "file".' });
      const created: Attachment[] = [];
      for (const file of files) {
        if (file.size > MAX_ATTACHMENT_BYTES) throw new JiraError(413, [`The file ${file.name} is larger than the attachment limit.`]);
        const content = Buffer.from(await file.arrayBuffer());
        created.push(
          state.addAttachment(issue, { filename: file.name, mimeType: file.type || 'application/octet-stream', size: content.length, content, authorAccountId: state.appAccountId }),
        );
      }
      res.json(created.map(attachmentBean));
    } catch (err) {
      next(err);
    }
  });

  // Jira Cloud answers with a 303 to the file in Atlassian's media service, whose URL names the media
  // file id (the only way to learn it through the REST API); redirect=false sends the bytes instead.
  router.get('/rest/api/3/attachment/content/:id', (req, res) => {
    const a = state.issues.flatMap((i) => i.attachments).find((x) => x.id === req.params.id);
    if (!a) throw notFound('Attachment');
    if (text(req.query.redirect) === 'false') return void res.type(a.mimeType).send(a.content);
    const download = new URL(`${MEDIA_API}/file/${a.mediaId}/binary`);
    download.searchParams.set('token', randomUUID());
    download.searchParams.set('client', state.mediaClientId);
    download.searchParams.set('collection', '');
    download.searchParams.set('dl', 'true');
    download.searchParams.set('name', a.filename);
    res.redirect(303, download.toString());
  });

  // ---- issue properties ----
  router.get('/rest/api/3/issue/:issueIdOrKey/properties', (req, res) => {
    const issue = findIssue(req.params.issueIdOrKey);
    res.json({ keys: [...issue.properties.keys()].map((key) => ({ key, self: `${base}/rest/api/3/issue/${issue.id}/properties/${key}` })) });
  });
  router.get('/rest/api/3/issue/:issueIdOrKey/properties/:propertyKey', (req, res) => {
    const issue = findIssue(req.params.issueIdOrKey);
    const key = req.params.propertyKey;
    if (!issue.properties.has(key)) throw notFound(`The property ${key}`);
    res.json({ key, value: issue.properties.get(key) });
  });
  router.put('/rest/api/3/issue/:issueIdOrKey/properties/:propertyKey', (req, res) => {
    const issue = findIssue(req.params.issueIdOrKey);
    const key = req.params.propertyKey;
    if (key.length > 255) throw bad({ propertyKey: 'The property key can have at most 255 characters.' });
    if (Buffer.byteLength(JSON.stringify(req.body ?? null)) > MAX_PROPERTY_BYTES) throw bad({ value: 'The property value is larger than 32768 bytes.' });
    const existed = issue.properties.has(key);
    issue.properties.set(key, req.body);
    res.status(existed ? 200 : 201).json({});
  });
  router.delete('/rest/api/3/issue/:issueIdOrKey/properties/:propertyKey', (req, res) => {
    const issue = findIssue(req.params.issueIdOrKey);
    if (!issue.properties.delete(req.params.propertyKey)) throw notFound(`The property ${req.params.propertyKey}`);
    res.status(204).end();
  });

  // ---- watchers ----
  router.get('/rest/api/3/issue/:issueIdOrKey/watchers', (req, res) => {
    const issue = findIssue(req.params.issueIdOrKey);
    res.json({
      self: `${base}/rest/api/3/issue/${issue.key}/watchers`,
      isWatching: false,
      watchCount: issue.watchers.size,
      watchers: [...issue.watchers].map((id) => userBean(state.user(id))),
    });
  });
  router.post('/rest/api/3/issue/:issueIdOrKey/watchers', (req, res) => {
    const issue = findIssue(req.params.issueIdOrKey);
    const accountId = req.body as unknown;
    if (typeof accountId !== 'string' || !state.user(accountId)) throw bad({ accountId: 'The user does not exist.' });
    issue.watchers.add(accountId);
    res.status(204).end();
  });

  // ---- search ----
  const matches = (issue: Issue, c: Clause): boolean => {
    const field = c.field.toLowerCase();
    const values: string[] = (() => {
      const prop = /^issue\.property\[([^\]]+)\](?:\.(.+))?$/i.exec(c.field);
      if (prop) {
        let v: unknown = issue.properties.get(prop[1]!);
        for (const part of prop[2]?.split('.') ?? []) v = (v as Record<string, unknown> | undefined)?.[part];
        return v === undefined || v === null ? [] : [typeof v === 'object' ? JSON.stringify(v) : text(v)];
      }
      const project = state.project(issue.projectId)!;
      if (field === 'project') return [project.id, project.key, project.name];
      if (field === 'key' || field === 'issuekey' || field === 'id') return [issue.key, issue.id];
      if (field === 'issuetype') return [issue.issueTypeId, project.issueTypes.find((t) => t.id === issue.issueTypeId)!.name];
      if (field === 'summary') return [issue.summary];
      if (field === 'reporter') return issue.reporterAccountId ? [issue.reporterAccountId] : [];
      throw new JiraError(400, [`Field '${c.field}' does not exist or this field cannot be viewed by anonymous users.`]);
    })();
    if (c.op === '=') return values.some((v) => v.toLowerCase() === c.value.toLowerCase());
    if (c.op === 'in') return values.some((v) => c.values.some((x) => x.toLowerCase() === v.toLowerCase()));
    return values.some((v) => v.toLowerCase().includes(c.value.toLowerCase()));
  };
  const search = (input: { jql?: unknown; nextPageToken?: unknown; maxResults?: unknown; fields?: unknown; properties?: unknown }) => {
    if (typeof input.jql !== 'string' || !input.jql.trim()) throw new JiraError(400, ['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']);
    let query;
    try {
      query = parseJql(input.jql);
    } catch (err) {
      if (err instanceof JqlError) throw new JiraError(400, [err.message]);
      throw err;
    }
    const found = state.searchable().filter((i) => query.clauses.every((c) => matches(i, c)));
    found.sort((a, b) => (query.order === 'ASC' ? 1 : -1) * (a.created.getTime() - b.created.getTime() || Number(a.id) - Number(b.id)));
    const start = input.nextPageToken ? Number(Buffer.from(text(input.nextPageToken), 'base64url').toString()) : 0;
    if (!Number.isInteger(start) || start < 0) throw new JiraError(400, ['The nextPageToken is invalid.']);
    const max = Math.min(Math.max(Number(input.maxResults ?? 50), 1), 5000);
    const page = found.slice(start, start + max);
    const fields = listParam(input.fields);
    const properties = listParam(input.properties);
    const isLast = start + max >= found.length;
    return {
      issues: page.map((i) => (fields?.length || properties?.length ? issueBean(i, fields?.length ? fields : [], properties) : { id: i.id })),
      isLast,
      ...(isLast ? {} : { nextPageToken: Buffer.from(String(start + max)).toString('base64url') }),
    };
  };
  router.get('/rest/api/3/search/jql', (req, res) => void res.json(search(req.query)));
  router.post('/rest/api/3/search/jql', (req, res) => void res.json(search((req.body ?? {}) as Record<string, unknown>)));
  router.all('/rest/api/3/search', (_req, res) => {
    res.status(410).json({ errorMessages: ['The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.'], errors: {} });
  });

  // ---- users, projects, issue types ----
  router.get('/rest/api/3/user/search', (req, res) => {
    const q = (text(req.query.query) || text(req.query.accountId)).toLowerCase();
    if (!q) throw new JiraError(400, ['One of the query or accountId parameters must be provided.']);
    const found = state.users.filter(
      (u) => u.active && (u.accountId.toLowerCase() === q || u.displayName.toLowerCase().includes(q) || (u.emailAddress && u.emailAddress.toLowerCase() === q)),
    );
    res.json(found.map(userBean));
  });
  router.get('/rest/api/3/project/search', (req, res) => {
    const q = text(req.query.query).toLowerCase();
    const all = state.projects.filter((p) => !q || p.key.toLowerCase().includes(q) || p.name.toLowerCase().includes(q));
    const startAt = Number(req.query.startAt ?? 0);
    const maxResults = Math.min(Number(req.query.maxResults ?? 50), 100);
    const values = all.slice(startAt, startAt + maxResults).map(projectBean);
    res.json({ self: `${base}${req.originalUrl}`, maxResults, startAt, total: all.length, isLast: startAt + maxResults >= all.length, values });
  });
  router.get('/rest/api/3/project/:projectIdOrKey', (req, res) => {
    const project = state.project(req.params.projectIdOrKey);
    if (!project) throw notFound('Project');
    res.json({ ...projectBean(project), issueTypes: project.issueTypes.map(issueTypeBean) });
  });
  router.get('/rest/api/3/issuetype/project', (req, res) => {
    const project = state.project(text(req.query.projectId));
    if (!project) throw notFound('Project');
    res.json(project.issueTypes.map(issueTypeBean));
  });
  router.get('/rest/api/3/issue/createmeta/:projectIdOrKey/issuetypes', (req, res) => {
    const project = state.project(req.params.projectIdOrKey);
    if (!project) throw notFound('Project');
    const types = project.issueTypes.map(issueTypeBean);
    res.json({ issueTypes: types, maxResults: 50, startAt: 0, total: types.length });
  });

  router.use('/rest', (_req, _res) => {
    throw new JiraError(404, ['Not served by the Jira emulator.']);
  });
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof JiraError) return void res.status(err.status).json({ errorMessages: err.errorMessages, errors: err.errors });
    if ((err as { type?: string }).type === 'entity.parse.failed') return void res.status(400).json({ errorMessages: ['Unexpected character in the JSON body.'], errors: {} });
    next(err);
  });
  return router;
}
