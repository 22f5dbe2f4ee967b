// An Atlaskit (react-select) single select labelled the accessible way: inputId + <label for>.
import Select from '@atlaskit/select';
import { FormField } from './FormField';

export interface Choice {
  value: string;
  label: string;
}

interface Props {
  id: string;
  label: string;
  choices: Choice[];
  value: string | null | undefined;
  onChange: (value: string | null) => void;
  isRequired?: boolean;
  isLoading?: boolean;
  isDisabled?: boolean;
  placeholder?: string;
  helper?: string | undefined;
  error?: string | undefined;
  noOptionsMessage?: string;
}

export function SelectField({ id, label, choices, value, onChange, isRequired, isLoading, isDisabled, placeholder, helper, error, noOptionsMessage }: Props) {
  const selected = choices.find((c) => c.value === value) ?? null;
  return (
    <FormField id={id} label={label} isRequired={isRequired} helper={helper} error={error}>
      {(control) => (
        <Select<Choice>
          inputId={control.id}
          aria-describedby={control['aria-describedby']}
          options={choices}
          value={selected}
          onChange={(choice) => onChange(choice ? choice.value : null)}
          isInvalid={control.isInvalid}
          isLoading={isLoading}
          isDisabled={isDisabled}
          isClearable={false}
          isSearchable
          placeholder={placeholder ?? 'Choose…'}
          noOptionsMessage={() => noOptionsMessage ?? 'Nothing to choose'}
          menuPlacement="auto"
          maxMenuHeight={240}
        />
      )}
    </FormField>
  );
}
