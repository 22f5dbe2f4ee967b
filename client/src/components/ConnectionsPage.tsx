// One admin page: the list of the tenant's Message Sources (or Outbounds) with Create, and the form
// in its place while one is being created or edited.
import Button from '@atlaskit/button/default/button';
import SectionMessage from '@atlaskit/section-message';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { deleteConnection, getInstallation, listConnections, listProjects, testConnection } from '../api';
import { useAsync } from '../hooks/useAsync';
import { useAuthorization } from '../hooks/useAuthorization';
import type { ConnectionKind } from '../kinds';
import { problemOf } from '../problems';
import type { Connection, Explanation } from '../types';
import { GOOGLE_NOT_CONFIGURED, WaitingForGoogle } from './AuthorizeButton';
import { ActivityPanel } from './ActivityPanel';
import { ConfirmDelete } from './ConfirmDelete';
import { ConnectionForm } from './ConnectionForm';
import { ConnectionsTable, type RowBusy } from './ConnectionsTable';
import { ProblemMessage } from './ProblemMessage';

type View = { mode: 'list' } | { mode: 'create' } | { mode: 'edit'; connection: Connection } | { mode: 'activity'; connection: Connection };
type Notice = { kind: 'success'; text: string } | { kind: 'problem'; title: string; problem: Explanation };

