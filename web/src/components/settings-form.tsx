import { useState } from 'react';
import type { SettingField, SettingValue } from '../api/types';
import { useSession } from '../session';
import { isFieldVisible, type SettingValues } from '../settings-validation';
import { CheckboxField, type Choice, RadioField, SelectField, TextAreaField, TextField } from './form-field';

/** Where a dropdown's loader asks: the module, the product type and a server to ask. */
export interface LoaderTarget {
  module: string;
  productType: string | null;
  serverId: number | null;
}

/**
 * A form generated from a module's settings schema (GET /v1/modules): one control per field
 * type, fields hidden by their show-when rule, dropdowns with loaders filled by asking the
 * server (POST /v1/products/choices). Secret fields are never pre-filled.
 */
export function SettingsForm(props: {
  idPrefix: string;
  fields: readonly SettingField[];
  values: SettingValues;
  onChange(values: SettingValues): void;
  errors: Record<string, string>;
  onFieldBlur?(name: string): void;
  loaderTarget?: LoaderTarget;
  keptSecrets?: readonly string[];
}) {
  const set = (name: string, value: SettingValue) => props.onChange({ ...props.values, [name]: value });
  return (
    <div className="settings-form">
      {props.fields
        .filter((field) => isFieldVisible(field, props.values))
        .map((field) => (
          <SettingControl
            key={field.name}
            id={`${props.idPrefix}-${field.name}`}
            field={field}
            value={props.values[field.name]}
            values={props.values}
            error={props.errors[field.name]}
            onChange={(value) => set(field.name, value)}
            onBlur={() => props.onFieldBlur?.(field.name)}
            loaderTarget={props.loaderTarget}
            secretKept={props.keptSecrets?.includes(field.name) ?? false}
          />
        ))}
    </div>
  );
}

function SettingControl(props: {
  id: string;
  field: SettingField;
  value: SettingValue | undefined;
  values: SettingValues;
  error: string | undefined;
  onChange(value: SettingValue): void;
  onBlur(): void;
  loaderTarget: LoaderTarget | undefined;
  secretKept: boolean;
}) {
  const { field, id } = props;
  const common = {
    id,
    label: field.label,
    error: props.error,
    description: field.description,
    required: field.required ?? false,
    onBlur: props.onBlur,
  };
  const text = props.value === undefined ? '' : String(props.value);
  switch (field.type) {
    case 'yesno':
      return (
        <CheckboxField
          id={id}
          label={field.label}
          checked={props.value === true}
          onChange={props.onChange}
          error={props.error}
          description={field.description}
        />
      );
    case 'textarea':
      return <TextAreaField {...common} value={text} onChange={props.onChange} />;
    case 'number':
      return <TextField {...common} type="number" value={text} onChange={props.onChange} />;
    case 'password':
      return (
        <TextField
          {...common}
          type="password"
          autoComplete="new-password"
          value={text}
          onChange={props.onChange}
          placeholder={props.secretKept ? 'kept (type to replace)' : ''}
        />
      );
    case 'radio':
      return (
        <RadioField
          id={id}
          label={field.label}
          value={text}
          choices={field.options ?? []}
          onChange={props.onChange}
          error={props.error}
          description={field.description}
        />
      );
    case 'dropdown':
      return field.loader ? (
        <LoadedDropdown {...props} />
      ) : (
        <SelectField {...common} value={text} choices={field.options ?? []} onChange={props.onChange} />
      );
    default:
      return (
        <TextField
          {...common}
          type={field.secret ? 'password' : 'text'}
          value={text}
          onChange={props.onChange}
        />
      );
  }
}

/** A dropdown whose choices come from the backend: the operator asks for them with a server chosen. */
function LoadedDropdown(props: Parameters<typeof SettingControl>[0]) {
  const { api, can } = useSession();
  const [choices, setChoices] = useState<Choice[] | null>(null);
  const [loadError, setLoadError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const { field, loaderTarget } = props;
  const current = props.value === undefined ? '' : String(props.value);
  const known: Choice[] = choices ?? field.options ?? [];
  const shown =
    current && !known.some((c) => c.value === current)
      ? [{ value: current, label: current }, ...known]
      : known;

  const load = async () => {
    if (!loaderTarget?.serverId) {
      setLoadError('choose a server to ask first');
      return;
    }
    setBusy(true);
    setLoadError(undefined);
    try {
      const answer = await api.post<{ choices: Choice[] }>('/v1/products/choices', {
        module: loaderTarget.module,
        ...(loaderTarget.productType ? { productType: loaderTarget.productType } : {}),
        field: field.name,
        serverId: loaderTarget.serverId,
        values: props.values,
      });
      setChoices(answer.choices);
    } catch (error) {
      setLoadError((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="loaded-dropdown">
      <SelectField
        id={props.id}
        label={field.label}
        value={current}
        choices={shown}
        blank={shown.length ? '— choose —' : '— load the choices —'}
        onChange={props.onChange}
        error={props.error ?? loadError}
        description={field.description}
        required={field.required ?? false}
      />
      {can('operator') ? (
        <button
          type="button"
          onClick={load}
          disabled={busy}
          aria-label={`Load choices for ${field.label} from the server`}
        >
          {busy ? 'Asking the server…' : 'Load choices from server'}
        </button>
      ) : null}
    </div>
  );
}
