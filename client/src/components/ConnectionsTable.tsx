// The tenant's Message Sources (or Outbounds) with their status and what can be done to each.
import Button from '@atlaskit/button/default/button';
import DynamicTable from '@atlaskit/dynamic-table';
import type { HeadType, RowType } from '@atlaskit/dynamic-table/types';
import { typeChoice, typeLabel, type ConnectionKind } from '../kinds';
import type { Connection, Project } from '../types';
import { StatusCell } from './StatusLozenge';

export type RowBusy = 'testing' | 'authorizing' | 'deleting';

interface Props {
  kind: ConnectionKind;
  connections: Connection[];
  isLoading: boolean;
  /** For the Project column of Message Sources (absent while loading or when Jira did not answer). */
  projects: Project[] | undefined;
  busy: Record<string, RowBusy | undefined>;
  canAuthorize: boolean;
  onEdit: (c: Connection) => void;
  onTest: (c: Connection) => void;
  onReauthorize: (c: Connection) => void;
  onDelete: (c: Connection) => void;
  /** Message Sources only: shows what the source did with its mail. */
  onActivity?: ((c: Connection) => void) | undefined;
}

const dash = <span className="muted">—</span>;

export function ConnectionsTable({ kind, connections, isLoading, projects, busy, canAuthorize, onEdit, onTest, onReauthorize, onDelete, onActivity }: Props) {
  const projectName = (id: string | null | undefined) => {
    if (!id) return dash;
    const p = projects?.find((x) => x.id === id);
    return p ? `${p.name} (${p.key})` : id;
  };

  const head: HeadType = {
    cells: [
      { key: 'name', content: 'Name', width: 18 },
      { key: 'type', content: 'Type', width: 12 },
      { key: 'username', content: 'Username', width: 18 },
      ...(kind.jiraTarget ? [{ key: 'project', content: 'Project', width: 14 }] : []),
      { key: 'status', content: 'Status', width: 20 },
      { key: 'actions', content: 'Actions' },
    ],
  };

  const rows: RowType[] = connections.map((c) => {
    const state = busy[c.id];
    const oauth = typeChoice(kind, c.type)?.oauth ?? false;
    return {
      key: c.id,
      cells: [
        { key: 'name', content: <strong>{c.name}</strong> },
        { key: 'type', content: <span className="nowrap">{typeLabel(c.type)}</span> },
        { key: 'username', content: c.username ?? dash },
        ...(kind.jiraTarget ? [{ key: 'project', content: projectName(c.projectId) }] : []),
        { key: 'status', content: <StatusCell connection={c} /> },
        {
          key: 'actions',
          content: (
            <div className="row-actions" role="group" aria-label={`Actions for ${c.name}`}>
              <Button spacing="compact" onClick={() => onEdit(c)} isDisabled={Boolean(state)}>
                Edit
              </Button>
              <Button spacing="compact" onClick={() => onTest(c)} isLoading={state === 'testing'} isDisabled={Boolean(state) && state !== 'testing'}>
                Test connection
              </Button>
              {onActivity ? (
                <Button spacing="compact" onClick={() => onActivity(c)}>
                  Activity
                </Button>
              ) : null}
              {oauth ? (
                <Button spacing="compact" onClick={() => onReauthorize(c)} isDisabled={!canAuthorize || (Boolean(state) && state !== 'authorizing')}>
                  Re-authorize
                </Button>
              ) : null}
              <Button spacing="compact" onClick={() => onDelete(c)} isLoading={state === 'deleting'} isDisabled={Boolean(state) && state !== 'deleting'}>
                Delete
              </Button>
            </div>
          ),
        },
      ],
    };
  });

  return (
    <DynamicTable
      label={kind.title}
      head={head}
      rows={rows}
      isLoading={isLoading}
      loadingLabel={`Loading ${kind.title}`}
      emptyView={<p className="empty">No {kind.title} yet. Click Create to add one.</p>}
    />
  );
}
