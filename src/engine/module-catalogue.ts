import type { ErrorKind } from '../core/errors.js';
import {
  ACTION_HANDLERS,
  type ActionArgument,
  type AnyModule,
  type SettingField,
  type SettingsSchema,
} from '../modules/contract.js';

/**
 * What `GET /v1/modules` says of each installed module: enough for a UI or the WHMCS bridge to
 * generate every form and button (settings with their types, bounds, choices and loaders; product
 * types; custom actions with their arguments; views; errors) without knowing the module.
 */
export interface FieldDescription {
  name: string;
  label: string;
  type: SettingField['type'];
  required: boolean;
  secret: boolean;
  default?: string | number | boolean;
  description?: string;
  options?: readonly { value: string; label: string }[];
  loader?: string;
  min?: number;
  max?: number;
  maxLength?: number;
  /** A JavaScript regular expression's source. */
  pattern?: string;
  patternMessage?: string;
  showWhen?: { field: string; equals: string | number | boolean };
}

export interface ProductTypeDescription {
  /** null for a module that sells one kind of thing. */
  id: string | null;
  displayName: string;
  settings: FieldDescription[];
  configOptions: readonly {
    name: string;
    aliases?: readonly string[];
    label: string;
    description?: string;
  }[];
}

export interface ModuleDescription {
  id: string;
  displayName: string;
  server: {
    credential: AnyModule['server']['credential'];
    defaultPort: { plain: number; secure: number };
    secureByDefault: boolean;
    settings: FieldDescription[];
  };
  productTypes: ProductTypeDescription[];
  actions: {
    name: string;
    label: string;
    description?: string;
    destructive: boolean;
    arguments: readonly ActionArgument[];
  }[];
  views: { client: boolean; admin: boolean };
  loginLink: boolean;
  /** Lifecycle actions the module carries out (`create`, `suspend`, …, `adopt`). */
  lifecycle: string[];
  packageMoves: readonly { from: string; to: string }[];
  reconcile: boolean;
  /** The module reads usage figures per server (`POST /v1/usage/sync`). */
  usage: boolean;
  errors: { code: string; kind: ErrorKind; status: number; meaning: string }[];
}

export function describeField(field: SettingField): FieldDescription {
  return {
    name: field.name,
    label: field.label,
    type: field.type,
    required: field.required ?? false,
    secret: field.secret === true || field.type === 'password',
    ...(field.default !== undefined ? { default: field.default } : {}),
    ...(field.description ? { description: field.description } : {}),
    ...(field.options ? { options: field.options } : {}),
    ...(field.loader ? { loader: field.loader } : {}),
    ...(field.min !== undefined ? { min: field.min } : {}),
    ...(field.max !== undefined ? { max: field.max } : {}),
    ...(field.maxLength !== undefined ? { maxLength: field.maxLength } : {}),
    ...(field.pattern ? { pattern: field.pattern.source } : {}),
    ...(field.patternMessage ? { patternMessage: field.patternMessage } : {}),
    ...(field.showWhen ? { showWhen: field.showWhen } : {}),
  };
}

const fieldsOf = (schema: SettingsSchema | undefined) => (schema?.fields ?? []).map(describeField);

/** The module's product types; a module that sells one kind of thing has one, with id null. */
export function productTypesOf(module: AnyModule): ProductTypeDescription[] {
  if (module.productTypes?.length) {
    return module.productTypes.map((t) => ({
      id: t.id,
      displayName: t.displayName,
      settings: fieldsOf(t.settings),
      configOptions: [...(module.configOptions ?? []), ...(t.configOptions ?? [])],
    }));
  }
  return [
    {
      id: null,
      displayName: module.displayName,
      settings: fieldsOf(module.settings),
      configOptions: module.configOptions ?? [],
    },
  ];
}

export function describeModule(module: AnyModule): ModuleDescription {
  const lifecycle = Object.entries(ACTION_HANDLERS)
    .filter(([, handler]) => typeof module[handler] === 'function')
    .map(([action]) => action);
  if (module.adopt) lifecycle.push('adopt');
  return {
    id: module.id,
    displayName: module.displayName,
    server: {
      credential: module.server.credential,
      defaultPort: module.server.defaultPort,
      secureByDefault: module.server.secureByDefault ?? true,
      settings: fieldsOf(module.server.settings),
    },
    productTypes: productTypesOf(module),
    actions: Object.entries(module.actions ?? {}).map(([name, action]) => ({
      name,
      label: action.label,
      ...(action.description ? { description: action.description } : {}),
      destructive: action.destructive ?? false,
      arguments: action.arguments ?? [],
    })),
    views: { client: !!module.clientArea, admin: !!module.adminFields },
    loginLink: !!module.loginUrl,
    lifecycle,
    packageMoves: module.packageMoves ?? [],
    reconcile: !!module.listRemote,
    usage: !!module.usage,
    errors: Object.values(module.errors?.entries ?? {}).map((e) => ({
      code: e.code,
      kind: e.kind,
      status: e.status,
      meaning: e.meaning,
    })),
  };
}
