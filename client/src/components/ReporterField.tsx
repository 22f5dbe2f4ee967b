// The Message Source's Default reporter: the Jira user who reports the issues of senders Jira cannot
// match to a user (most customers, and users whose profile hides their email). Found by typing a name;
// the saved one is shown by name, looked up once.
import { AsyncSelect } from '@atlaskit/select';
import { useRef, useState } from 'react';
import { getUser, searchUsers } from '../api';
import { FIELD_IDS } from '../draft';
import { useAsync } from '../hooks/useAsync';
import { problemOf } from '../problems';
import { FormField } from './FormField';

interface Choice {
  value: string;
  label: string;
}

interface Props {
  accountId: string | null;
  onChange: (accountId: string | null) => void;
  error?: string | undefined;
  isDisabled?: boolean;
}

const WAIT_MS = 250;

export function ReporterField({ accountId, onChange, error, isDisabled }: Props) {
  // The name of a reporter picked in this form; otherwise the saved one's, from Jira.
  const [picked, setPicked] = useState<Choice | null>(null);
  const saved = useAsync(accountId && picked?.value !== accountId ? () => getUser(accountId) : null, accountId ?? '');
  const [searchError, setSearchError] = useState<string | null>(null);
  const timer = useRef<number | undefined>(undefined);

  const selected: Choice | null = !accountId
    ? null
    : picked?.value === accountId
      ? picked
      : { value: accountId, label: saved.data?.displayName ?? (saved.loading ? 'Loading…' : 'A user Jira no longer knows') };

  // Typing waits a moment before asking Jira, so that each keystroke is not a request.
  const load = (input: string) =>
    new Promise<Choice[]>((resolve) => {
      window.clearTimeout(timer.current);
      if (!input.trim()) return resolve([]);
      timer.current = window.setTimeout(() => {
        searchUsers(input.trim()).then(
          (users) => {
            setSearchError(null);
            resolve(users.map((u) => ({ value: u.accountId, label: u.displayName })));
          },
          (err: unknown) => {
            setSearchError(`Could not search Jira's users: ${problemOf(err).message}`);
            resolve([]);
          },
        );
      }, WAIT_MS);
    });

  return (
    <FormField
      id={FIELD_IDS.defaultReporterAccountId}
      label="Default reporter"
      helper="Reports the issues of senders who are not Jira users, or whose email Jira does not show. Empty: the Mailbridge app."
      error={error ?? searchError ?? (saved.error ? `Could not load the reporter from Jira: ${problemOf(saved.error).message}` : undefined)}
    >
      {(control) => (
        <AsyncSelect<Choice>
          inputId={control.id}
          aria-describedby={control['aria-describedby']}
          loadOptions={load}
          value={selected}
          onChange={(choice) => {
            setPicked(choice ?? null);
            onChange(choice ? choice.value : null);
          }}
          isInvalid={control.isInvalid}
          isDisabled={isDisabled}
          isClearable
          placeholder="Type a name"
          noOptionsMessage={({ inputValue }) => (inputValue.trim() ? 'No Jira user has that name' : 'Type a name')}
          loadingMessage={() => 'Searching…'}
          menuPlacement="auto"
          maxMenuHeight={240}
        />
      )}
    </FormField>
  );
}
