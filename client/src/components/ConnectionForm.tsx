// Create or edit one Message Source or Message Outbound. Submit tests the connection on the server,
// which saves it only when it works: field problems come back under their fields, a failed test as
// its explanation above the buttons.
import Button from '@atlaskit/button/default/button';
import Textfield from '@atlaskit/textfield';
import { useRef, useState, type FormEvent } from 'react';
import { createConnection, updateConnection } from '../api';
import { FIELD_IDS, initialDraft, placeFieldErrors, retests, toCreate, toPatch, validate, type Draft, type FieldErrors, type FieldName } from '../draft';
import { typeChoice, type ConnectionKind } from '../kinds';
import { problemOf } from '../problems';
import { ApiError } from '../transport';
import type { Connection, Explanation, Installation } from '../types';
import { AuthorizeButton } from './AuthorizeButton';
import { FormField } from './FormField';
import { JiraTargetFields } from './JiraTargetFields';
import { ProblemMessage } from './ProblemMessage';
import { ProcessingFields } from './ProcessingFields';
import { ReporterField } from './ReporterField';
import { SelectField } from './SelectField';

/** A typed Username Google can preselect (and the server checks the account against); not anything else. */
const asLoginHint = (username: string) => (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(username.trim()) ? username.trim() : undefined);

interface Props {
  kind: ConnectionKind;
  google: Installation['google'];
  /** Absent when creating. */
  connection?: Connection | undefined;
  onSaved: (saved: Connection, created: boolean) => void;
  onCancel: () => void;
}

