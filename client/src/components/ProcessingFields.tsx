// What a Message Source does with each mail besides the issue or comment: what becomes of the mail in
// the mailbox, and which of its files are attached (the rest are named in the issue, never dropped
// without a word).
import Textfield from '@atlaskit/textfield';
import { FIELD_IDS, type Draft, type FieldErrors } from '../draft';
import type { AfterProcessing } from '../types';
import { FormField } from './FormField';
import { SelectField } from './SelectField';

const AFTER_PROCESSING: { value: AfterProcessing; label: string }[] = [
  { value: 'LEAVE', label: 'Leave it as it is' },
  { value: 'MARK_READ', label: 'Mark it as read' },
  { value: 'MOVE', label: 'Move it to a folder or Gmail label' },
];

type Values = Pick<Draft, 'afterProcessing' | 'moveToFolder' | 'keepOriginal' | 'maxAttachmentMb' | 'maxAttachments'>;

interface Props {
  values: Values;
  onChange: (next: Partial<Values>) => void;
  errors: FieldErrors;
  isDisabled: boolean;
}

export function ProcessingFields({ values, onChange, errors, isDisabled }: Props) {
  return (
    <fieldset className="processing">
      <legend>Each mail, once it is an issue or a comment</legend>
      <SelectField
        id={FIELD_IDS.afterProcessing}
        label="In the mailbox"
        choices={AFTER_PROCESSING}
        value={values.afterProcessing}
        onChange={(next) => onChange({ afterProcessing: (next as AfterProcessing | null) ?? 'LEAVE' })}
        isDisabled={isDisabled}
        helper="Mailbridge keeps its own place in the mailbox, so reading mail in Gmail changes nothing either way."
        error={errors.afterProcessing}
      />
      {values.afterProcessing === 'MOVE' ? (
        <FormField id={FIELD_IDS.moveToFolder} label="Move to" isRequired helper="A folder or Gmail label; it is created when it does not exist." error={errors.moveToFolder}>
          {(control) => (
            <Textfield {...control} name="moveToFolder" value={values.moveToFolder} onChange={(e) => onChange({ moveToFolder: e.currentTarget.value })} isDisabled={isDisabled} placeholder="Mailbridge/Done" />
          )}
        </FormField>
      ) : null}
      <div className="field-row">
        <FormField id={FIELD_IDS.maxAttachmentMb} label="Largest attachment (MB)" helper="Larger files are named in the issue, not attached." error={errors.maxAttachmentMb}>
          {(control) => (
            <Textfield {...control} name="maxAttachmentMb" inputMode="decimal" value={values.maxAttachmentMb} onChange={(e) => onChange({ maxAttachmentMb: e.currentTarget.value })} isDisabled={isDisabled} />
          )}
        </FormField>
        <FormField id={FIELD_IDS.maxAttachments} label="Attachments per mail" helper="Files past this number are named in the issue." error={errors.maxAttachments}>
          {(control) => (
            <Textfield {...control} name="maxAttachments" inputMode="numeric" value={values.maxAttachments} onChange={(e) => onChange({ maxAttachments: e.currentTarget.value })} isDisabled={isDisabled} />
          )}
        </FormField>
      </div>
      <div className="field">
        <label className="checkbox" htmlFor={FIELD_IDS.keepOriginal}>
          <input id={FIELD_IDS.keepOriginal} type="checkbox" name="keepOriginal" checked={values.keepOriginal} onChange={(e) => onChange({ keepOriginal: e.currentTarget.checked })} disabled={isDisabled} />
          Attach the whole mail as original.eml
        </label>
      </div>
    </fieldset>
  );
}
