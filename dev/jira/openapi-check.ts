// Checks the Jira emulator against Atlassian's published OpenAPI spec. The tests trust the emulator to be
// Jira; if its shapes drift (a property Jira's schema forbids, a parameter Jira does not take, a route
// Jira does not have), the tests pass against a Jira that does not exist. So this script makes realistic,
// correctly signed calls to every endpoint the emulator serves and validates each JSON request body and
// each JSON response body against the spec's schema for that operation and status code.
//
//   npx tsx dev/jira/openapi-check.ts [path-to-spec]
//
// The spec defaults to ../shared/specs/jira-platform-rest-v3.openapi.json (relative to the working
// directory); it is not part of the project, so this is a development-time check, not a test.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import jwt from 'atlassian-jwt';
import { JiraEmulator } from './emulator.js';
import { restRouter } from './rest.js';
import type { JiraSite } from './site.js';

const DEFAULT_SPEC = '../shared/specs/jira-platform-rest-v3.openapi.json';
/** The $id the spec's schemas are registered under, so `#/components/schemas/X` becomes `jira-openapi#/...`. */
const SPEC_ID = 'jira-openapi';

/** Routes the emulator serves that the check does not call, and why. */
const NOT_CALLED: Record<string, string> = {
  'ALL /rest/api/3/search': 'removed by Atlassian, the emulator answers 410 as Jira does; the spec still lists it as deprecated',
};

// ---- the spec ----

type Schema = Record<string, unknown>;
interface MediaType {
  schema?: Schema;
}
interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, { content?: Record<string, MediaType> }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation | undefined>>;
  components: { schemas: Record<string, Schema> };
}

async function loadSpec(path: string): Promise<Spec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`cannot read the OpenAPI spec at ${path} (pass its path as the first argument)`);
  }
  let spec: Partial<Spec>;
  try {
    spec = JSON.parse(text) as Partial<Spec>;
  } catch {
    throw new Error(`${path} is not JSON`);
  }
  if (!spec.paths || !spec.components?.schemas) throw new Error(`${path} is not an OpenAPI 3 spec with paths and components.schemas`);
  return spec as Spec;
}

const isObject = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** OpenAPI-only keywords Ajv does not need (nullable is rewritten, the rest are annotations). */
const DROPPED = new Set(['nullable', 'example', 'xml', 'discriminator', 'externalDocs']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);
const SCHEMA_VALUES = new Set(['items', 'additionalProperties', 'not']);

/** An OpenAPI 3.0 schema as JSON Schema: refs point into SPEC_ID, `nullable: true` admits null. */
function toJsonSchema(node: unknown): unknown {
  if (!isObject(node)) return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key)) continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = value.startsWith('#/') ? SPEC_ID + value : value;
    else if (SCHEMA_MAPS.has(key) && isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v)]));
    else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) out[key] = value.map(toJsonSchema);
    else if (SCHEMA_VALUES.has(key)) out[key] = toJsonSchema(value);
    else out[key] = value;
  }
  return node.nullable === true ? { anyOf: [{ type: 'null' }, out] } : out;
}

class SchemaValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  private readonly compiled = new Map<Schema, ValidateFunction>();

  constructor(spec: Spec) {
    const schemas = Object.fromEntries(Object.entries(spec.components.schemas).map(([name, s]) => [name, toJsonSchema(s)]));
    this.ajv.addSchema({ $id: SPEC_ID, components: { schemas } });
  }

  /** Problems with value under the spec's schema, summarised; empty when it conforms. */
  problems(schema: Schema, value: unknown): string[] {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema) as Schema);
      this.compiled.set(schema, validate);
    }
    return validate(value) ? [] : summarise(validate.errors ?? []);
  }
}