export function ConnectionForm({ kind, google, connection, onSaved, onCancel }: Props) {
  const [draft, setDraft] = useState<Draft>(() => initialDraft(connection));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<{ title: string; explanation: Explanation } | null>(null);
  const [progress, setProgress] = useState<string | null>(null);
  /** A Google account authorized in this form (not only the one saved before). */
  const [freshlyAuthorized, setFreshlyAuthorized] = useState(false);
  const problemRef = useRef<HTMLDivElement>(null);

  const editing = connection !== undefined;
  const chosen = typeChoice(kind, draft.type ?? undefined);
  const submitting = progress !== null;

  const change = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    // A problem under a field goes once the field is changed.
    setErrors((e) => {
      const next = { ...e };
      for (const key of Object.keys(patch)) delete next[key as FieldName];
      if ('credentialId' in patch) delete next.authorize;
      return next;
    });
  };

  const showErrors = (found: FieldErrors) => {
    setErrors(found);
    const first = (Object.keys(found) as FieldName[])[0];
    if (first) window.setTimeout(() => document.getElementById(FIELD_IDS[first])?.focus(), 0);
  };

  const showProblem = (title: string, explanation: Explanation) => {
    setProblem({ title, explanation });
    window.setTimeout(() => problemRef.current?.scrollIntoView({ block: 'center', behavior: 'smooth' }), 0);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (submitting) return;
    setProblem(null);
    const found = validate(kind, draft, connection);
    if (Object.keys(found).length) return showErrors(found);
    setErrors({});

    const patch = editing ? toPatch(kind, draft, connection) : undefined;
    if (patch && Object.keys(patch).length === 0) return onSaved(connection!, false);
    setProgress(!patch || retests(patch) ? 'Testing the connection…' : 'Saving…');
    try {
      const saved = patch ? await updateConnection(kind, connection!.id, patch) : await createConnection(kind, toCreate(kind, draft));
      onSaved(saved, !editing);
    } catch (err) {
      if (err instanceof ApiError && err.fields) {
        const { errors: placed, rest } = placeFieldErrors(err.fields);
        showErrors(placed);
        if (rest.length || !Object.keys(placed).length) showProblem('Check the settings', { code: err.code, message: rest.join(' ') || err.message, action: '' });
      } else if (err instanceof ApiError && err.code === 'NAME_TAKEN') {
        showErrors({ name: err.message });
      } else if (err instanceof ApiError && err.code === 'CONNECTION_FAILED') {
        showProblem('The connection did not work, so nothing was saved', problemOf(err));
      } else {
        showProblem(`The ${kind.noun} was not saved`, problemOf(err));
      }
    } finally {
      setProgress(null);
    }
  };

  const heading = editing ? `Edit ${kind.noun} "${connection.name}"` : `Create a ${kind.noun}`;
  return (
    <form className="connection-form" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="connection-form-heading">
      <h2 id="connection-form-heading">{heading}</h2>

      <FormField id={FIELD_IDS.name} label="Name" isRequired error={errors.name}>
        {(control) => (
          <Textfield {...control} name="name" autoFocus value={draft.name} onChange={(e) => change({ name: e.currentTarget.value })} isDisabled={submitting} autoComplete="off" maxLength={100} />
        )}
      </FormField>

      <SelectField
        id={FIELD_IDS.type}
        label="Type"
        isRequired
        choices={kind.types}
        value={draft.type}
        onChange={(type) => change({ type: kind.types.find((t) => t.value === type)?.value ?? null })}
        isDisabled={submitting}
        placeholder="Choose a Type"
        error={errors.type}
      />

      {chosen?.oauth ? (
        <>
          <AuthorizeButton
            google={google}
            isAuthorized={Boolean(draft.credentialId) && (freshlyAuthorized || connection?.status === 'AUTHORIZED')}
            // Editing with the Username cleared: any account may be chosen (null), else the saved one is expected.
            request={() => ({ kind: kind.key, targetId: connection?.id, loginHint: asLoginHint(draft.username) ?? (connection ? null : undefined) })}
            onAuthorized={({ email, credentialId }) => {
              setFreshlyAuthorized(true);
              change({ credentialId, username: email });
            }}
            isDisabled={submitting}
            error={errors.authorize}
          />
          <FormField
            id={FIELD_IDS.username}
            label="Username"
            helper="Filled in from the Google account you authorize. If it stays empty, enter that account’s email address."
            error={errors.username}
          >
            {(control) => (
              <Textfield
                {...control}
                name="username"
                type="email"
                value={draft.username}
                onChange={(e) => change({ username: e.currentTarget.value })}
                isDisabled={submitting}
                autoComplete="off"
              />
            )}
          </FormField>
        </>
      ) : null}

      {chosen && !chosen.oauth ? (
        <>
          <div className="field-row">
            <FormField id={FIELD_IDS.host} label="Host" isRequired error={errors.host}>
              {(control) => (
                <Textfield
                  {...control}
                  name="host"
                  value={draft.host}
                  onChange={(e) => change({ host: e.currentTarget.value })}
                  isDisabled={submitting}
                  placeholder={kind.key === 'source' ? 'imap.example.com' : 'smtp.example.com'}
                  autoComplete="off"
                />
              )}
            </FormField>
            <FormField id={FIELD_IDS.port} label="Port" className="narrow" error={errors.port}>
              {(control) => (
                <Textfield
                  {...control}
                  name="port"
                  inputMode="numeric"
                  value={draft.port}
                  onChange={(e) => change({ port: e.currentTarget.value })}
                  isDisabled={submitting}
                  placeholder={String(kind.defaultPort(draft.tls))}
                />
              )}
            </FormField>
          </div>
          <div className="field">
            <label className="checkbox" htmlFor={FIELD_IDS.tls}>
              <input id={FIELD_IDS.tls} type="checkbox" name="tls" checked={draft.tls} onChange={(e) => change({ tls: e.currentTarget.checked })} disabled={submitting} />
              TLS
            </label>
          </div>
          <FormField id={FIELD_IDS.username} label="Username" isRequired error={errors.username}>
            {(control) => (
              <Textfield {...control} name="username" value={draft.username} onChange={(e) => change({ username: e.currentTarget.value })} isDisabled={submitting} autoComplete="off" />
            )}
          </FormField>
          <FormField
            id={FIELD_IDS.password}
            label="Password"
            isRequired={!connection?.hasPassword}
            helper={connection?.hasPassword ? 'A password is saved. Leave this empty to keep it.' : undefined}
            error={errors.password}
          >
            {(control) => (
              <Textfield
                {...control}
                name="password"
                type="password"
                value={draft.password}
                onChange={(e) => change({ password: e.currentTarget.value })}
                isDisabled={submitting}
                autoComplete="new-password"
              />
            )}
          </FormField>
        </>
      ) : null}

      {chosen && kind.fromName ? (
        <FormField id={FIELD_IDS.fromName} label="From" helper="The name people see as the sender, e.g. Acme Support." error={errors.fromName}>
          {(control) => <Textfield {...control} name="fromName" value={draft.fromName} onChange={(e) => change({ fromName: e.currentTarget.value })} isDisabled={submitting} />}
        </FormField>
      ) : null}

      {chosen && kind.jiraTarget ? (
        <>
          <FormField id={FIELD_IDS.folder} label="Folder" helper="The mailbox folder to read. Gmail labels are folders too." error={errors.folder}>
            {(control) => (
              <Textfield {...control} name="folder" value={draft.folder} onChange={(e) => change({ folder: e.currentTarget.value })} isDisabled={submitting} placeholder="INBOX" />
            )}
          </FormField>
          <FormField
            id={FIELD_IDS.acceptedLists}
            label="Google Groups to accept"
            helper="If customers write to a Google Group (e.g. support@acme.example) that delivers to this mailbox, enter it: Google marks that mail as list mail, which is otherwise ignored. Separate several with commas."
            error={errors.acceptedLists}
          >
            {(control) => (
              <Textfield {...control} name="acceptedLists" value={draft.acceptedLists} onChange={(e) => change({ acceptedLists: e.currentTarget.value })} isDisabled={submitting} autoComplete="off" />
            )}
          </FormField>
          <JiraTargetFields
            projectId={draft.projectId}
            issueTypeId={draft.issueTypeId}
            onChange={(next) => change(next)}
            errors={{ projectId: errors.projectId, issueTypeId: errors.issueTypeId }}
            isDisabled={submitting}
          />
          <ReporterField accountId={draft.defaultReporterAccountId} onChange={(next) => change({ defaultReporterAccountId: next })} error={errors.defaultReporterAccountId} isDisabled={submitting} />
          <ProcessingFields values={draft} onChange={change} errors={errors} isDisabled={submitting} />
        </>
      ) : null}

      {problem ? (
        <div className="form-problem" ref={problemRef} tabIndex={-1}>
          <ProblemMessage problem={problem.explanation} title={problem.title} />
        </div>
      ) : null}

      <div className="form-footer">
        <Button type="submit" appearance="primary" isLoading={submitting}>
          Submit
        </Button>
        <Button appearance="subtle" onClick={onCancel} isDisabled={submitting}>
          Cancel
        </Button>
        <span className="progress" role="status" aria-live="polite">
          {progress ?? ''}
        </span>
      </div>
    </form>
  );
}
