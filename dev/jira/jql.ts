// The small part of JQL the app's queries use: clauses joined by AND, each `field = value`,
// `field in (a, b)` or `field ~ "text"`, with an optional ORDER BY created ASC|DESC. Fields: project,
// key, issuetype, summary, reporter and issue.property[key].path. Anything else is a 400, as in Jira.
export type Clause =
  | { field: string; op: '='; value: string }
  | { field: string; op: 'in'; values: string[] }
  | { field: string; op: '~'; value: string };

export interface Query {
  clauses: Clause[];
  order: 'ASC' | 'DESC';
}

export class JqlError extends Error {}

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|('(?:[^'\\]|\\.)*')|(\(|\)|,|=|~)|([^\s(),=~"']+(?:\[[^\]]*\][^\s(),=~"']*)?))/y;

function tokenize(jql: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < jql.length && (m = TOKEN.exec(jql))) {
    const [, dq, sq, punct, word] = m;
    if (dq || sq) tokens.push(`"${JSON.parse(dq ?? `"${sq!.slice(1, -1).replace(/"/g, '\\"')}"`) as string}`);
    else if (punct || word) tokens.push((punct ?? word)!);
    if (jql.slice(TOKEN.lastIndex).trim() === '') break;
  }
  return tokens;
}

const unquote = (t: string) => (t.startsWith('"') ? t.slice(1) : t);

export function parseJql(jql: string): Query {
  const tokens = tokenize(jql);
  const clauses: Clause[] = [];
  let order: 'ASC' | 'DESC' = 'DESC';
  let i = 0;
  const next = () => {
    const t = tokens[i++];
    if (t === undefined) throw new JqlError(`Error in the JQL Query: the query ended unexpectedly.`);
    return t;
  };
  while (i < tokens.length) {
    if (tokens[i]?.toUpperCase() === 'ORDER') {
      i++;
      if (next().toUpperCase() !== 'BY') throw new JqlError('Error in the JQL Query: expected BY after ORDER.');
      const field = next();
      if (field.toLowerCase() !== 'created') throw new JqlError(`Not supported by the emulator: ORDER BY ${field}`);
      const dir = tokens[i]?.toUpperCase();
      if (dir === 'ASC' || dir === 'DESC') {
        order = dir;
        i++;
      }
      break;
    }
    const field = next();
    const op = next().toLowerCase();
    if (op === '=' || op === '~') clauses.push({ field, op, value: unquote(next()) });
    else if (op === 'in') {
      if (next() !== '(') throw new JqlError('Error in the JQL Query: expected ( after in.');
      const values: string[] = [];
      for (let t = next(); t !== ')'; t = next()) if (t !== ',') values.push(unquote(t));
      clauses.push({ field, op: 'in', values });
    } else throw new JqlError(`Error in the JQL Query: the operator '${op}' is not supported here.`);
    if (i < tokens.length && tokens[i]?.toUpperCase() === 'AND') i++;
    else if (i < tokens.length && tokens[i]?.toUpperCase() !== 'ORDER') throw new JqlError(`Error in the JQL Query: expected AND, found '${tokens[i]}'.`);
  }
  return { clauses, order };
}
