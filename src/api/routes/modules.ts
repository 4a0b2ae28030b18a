import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { fail } from '../../core/error-catalogue.js';
import type { AnyModule, SettingField, SettingsSchema } from '../../modules/contract.js';
import { addRoute } from '../route.js';
import { listOf } from '../schemas.js';
import type { ApiContext } from '../server.js';

/**
 * Stopgap for the web UI until the lead's GET /v1/modules lands (api-plan.md gives its shape;
 * the lead's route replaces this file): every module with its server and product settings,
 * product types, custom actions with their arguments, and which views it offers.
 */
function describeField(field: SettingField) {
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

export function describeModule(module: AnyModule) {
  const types = module.productTypes?.length
    ? module.productTypes.map((t) => ({
        id: t.id,
        displayName: t.displayName,
        settings: fieldsOf(t.settings),
        configOptions: t.configOptions ?? [],
      }))
    : [
        {
          id: null,
          displayName: module.displayName,
          settings: fieldsOf(module.settings),
          configOptions: module.configOptions ?? [],
        },
      ];
  const lifecycle = ['create', 'suspend', 'unsuspend', 'terminate', 'changePackage', 'changePassword'].filter(
    (name) => typeof (module as unknown as Record<string, unknown>)[name] === 'function',
  );
  return {
    id: module.id,
    displayName: module.displayName,
    server: {
      credential: module.server.credential,
      defaultPort: module.server.defaultPort,
      secureByDefault: module.server.secureByDefault ?? true,
      settings: fieldsOf(module.server.settings),
    },
    productTypes: types,
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
  };
}

const ModuleDescription = Type.Object({}, { additionalProperties: true });

export function registerModuleRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/v1/modules',
    scope: 'read',
    tag: 'modules',
    summary:
      'Every module: settings schemas, product types, custom actions and views (forms are generated from it)',
    response: { 200: listOf(ModuleDescription) },
    handler: async () => ({ items: [...engine.modules.values()].map(describeModule) }),
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/modules/:id',
    scope: 'read',
    tag: 'modules',
    summary: 'One module, described as in GET /v1/modules',
    params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
    response: { 200: ModuleDescription },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const module = engine.modules.get(id);
      if (!module) throw fail('module.not_found', `no module "${id}": GET /v1/modules lists them`);
      return describeModule(module);
    },
  });
}
