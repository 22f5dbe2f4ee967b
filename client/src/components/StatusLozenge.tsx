// A connection's status in the users' words, and the problem behind it when there is one.
import Lozenge, { type ThemeAppearance } from '@atlaskit/lozenge';
import { isOAuthType } from '../kinds';
import type { Connection } from '../types';

function statusOf(connection: Pick<Connection, 'status' | 'type'>): { text: string; appearance: ThemeAppearance } {
  switch (connection.status) {
    case 'AUTHORIZED':
      return { text: isOAuthType(connection.type) ? 'Authorized' : 'Connected', appearance: 'success' };
    case 'NEEDS_REAUTHORIZATION':
      return { text: 'Needs re-authorization', appearance: 'moved' };
    case 'ERROR':
      return { text: 'Error', appearance: 'removed' };
    case 'DISABLED':
      return { text: 'Disabled', appearance: 'default' };
    case 'NEW':
    default:
      return { text: 'Not tested', appearance: 'default' };
  }
}

export function StatusLozenge({ connection }: { connection: Pick<Connection, 'status' | 'type'> }) {
  const { text, appearance } = statusOf(connection);
  return <Lozenge appearance={appearance}>{text}</Lozenge>;
}

/** The lozenge with the reason under it, for the list. */
export function StatusCell({ connection }: { connection: Connection }) {
  const problem = connection.status === 'ERROR' || connection.status === 'NEEDS_REAUTHORIZATION' ? connection.statusExplanation : null;
  return (
    <div className="status-cell">
      <StatusLozenge connection={connection} />
      {problem ? (
        <>
          <p className="status-message">{problem.message}</p>
          {problem.action ? <p>{problem.action}</p> : null}
          {problem.link ? (
            <p>
              <a href={problem.link.url} target="_blank" rel="noopener noreferrer">
                {problem.link.text}
              </a>
            </p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
