// Asks before a Message Source or Outbound is deleted: a non-modal alert dialog atop the list, which
// takes the focus (so it is seen and heard) and gives it back on Cancel or Escape.
import Button from '@atlaskit/button/default/button';
import SectionMessage from '@atlaskit/section-message';
import { useEffect, useRef } from 'react';
import { typeChoice, type ConnectionKind } from '../kinds';
import type { Connection } from '../types';

interface Props {
  kind: ConnectionKind;
  connection: Connection;
  isDeleting: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

function consequence(kind: ConnectionKind, connection: Connection): string {
  const oauth = typeChoice(kind, connection.type)?.oauth ?? false;
  const stops = kind.key === 'source' ? 'Mailbridge stops reading this mailbox; issues it created stay in Jira.' : 'Mailbridge stops sending mail from this mailbox.';
  return oauth
    ? `${stops} Its Google authorization is given back, unless another Message Source or Outbound uses the same account.`
    : `${stops} Its saved password is deleted with it.`;
}

export function ConfirmDelete({ kind, connection, isDeleting, onConfirm, onCancel }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [connection.id]);
  const title = `Delete the ${kind.noun} "${connection.name}"?`;
  return (
    <div
      ref={ref}
      role="alertdialog"
      aria-modal="false"
      aria-labelledby="confirm-delete-title"
      aria-describedby="confirm-delete-text"
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !isDeleting) onCancel();
      }}
    >
      <SectionMessage appearance="warning">
        <div className="section-message-text">
          <p id="confirm-delete-title">
            <strong>{title}</strong>
          </p>
          <p id="confirm-delete-text">{consequence(kind, connection)}</p>
        </div>
        <div className="form-footer">
          <Button appearance="danger" onClick={onConfirm} isLoading={isDeleting}>
            Delete
          </Button>
          <Button appearance="subtle" onClick={onCancel} isDisabled={isDeleting}>
            Cancel
          </Button>
        </div>
      </SectionMessage>
    </div>
  );
}
