import type { ReactNode } from 'react';

/**
 * One labelled control with its description and its error right beside it. The error is tied to
 * the control (`aria-describedby`, `aria-invalid`) so a screen reader reads it with the field.
 */
export function FieldShell(props: {
  id: string;
  label: string;
  error?: string | undefined;
  description?: string | undefined;
  required?: boolean | undefined;
  children: (aria: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const describedBy =
    [props.error ? `${props.id}-error` : '', props.description ? `${props.id}-help` : '']
      .filter(Boolean)
      .join(' ') || undefined;
  return (
    <div className={`field${props.error ? ' field-invalid' : ''}`}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children({
        id: props.id,
        'aria-invalid': !!props.error,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
      })}
      {props.error ? (
        <p className="field-error" id={`${props.id}-error`} role="alert">
          {props.error}
        </p>
      ) : null}
      {props.description ? (
        <p className="field-help" id={`${props.id}-help`}>
          {props.description}
        </p>
      ) : null}
    </div>
  );
}

interface InputProps {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  error?: string | undefined;
  description?: string | undefined;
  required?: boolean;
  type?: 'text' | 'password' | 'email' | 'search' | 'number' | 'url';
  autoComplete?: string;
  placeholder?: string;
  onBlur?(): void;
}

export function TextField(props: InputProps) {
  return (
    <FieldShell {...props}>
      {(aria) => (
        <input
          {...aria}
          type={props.type ?? 'text'}
          value={props.value}
          required={props.required}
          autoComplete={props.autoComplete ?? 'off'}
          placeholder={props.placeholder}
          onChange={(event) => props.onChange(event.target.value)}
          onBlur={props.onBlur}
        />
      )}
    </FieldShell>
  );
}

export function TextAreaField(props: Omit<InputProps, 'type'>) {
  return (
    <FieldShell {...props}>
      {(aria) => (
        <textarea
          {...aria}
          rows={4}
          value={props.value}
          required={props.required}
          onChange={(event) => props.onChange(event.target.value)}
          onBlur={props.onBlur}
        />
      )}
    </FieldShell>
  );
}

export interface Choice {
  value: string;
  label: string;
}

export function SelectField(
  props: Omit<InputProps, 'type'> & { choices: readonly Choice[]; blank?: string },
) {
  return (
    <FieldShell {...props}>
      {(aria) => (
        <select
          {...aria}
          value={props.value}
          required={props.required}
          onChange={(event) => props.onChange(event.target.value)}
          onBlur={props.onBlur}
        >
          {props.blank !== undefined ? <option value="">{props.blank}</option> : null}
          {props.choices.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      )}
    </FieldShell>
  );
}

export function CheckboxField(props: {
  id: string;
  label: string;
  checked: boolean;
  onChange(checked: boolean): void;
  error?: string | undefined;
  description?: string | undefined;
}) {
  const describedBy = props.description ? `${props.id}-help` : undefined;
  return (
    <div className={`field field-checkbox${props.error ? ' field-invalid' : ''}`}>
      <input
        id={props.id}
        type="checkbox"
        checked={props.checked}
        aria-describedby={describedBy}
        aria-invalid={!!props.error}
        onChange={(event) => props.onChange(event.target.checked)}
      />
      <label htmlFor={props.id}>{props.label}</label>
      {props.error ? (
        <p className="field-error" role="alert">
          {props.error}
        </p>
      ) : null}
      {props.description ? (
        <p className="field-help" id={describedBy}>
          {props.description}
        </p>
      ) : null}
    </div>
  );
}

export function RadioField(props: {
  id: string;
  label: string;
  value: string;
  choices: readonly Choice[];
  onChange(value: string): void;
  error?: string | undefined;
  description?: string | undefined;
}) {
  return (
    <fieldset className={`field field-radio${props.error ? ' field-invalid' : ''}`}>
      <legend>{props.label}</legend>
      {props.choices.map((choice) => (
        <label key={choice.value} className="radio-choice">
          <input
            type="radio"
            name={props.id}
            value={choice.value}
            checked={props.value === choice.value}
            onChange={() => props.onChange(choice.value)}
          />
          {choice.label}
        </label>
      ))}
      {props.error ? (
        <p className="field-error" role="alert">
          {props.error}
        </p>
      ) : null}
      {props.description ? <p className="field-help">{props.description}</p> : null}
    </fieldset>
  );
}
