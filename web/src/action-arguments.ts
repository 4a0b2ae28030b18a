import type { ModuleAction, SettingField } from './api/types';

/** A custom action's declared argument (text, number, yes/no, choice) as a form field. */
export function argumentAsField(argument: ModuleAction['arguments'][number] | ActionArgument): SettingField {
  const raw = argument as ActionArgument;
  if (raw.type === 'choice')
    return {
      name: raw.name,
      label: raw.label,
      type: 'dropdown',
      required: raw.required ?? false,
      ...(raw.description ? { description: raw.description } : {}),
      ...(raw.loader ? { loader: raw.loader } : {}),
      options: (raw.choices ?? []).map((value) => ({ value, label: value })),
    };
  return argument as SettingField;
}

/** What GET /v1/modules says a custom action takes. */
export interface ActionArgument {
  name: string;
  label: string;
  type: 'text' | 'number' | 'yesno' | 'choice';
  required?: boolean;
  description?: string;
  choices?: string[];
  loader?: string;
  min?: number;
  max?: number;
  maxLength?: number;
}
