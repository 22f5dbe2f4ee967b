// Atlassian's own JSON schema for ADF (@atlaskit/adf-schema, full.json, draft-04), compiled once, so
// that every test can prove the documents it produces are ones Jira accepts; and the text of a
// document, for tests that check what a reader would see.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04, { type ErrorObject } from 'ajv-draft-04';

// A CommonJS module whose default export is also set as .default: the class itself under NodeNext.
const Ajv = AjvDraft04.default;

const require = createRequire(import.meta.url);
const schema = JSON.parse(fs.readFileSync(require.resolve('@atlaskit/adf-schema/json-schema/v1/full.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

const SHOWN_ERRORS = 5;

/** Throws, naming the offending nodes, unless `doc` is valid ADF. */
export function assertValidAdf(doc: unknown): void {
  if (validate(doc)) return;
  throw new Error(`Invalid ADF:\n${describe(validate.errors ?? [], doc)}`);
}

/**
 * Node types are alternatives (anyOf), so one bad node yields an error for every type it is not.
 * The deepest location is where the node went wrong; type mismatches there are noise.
 */
function describe(errors: ErrorObject[], doc: unknown): string {
  const deepest = Math.max(...errors.map((error) => depth(error.instancePath)));
  const relevant = errors.filter((error) => depth(error.instancePath) === deepest && !isTypeMismatch(error));
  const shown = (relevant.length > 0 ? relevant : errors).slice(0, SHOWN_ERRORS);
  return shown
    .map((error) => `  at ${error.instancePath || '/'}: ${error.message ?? error.keyword} ${JSON.stringify(error.params)}\n    ${snippet(doc, error.instancePath)}`)
    .join('\n');
}

function depth(path: string): number {
  return path.split('/').length;
}

function isTypeMismatch(error: ErrorObject): boolean {
  return error.keyword === 'enum' && error.instancePath.endsWith('/type');
}

function snippet(doc: unknown, path: string): string {
  const node = path
    .split('/')
    .slice(1)
    .reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), doc);
  const json = JSON.stringify(node) ?? 'undefined';
  return json.length > 200 ? `${json.slice(0, 200)}…` : json;
}

/** The document's text, one line per block (and per line break), marks ignored. */
export function adfText(node: unknown): string {
  if (!node || typeof node !== 'object') return '';
  const { type, text, content } = node as { type?: string; text?: string; content?: unknown[] };
  if (type === 'text') return text ?? '';
  if (type === 'hardBreak') return '\n';
  const children = (content ?? []).map(adfText);
  const inline = type === 'paragraph' || type === 'heading' || type === 'codeBlock';
  return inline ? children.join('') : children.filter((child) => child !== '').join('\n');
}