export function ConnectionsPage({ kind }: { kind: ConnectionKind }) {
  const installation = useAsync(getInstallation, 'installation');
  const list = useAsync(() => listConnections(kind), kind.path);
  const projects = useAsync(kind.jiraTarget ? listProjects : null, kind.jiraTarget ? 'projects' : '');
  const google = installation.data?.google;
  const reauth = useAuthorization(google?.trustPageUrl ?? '');

  const [view, setView] = useState<View>({ mode: 'list' });
  const [notice, setNotice] = useState<Notice | null>(null);
  const [confirming, setConfirming] = useState<Connection | null>(null);
  const [busy, setBusy] = useState<Record<string, RowBusy | undefined>>({});
  const createRef = useRef<HTMLDivElement>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  const waitingRef = useRef<HTMLDivElement>(null);

  // A new message takes the focus: it is read out, and Jira's page scrolls to it (the iframe can be
  // taller than the window).
  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);
  // The hint for the Google window goes where it can be seen, without taking the focus from that window.
  useEffect(() => {
    if (reauth.state.phase === 'waiting') waitingRef.current?.scrollIntoView({ block: 'nearest' });
  }, [reauth.state.phase]);

  const setRowBusy = useCallback((id: string, state: RowBusy | undefined) => setBusy((b) => ({ ...b, [id]: state })), []);
  const replaceRow = (row: Connection) => list.set((rows) => (rows ?? []).map((r) => (r.id === row.id ? row : r)));
  /** Starts an action on the list: earlier messages make way for its own. */
  const begin = () => {
    setNotice(null);
    setConfirming(null);
    reauth.reset();
  };

  const onTest = async (c: Connection) => {
    begin();
    setRowBusy(c.id, 'testing');
    try {
      const result = await testConnection(kind, c.id);
      replaceRow(result.connection);
      setNotice(
        result.ok
          ? { kind: 'success', text: `"${c.name}" works: Mailbridge logged in to the mailbox.` }
          : { kind: 'problem', title: `"${c.name}" did not connect`, problem: result.problem ?? result.connection.statusExplanation ?? problemOf(new Error('The test failed.')) },
      );
    } catch (err) {
      setNotice({ kind: 'problem', title: `"${c.name}" could not be tested`, problem: problemOf(err) });
    } finally {
      setRowBusy(c.id, undefined);
    }
  };

  // Runs inside the click: the Google window must open synchronously.
  const onReauthorize = (c: Connection) => {
    begin();
    setRowBusy(c.id, 'authorizing');
    // A failure is reported while the attempt may still be watched (a Google window we lost track of
    // can still finish): a later success replaces the message.
    reauth.authorize({ kind: kind.key, targetId: c.id }, (done) => {
      setRowBusy(c.id, undefined);
      list.reload();
      setNotice(
        done.phase === 'authorized'
          ? { kind: 'success', text: `"${c.name}" is authorized again, as ${done.email}.` }
          : { kind: 'problem', title: `"${c.name}" was not re-authorized`, problem: done.problem },
      );
    });
  };

  const onDelete = async (c: Connection) => {
    setRowBusy(c.id, 'deleting');
    try {
      await deleteConnection(kind, c.id);
      list.set((rows) => (rows ?? []).filter((r) => r.id !== c.id));
      setConfirming(null);
      setNotice({ kind: 'success', text: `The ${kind.noun} "${c.name}" was deleted.` });
    } catch (err) {
      setConfirming(null);
      setNotice({ kind: 'problem', title: `"${c.name}" was not deleted`, problem: problemOf(err) });
    } finally {
      setRowBusy(c.id, undefined);
    }
  };

  const backToList = (message?: Notice, saved?: Connection) => {
    setView({ mode: 'list' });
    setNotice(message ?? null);
    // The saved row shows at once; the reload brings anything else that changed meanwhile.
    if (saved) list.set((rows) => [...(rows ?? []).filter((r) => r.id !== saved.id), saved].sort((a, b) => a.name.localeCompare(b.name)));
    list.reload();
  };

  let body: ReactNode;
  if (installation.error) {
    body = <ProblemMessage title="This page could not be loaded" problem={problemOf(installation.error)} />;
  } else if (view.mode === 'activity') {
    body = <ActivityPanel source={view.connection} onClose={() => backToList()} />;
  } else if (view.mode !== 'list' && google) {
    body = (
      <ConnectionForm
        key={view.mode === 'edit' ? view.connection.id : 'new'}
        kind={kind}
        google={google}
        connection={view.mode === 'edit' ? view.connection : undefined}
        onSaved={(saved, created) =>
          backToList(
            {
              kind: 'success',
              text: created ? `The ${kind.noun} "${saved.name}" was created: the connection works.` : `Your changes to "${saved.name}" were saved.`,
            },
            saved,
          )
        }
        onCancel={() => backToList()}
      />
    );
  } else {
    body = (
      <>
        <div className="notices" aria-live="polite">
          {google && !google.configured ? (
            <SectionMessage appearance="warning" title="Google authorization is not set up">
              <div className="section-message-text">
                <p>{GOOGLE_NOT_CONFIGURED}</p>
              </div>
            </SectionMessage>
          ) : null}
          {notice ? (
            <div ref={noticeRef} tabIndex={-1} className="notice">
              {notice.kind === 'success' ? (
                <SectionMessage appearance="success">
                  <div className="section-message-text">
                    <p>{notice.text}</p>
                  </div>
                </SectionMessage>
              ) : (
                <ProblemMessage title={notice.title} problem={notice.problem} />
              )}
            </div>
          ) : null}
          {google && reauth.state.phase === 'waiting' ? (
            <div ref={waitingRef}>
              <WaitingForGoogle trustPageUrl={google.trustPageUrl} />
            </div>
          ) : null}
          {list.error ? <ProblemMessage title={`The ${kind.title} could not be loaded`} problem={problemOf(list.error)} /> : null}
        </div>
        {confirming ? (
          <div className="notices">
            <ConfirmDelete
              kind={kind}
              connection={confirming}
              isDeleting={busy[confirming.id] === 'deleting'}
              onConfirm={() => void onDelete(confirming)}
              onCancel={() => {
                setConfirming(null);
                createRef.current?.querySelector('button')?.focus();
              }}
            />
          </div>
        ) : null}
        <ConnectionsTable
          kind={kind}
          connections={list.data ?? []}
          isLoading={list.loading && !list.data}
          projects={projects.data}
          busy={busy}
          canAuthorize={Boolean(google?.configured)}
          onEdit={(c) => {
            begin();
            setView({ mode: 'edit', connection: c });
          }}
          onTest={(c) => void onTest(c)}
          onReauthorize={onReauthorize}
          onActivity={
            kind.jiraTarget
              ? (c) => {
                  begin();
                  setView({ mode: 'activity', connection: c });
                }
              : undefined
          }
          onDelete={(c) => {
            begin();
            setConfirming(c);
          }}
        />
      </>
    );
  }

  return (
    <main>
      <header className="page-header">
        <div>
          <h1>{kind.title}</h1>
          <p>{kind.description}</p>
        </div>
        {view.mode === 'list' ? (
          <div ref={createRef}>
            <Button
              appearance="primary"
              isDisabled={!google}
              onClick={() => {
                begin();
                setView({ mode: 'create' });
              }}
            >
              Create
            </Button>
          </div>
        ) : null}
      </header>
      {body}
    </main>
  );
}