function summarise(errors: ErrorObject[]): string[] {
  const lines = errors.map((e) => {
    const extra: unknown = e.params.additionalProperty;
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${typeof extra === 'string' ? ` '${extra}'` : ''}`;
  });
  return [...new Set(lines)].slice(0, 8);
}

// ---- calling the emulator ----

interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The spec's path template, e.g. /rest/api/3/issue/{issueIdOrKey}. */
  path: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  json?: unknown;
  form?: FormData;
  expect: number;
  note?: string;
  /** The answer's Location must match (a redirect, which is then not followed). */
  location?: RegExp;
}

/** A Connect JWT for one request, as the app signs it: the app's key, the site's secret, this request's qsh. */
function sign(site: JiraSite, method: string, pathAndQuery: string): string {
  const now = Math.floor(Date.now() / 1000);
  const qsh = jwt.createQueryStringHash(jwt.fromMethodAndUrl(method, pathAndQuery), false, site.baseUrl);
  return jwt.encodeSymmetric({ iss: site.app!.key, iat: now, exp: now + 180, qsh }, site.sharedSecret, jwt.SymmetricAlgorithm.HS256);
}

const encodeQuery = (query: Record<string, string>) =>
  Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');

function pathAndQuery(call: Call): string {
  const path = call.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(call.params?.[name] ?? `{${name}}`));
  return call.query ? `${path}?${encodeQuery(call.query)}` : path;
}

class Checker {
  failures = 0;
  readonly called = new Set<string>();

  constructor(
    private readonly spec: Spec,
    private readonly schemas: SchemaValidator,
    private readonly site: JiraSite,
  ) {}

  report(ok: boolean, what: string, problems: string[] = []): void {
    if (!ok) this.failures++;
    console.log(`${(ok ? 'ok' : 'FAIL').padEnd(5)}${what}${problems.length ? `: ${problems.join('; ')}` : ''}`);
  }

  operation(method: string, path: string): Operation | undefined {
    return this.spec.paths[path]?.[method.toLowerCase()];
  }

  /** Makes the call, checks it and its answer against the spec, and returns the answer's JSON (if any). */
  async call(call: Call): Promise<unknown> {
    this.called.add(`${call.method} ${call.path}`);
    const op = this.operation(call.method, call.path);
    const problems = op ? this.requestProblems(op, call) : ['not in the spec'];
    const target = pathAndQuery(call);
    const res = await fetch(`${this.site.baseUrl}${target}`, {
      method: call.method,
      headers: {
        authorization: `JWT ${sign(this.site, call.method, target)}`,
        ...(call.json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(call.form ? { 'x-atlassian-token': 'no-check' } : {}),
      },
      body: call.form ?? (call.json !== undefined ? JSON.stringify(call.json) : undefined),
      redirect: 'manual',
    });
    const text = await res.text();
    const json: unknown = text && res.headers.get('content-type')?.includes('application/json') ? JSON.parse(text) : undefined;
    if (res.status !== call.expect) problems.push(`expected HTTP ${call.expect}, got ${res.status} ${text.slice(0, 200)}`);
    if (call.location && !call.location.test(res.headers.get('location') ?? '')) problems.push(`expected a Location like ${call.location}, got ${res.headers.get('location')}`);
    if (op) problems.push(...this.responseProblems(op, res.status, text, json));
    this.report(!problems.length, `${call.method} ${call.path} ${res.status}${call.note ? ` (${call.note})` : ''}`, problems);
    return json;
  }

  private requestProblems(op: Operation, call: Call): string[] {
    const problems: string[] = [];
    const declared = new Set((op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
    for (const name of Object.keys(call.query ?? {})) if (!declared.has(name)) problems.push(`query parameter '${name}' is not in the spec`);
    const type = call.form ? 'multipart/form-data' : call.json !== undefined ? 'application/json' : undefined;
    if (!type) return problems;
    const media = op.requestBody?.content[type];
    if (!media) return [...problems, `the spec takes no ${type} request body`];
    if (type === 'application/json' && media.schema) problems.push(...this.schemas.problems(media.schema, call.json).map((p) => `request ${p}`));
    return problems;
  }

  private responseProblems(op: Operation, status: number, text: string, json: unknown): string[] {
    const response = op.responses[String(status)] ?? op.responses.default;
    if (!response) return [`HTTP ${status} is not a documented response`];
    const schema = response.content?.['application/json']?.schema;
    if (!schema || !text) return [];
    if (json === undefined) return ['the spec documents a JSON answer, the emulator sent something else'];
    return this.schemas.problems(schema, json).map((p) => `response ${p}`);
  }
}

// ---- the calls Mailbridge makes ----

const adf = (text: string) => ({ type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });
const ISSUE = '/rest/api/3/issue/{issueIdOrKey}';
const PROPERTY = `${ISSUE}/properties/{propertyKey}`;

async function lookups(c: Checker): Promise<void> {
  await c.call({ method: 'GET', path: '/rest/api/3/project/search', query: { query: 'SUP', startAt: '0', maxResults: '50' }, expect: 200 });
  await c.call({ method: 'GET', path: '/rest/api/3/project/{projectIdOrKey}', params: { projectIdOrKey: '10000' }, expect: 200 });
  await c.call({ method: 'GET', path: '/rest/api/3/issuetype/project', query: { projectId: '10000' }, expect: 200 });
  await c.call({ method: 'GET', path: '/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes', params: { projectIdOrKey: 'SUP' }, expect: 200 });
  await c.call({ method: 'GET', path: '/rest/api/3/user/search', query: { query: 'sam@example.com' }, expect: 200 });
  await c.call({ method: 'GET', path: '/rest/api/3/user/search', query: { query: 'harper' }, expect: 200, note: 'email hidden' });
  await c.call({ method: 'GET', path: '/rest/api/3/user/search', query: { accountId: '5b10a2844c20165700ede21g' }, expect: 200, note: 'by accountId' });
}

async function createIssue(c: Checker, summary: string, messageId: string): Promise<string> {
  const fields = { project: { key: 'SUP' }, issuetype: { id: '10001' }, summary, description: adf('hi'), reporter: { accountId: '5b10ac8d82e05b22cc7d4ef5' } };
  const created = (await c.call({
    method: 'POST',
    path: '/rest/api/3/issue',
    json: { fields, properties: [{ key: 'mailbridge', value: { messageId } }] },
    expect: 201,
  })) as { key: string };
  return created.key;
}

async function issues(c: Checker): Promise<string> {
  const key = await createIssue(c, 'Printer on fire', '<a@b>');
  await createIssue(c, 'Printer still on fire', '<c@d>');
  await c.call({ method: 'POST', path: '/rest/api/3/issue', json: { fields: { project: { key: 'SUP' }, issuetype: { id: '10001' } } }, expect: 400, note: 'no summary' });
  await c.call({ method: 'GET', path: ISSUE, params: { issueIdOrKey: key }, expect: 200, note: 'all fields' });
  await c.call({ method: 'GET', path: ISSUE, params: { issueIdOrKey: key }, query: { fields: 'summary,reporter', properties: 'mailbridge' }, expect: 200, note: 'some fields' });
  await c.call({ method: 'GET', path: ISSUE, params: { issueIdOrKey: 'SUP-999' }, expect: 404, note: 'unknown issue' });
  await c.call({ method: 'PUT', path: ISSUE, params: { issueIdOrKey: key }, json: { fields: { description: adf('hi, edited') } }, expect: 204, note: 'description replaced' });
  return key;
}

async function comments(c: Checker, key: string): Promise<void> {
  const path = `${ISSUE}/comment`;
  const json = { body: adf('Thanks, we are on it.'), properties: [{ key: 'mailbridge', value: { messageId: '<e@f>' } }] };
  await c.call({ method: 'POST', path, params: { issueIdOrKey: key }, json, expect: 201 });
  await c.call({ method: 'GET', path, params: { issueIdOrKey: key }, query: { startAt: '0', maxResults: '100' }, expect: 200 });
  const [first] = ((await c.call({ method: 'GET', path, params: { issueIdOrKey: key }, query: { expand: 'properties', orderBy: '-created' }, expect: 200, note: 'with properties, newest first' })) as { comments: { id: string }[] }).comments;
  await c.call({ method: 'PUT', path: `${path}/{id}`, params: { issueIdOrKey: key, id: first!.id }, query: { notifyUsers: 'false' }, json: { body: adf('Thanks, we are on it (edited).') }, expect: 200, note: 'body replaced' });
}

async function attachments(c: Checker, key: string): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob(['From: a@b\r\nSubject: hi\r\n\r\nhello\r\n'], { type: 'message/rfc822' }), 'original.eml');
  const [attachment] = (await c.call({ method: 'POST', path: `${ISSUE}/attachments`, params: { issueIdOrKey: key }, form, expect: 200 })) as { id: string }[];
  // The download redirect to the media service, whose URL names the media file (what ADF media nodes need).
  const media = /^https:\/\/api\.media\.atlassian\.com\/file\/[0-9a-f-]{36}\/binary\?/;
  await c.call({ method: 'GET', path: '/rest/api/3/attachment/content/{id}', params: { id: attachment!.id }, expect: 303, location: media, note: 'redirect to the media file' });
  await c.call({ method: 'GET', path: '/rest/api/3/attachment/content/{id}', params: { id: attachment!.id }, query: { redirect: 'false' }, expect: 200, note: 'the bytes' });
  await c.call({ method: 'GET', path: ISSUE, params: { issueIdOrKey: key }, query: { fields: 'attachment,comment' }, expect: 200, note: 'with attachment and comment' });
}

async function properties(c: Checker, key: string): Promise<void> {
  const params = { issueIdOrKey: key, propertyKey: 'mailbridge-thread' };
  await c.call({ method: 'PUT', path: PROPERTY, params, json: { threadId: '18c2f', messageIds: ['<a@b>'] }, expect: 201, note: 'created' });
  await c.call({ method: 'PUT', path: PROPERTY, params, json: { threadId: '18c2f', messageIds: ['<a@b>', '<e@f>'] }, expect: 200, note: 'updated' });
  await c.call({ method: 'GET', path: PROPERTY, params, expect: 200 });
  await c.call({ method: 'GET', path: `${ISSUE}/properties`, params: { issueIdOrKey: key }, expect: 200 });
  await c.call({ method: 'DELETE', path: PROPERTY, params, expect: 204 });
  await c.call({ method: 'GET', path: PROPERTY, params, expect: 404, note: 'deleted' });
}

async function watchers(c: Checker, key: string): Promise<void> {
  const path = `${ISSUE}/watchers`;
  await c.call({ method: 'POST', path, params: { issueIdOrKey: key }, json: '5b10a2844c20165700ede21g', expect: 204 });
  await c.call({ method: 'GET', path, params: { issueIdOrKey: key }, expect: 200 });
}

async function search(c: Checker): Promise<void> {
  const path = '/rest/api/3/search/jql';
  const byMessage = 'issue.property[mailbridge].messageId = "<a@b>"';
  await c.call({ method: 'GET', path, query: { jql: byMessage }, expect: 200, note: 'ids only' });
  await c.call({ method: 'GET', path, query: { jql: 'project = SUP ORDER BY created DESC', fields: 'summary,created', properties: 'mailbridge' }, expect: 200, note: 'with fields' });
  const first = (await c.call({ method: 'GET', path, query: { jql: 'project = SUP', maxResults: '1' }, expect: 200, note: 'first page' })) as { nextPageToken: string };
  await c.call({ method: 'GET', path, query: { jql: 'project = SUP', maxResults: '1', nextPageToken: first.nextPageToken }, expect: 200, note: 'next page' });
  await c.call({ method: 'POST', path, json: { jql: byMessage }, expect: 200, note: 'ids only' });
  const page = (await c.call({
    method: 'POST',
    path,
    json: { jql: 'project = SUP ORDER BY created ASC', fields: ['summary', 'reporter', 'created'], properties: ['mailbridge'], maxResults: 1 },
    expect: 200,
    note: 'with fields, first page',
  })) as { nextPageToken?: string };
  const next = { jql: 'project = SUP ORDER BY created ASC', fields: ['summary'], nextPageToken: page.nextPageToken, maxResults: 1 };
  await c.call({ method: 'POST', path, json: next, expect: 200, note: 'next page' });
  await c.call({ method: 'POST', path, json: { jql: 'project = SUP AND status = Done' }, expect: 400, note: 'unknown field' });
}

// ---- the emulator's routes ----

interface Route {
  method: string;
  path: string;
}

/** The routes the emulator's REST router serves, with express's :params written as the spec's {params}. */
function servedRoutes(site: JiraSite): Route[] {
  const routes: Route[] = [];
  for (const layer of restRouter(site, {}).stack) {
    if (!layer.route) continue;
    const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
    const methods = new Set(layer.route.stack.map((l) => ((l.method as string | undefined) ?? 'all').toUpperCase()));
    for (const method of methods) routes.push({ method, path });
  }
  return routes;
}

function checkRoutes(c: Checker, spec: Spec, site: JiraSite): void {
  for (const { method, path } of servedRoutes(site)) {
    const id = `${method} ${path}`;
    const inSpec = method === 'ALL' ? path in spec.paths : c.operation(method, path) !== undefined;
    const problems = [...(inSpec ? [] : ['not in the spec']), ...(c.called.has(id) || NOT_CALLED[id] ? [] : ['served but never called by this check'])];
    const note = NOT_CALLED[id] ? ` (not called: ${NOT_CALLED[id]})` : '';
    c.report(!problems.length, `route ${id} is in the spec${note}`, problems);
  }
}

// ---- main ----

async function main(): Promise<number> {
  const specPath = resolve(process.argv[2] ?? DEFAULT_SPEC);
  const spec = await loadSpec(specPath);
  const emulator = await JiraEmulator.start();
  try {
    const site = await emulator.createSite();
    site.app = { key: 'mailbridge', baseUrl: 'http://127.0.0.1:1', descriptor: {} };
    const c = new Checker(spec, new SchemaValidator(spec), site);
    await lookups(c);
    const key = await issues(c);
    await comments(c, key);
    await attachments(c, key);
    await properties(c, key);
    await watchers(c, key);
    await search(c);
    checkRoutes(c, spec, site);
    console.log(c.failures ? `${c.failures} check(s) failed against ${specPath}` : `all checks pass against ${specPath}`);
    return c.failures ? 1 : 0;
  } finally {
    await emulator.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.log(`FAIL ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
