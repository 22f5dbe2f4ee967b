// Validates the app descriptor, as the server serves it, against Atlassian's Connect descriptor JSON
// schema for Jira (draft-04). Development-time and CI check: the schema is not part of the project.
//   npx tsx dev/check-descriptor.ts http://localhost:3000/atlassian-connect.json [path-to-schema]
import { readFile } from 'node:fs/promises';
import AjvDraft04 from 'ajv-draft-04';

// A CommonJS module whose default export is also set as .default: the class itself under NodeNext.
const Ajv = AjvDraft04.default;

const DEFAULT_SCHEMA = '../shared/specs/connect-jira-descriptor.schema.json';

async function main() {
  const [source, schemaPath = DEFAULT_SCHEMA] = process.argv.slice(2);
  if (!source) throw new Error('usage: check-descriptor.ts <descriptor URL or file> [schema]');
  const descriptor: unknown = source.startsWith('http')
    ? await fetch(source).then((r) => {
        if (!r.ok) throw new Error(`GET ${source} answered ${r.status}`);
        return r.json();
      })
    : JSON.parse(await readFile(source, 'utf8'));
  const schema = JSON.parse(await readFile(schemaPath, 'utf8').catch(() => {
    throw new Error(`cannot read the descriptor schema at ${schemaPath}`);
  })) as Record<string, unknown>;
  // The schema uses Atlassian's own keywords (fieldTitle, fieldDescription...), unknown to Ajv.
  const ajv = new Ajv({ strict: false, allErrors: true });
  // The two formats it uses. Atlassian's validator reads "uri" as a URI reference (lifecycle URLs
  // are paths relative to baseUrl); templates may hold {variables}.
  ajv.addFormat('uri', (v: string) => URL.canParse(v, 'http://base.invalid/'));
  ajv.addFormat('uri-template', (v: string) => URL.canParse(v.replace(/[{}]/g, ''), 'http://base.invalid/'));
  const validate = ajv.compile(schema);
  if (!validate(descriptor)) {
    for (const e of validate.errors ?? []) console.error(`FAIL ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    process.exit(1);
  }
  console.log(`ok   ${source} is a valid Connect descriptor for Jira`);
}

main().catch((err: unknown) => {
  console.error(`FAIL ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
