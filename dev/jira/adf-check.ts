// Jira refuses a description or comment that is not valid Atlassian Document Format; so does the
// emulator, against Atlassian's own schema (@atlaskit/adf-schema, full.json), compiled on first use.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';

type Validate = ((doc: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };

let validate: Validate | undefined;

function validator(): Validate {
  if (!validate) {
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(fs.readFileSync(require.resolve('@atlaskit/adf-schema/json-schema/v1/full.json'), 'utf8')) as object;
    validate = new AjvDraft04.default({ allErrors: false, strict: false }).compile(schema) as Validate;
  }
  return validate;
}

/** Undefined when valid; otherwise where the document first goes wrong. */
export function adfProblem(doc: unknown): string | undefined {
  const v = validator();
  if (v(doc)) return undefined;
  const e = v.errors?.[0];
  return e ? `${e.instancePath || '/'} ${e.message ?? 'is invalid'}` : 'is invalid';
}
