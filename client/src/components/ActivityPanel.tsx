// What one Message Source did with its last mails: the outcome, why, the issue, and for each mail its
// raw message (downloaded with the API's token, never a token in a URL) and Reprocess.
import Button from '@atlaskit/button/default/button';
import DynamicTable from '@atlaskit/dynamic-table';
import type { HeadType, RowType } from '@atlaskit/dynamic-table/types';
import Lozenge, { type ThemeAppearance } from '@atlaskit/lozenge';
import SectionMessage from '@atlaskit/section-message';
import { useState } from 'react';
import { getRawMessage, listActivity, reprocessMessage } from '../api';
import { useAsync } from '../hooks/useAsync';
import { problemOf } from '../problems';
import type { ActivityItem, ActivityOutcome, Connection, Explanation } from '../types';
import { ProblemMessage } from './ProblemMessage';

const OUTCOMES: Record<ActivityOutcome, { text: string; appearance: ThemeAppearance }> = {
  ISSUE_CREATED: { text: 'Issue created', appearance: 'success' },
  COMMENT_ADDED: { text: 'Comment added', appearance: 'success' },
  IGNORED: { text: 'Ignored', appearance: 'default' },
  FAILED: { text: 'Failed', appearance: 'removed' },
  QUARANTINED: { text: 'Set aside', appearance: 'moved' },
};
const REPROCESSABLE = new Set<ActivityOutcome>(['FAILED', 'QUARANTINED', 'IGNORED']);

const dash = <span className="muted">—</span>;

/** The download name: the Message-ID without its brackets (or the activity id), safe as a file name. */
export const emlName = (a: Pick<ActivityItem, 'messageId' | 'id'>) => `${(a.messageId ?? a.id).replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@+-]/g, '_').slice(0, 150) || a.id}.eml`;

function save(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "BOUNCE: the mail system said …": the code as it is, then its text. */
function Reason({ reason }: { reason: string | null }) {
  if (!reason) return dash;
  const m = /^([A-Z][A-Z0-9_]+): ([\s\S]*)$/.exec(reason);
  return m ? (
    <span>
      <code>{m[1]}</code>: {m[2]}
    </span>
  ) : (
    <span>{reason}</span>
  );
}

type Notice = { kind: 'success'; text: string } | { kind: 'problem'; title: string; problem: Explanation };

export function ActivityPanel({ source, onClose }: { source: Connection; onClose: () => void }) {
  const activity = useAsync(() => listActivity(source.id), `activity:${source.id}`);
  const [busy, setBusy] = useState<Record<string, 'raw' | 'reprocess' | undefined>>({});
  const [notice, setNotice] = useState<Notice | null>(null);
  const mark = (id: string, state: 'raw' | 'reprocess' | undefined) => setBusy((b) => ({ ...b, [id]: state }));

  const onRaw = async (a: ActivityItem) => {
    if (!a.ledgerEntryId) return;
    setNotice(null);
    mark(a.id, 'raw');
    try {
      save(await getRawMessage(source.id, a.ledgerEntryId), emlName(a));
    } catch (err) {
      setNotice({ kind: 'problem', title: 'The raw message could not be downloaded', problem: problemOf(err) });
    } finally {
      mark(a.id, undefined);
    }
  };

  const onReprocess = async (a: ActivityItem) => {
    if (!a.ledgerEntryId) return;
    setNotice(null);
    mark(a.id, 'reprocess');
    try {
      const r = await reprocessMessage(source.id, a.ledgerEntryId);
      const now = r.activity ? OUTCOMES[r.activity.outcome]?.text : undefined;
      setNotice({ kind: 'success', text: r.outcome === 'retry' ? `The mail will be tried again: ${r.reason ?? 'Jira did not answer'}.` : `The mail was reprocessed${now ? `: ${now}` : ''}.` });
    } catch (err) {
      setNotice({ kind: 'problem', title: 'The mail could not be reprocessed', problem: problemOf(err) });
    } finally {
      mark(a.id, undefined);
      activity.reload();
    }
  };

  const head: HeadType = {
    cells: [
      { key: 'at', content: 'When', width: 12 },
      { key: 'from', content: 'From', width: 14 },
      { key: 'subject', content: 'Subject', width: 18 },
      { key: 'outcome', content: 'Outcome', width: 10 },
      { key: 'reason', content: 'Reason', width: 20 },
      { key: 'issue', content: 'Issue', width: 8 },
      { key: 'actions', content: 'Actions' },
    ],
  };

  const rows: RowType[] = (activity.data ?? []).map((a) => {
    const outcome = OUTCOMES[a.outcome] ?? { text: a.outcome, appearance: 'default' as const };
    const state = busy[a.id];
    return {
      key: a.id,
      cells: [
        { key: 'at', content: <span className="nowrap">{new Date(a.at).toLocaleString()}</span> },
        { key: 'from', content: a.sender ?? dash },
        { key: 'subject', content: a.subject ?? dash },
        { key: 'outcome', content: <Lozenge appearance={outcome.appearance}>{outcome.text}</Lozenge> },
        { key: 'reason', content: <Reason reason={a.reason} /> },
        {
          key: 'issue',
          content: a.issueKey && a.issueUrl ? (
            <a href={a.issueUrl} target="_blank" rel="noopener noreferrer">
              {a.issueKey}
            </a>
          ) : (
            dash
          ),
        },
        {
          key: 'actions',
          content: a.ledgerEntryId ? (
            <div className="row-actions" role="group" aria-label={`Actions for the mail ${a.subject ?? a.messageId ?? a.id}`}>
              <Button spacing="compact" onClick={() => void onRaw(a)} isLoading={state === 'raw'} isDisabled={Boolean(state) && state !== 'raw'}>
                Raw message
              </Button>
              {a.canReprocess && REPROCESSABLE.has(a.outcome) ? (
                <Button spacing="compact" onClick={() => void onReprocess(a)} isLoading={state === 'reprocess'} isDisabled={Boolean(state) && state !== 'reprocess'}>
                  Reprocess
                </Button>
              ) : null}
            </div>
          ) : (
            dash
          ),
        },
      ],
    };
  });

  return (
    <section aria-labelledby="activity-title">
      <header className="page-header">
        <h2 id="activity-title">Activity of &quot;{source.name}&quot;</h2>
        <Button onClick={onClose}>Close</Button>
      </header>
      <div className="notices" aria-live="polite">
        {notice?.kind === 'success' ? (
          <SectionMessage appearance="success">
            <div className="section-message-text">
              <p>{notice.text}</p>
            </div>
          </SectionMessage>
        ) : notice ? (
          <ProblemMessage title={notice.title} problem={notice.problem} />
        ) : null}
        {activity.error ? <ProblemMessage title="The activity could not be loaded" problem={problemOf(activity.error)} /> : null}
      </div>
      <DynamicTable
        label={`Activity of ${source.name}`}
        head={head}
        rows={rows}
        isLoading={activity.loading && !activity.data}
        loadingLabel="Loading the activity"
        emptyView={<p className="empty">No mail handled yet.</p>}
      />
    </section>
  );
}
