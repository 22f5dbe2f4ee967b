// A labelled control with its helper text and error, wired for assistive technology: the label names
// the control (label[for] = the control's id; the asterisk stays outside so the name is the label alone),
// the helper and the error describe it.
import { ErrorMessage, HelperMessage, Label, RequiredAsterisk } from '@atlaskit/form';
import type { ReactNode } from 'react';

export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
  isInvalid: boolean;
}

interface Props {
  id: string;
  label: string;
  isRequired?: boolean;
  helper?: ReactNode;
  error?: string | undefined;
  className?: string;
  children: (control: ControlProps) => ReactNode;
}

export function FormField({ id, label, isRequired, helper, error, className, children }: Props) {
  const describedBy = [error ? `${id}-error` : null, helper ? `${id}-helper` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <div className="field-label">
        <Label htmlFor={id} id={`${id}-label`}>
          {label}
        </Label>
        {isRequired ? <RequiredAsterisk /> : null}
      </div>
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined, isInvalid: Boolean(error) })}
      {helper ? (
        <div id={`${id}-helper`}>
          <HelperMessage>{helper}</HelperMessage>
        </div>
      ) : null}
      {error ? (
        <div id={`${id}-error`}>
          <ErrorMessage>{error}</ErrorMessage>
        </div>
      ) : null}
    </div>
  );
}
