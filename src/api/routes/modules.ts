import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { fail } from '../../core/error-catalogue.js';
import { ERROR_KINDS } from '../../core/errors.js';
import { describeModule } from '../../engine/module-catalogue.js';
import { SETTING_TYPES } from '../../modules/contract.js';
import { addRoute } from '../route.js';
import { listOf } from '../schemas.js';
import type { ApiContext } from '../server.js';

const literals = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);

const Field = Type.Object({
  name: Type.String(),
  label: Type.String(),
  type: literals(SETTING_TYPES),
  required: Type.Boolean(),
  secret: Type.Boolean({ description: 'Stored sealed, never returned.' }),
  default: opt(Scalar),
  description: opt(Type.String()),
  options: opt(Type.Array(Type.Object({ value: Type.String(), label: Type.String() }))),
  loader: opt(Type.String({ description: 'Ask POST /v1/products/choices for the choices.' })),
  min: opt(Type.Number()),
  max: opt(Type.Number()),
  maxLength: opt(Type.Integer()),
  pattern: opt(Type.String({ description: 'A JavaScript regular expression.' })),
  patternMessage: opt(Type.String()),
  showWhen: opt(Type.Object({ field: Type.String(), equals: Scalar })),
});

const ModuleDescription = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  server: Type.Object({
    credential: literals(['password', 'api-key', 'none']),
    defaultPort: Type.Object({ plain: Type.Integer(), secure: Type.Integer() }),
    secureByDefault: Type.Boolean(),
    settings: Type.Array(Field),
  }),
  productTypes: Type.Array(
    Type.Object({
      id: Type.Union([Type.String(), Type.Null()]),
      displayName: Type.String(),
      settings: Type.Array(Field),
      configOptions: Type.Array(
        Type.Object({
          name: Type.String(),
          aliases: opt(Type.Array(Type.String())),
          label: Type.String(),
          description: opt(Type.String()),
        }),
      ),
    }),
  ),
  actions: Type.Array(
    Type.Object({
      name: Type.String(),
      label: Type.String(),
      description: opt(Type.String()),
      destructive: Type.Boolean(),
      arguments: Type.Array(
        Type.Object({
          name: Type.String(),
          label: Type.String(),
          type: literals(['text', 'number', 'yesno', 'choice']),
          required: opt(Type.Boolean()),
          description: opt(Type.String()),
          choices: opt(Type.Array(Type.String())),
          loader: opt(Type.String()),
          min: opt(Type.Number()),
          max: opt(Type.Number()),
          maxLength: opt(Type.Integer()),
        }),
      ),
    }),
  ),
  views: Type.Object({ client: Type.Boolean(), admin: Type.Boolean() }),
  loginLink: Type.Boolean(),
  lifecycle: Type.Array(Type.String()),
  packageMoves: Type.Array(Type.Object({ from: Type.String(), to: Type.String() })),
  reconcile: Type.Boolean(),
  usage: Type.Boolean({ description: 'The module reads usage figures per server.' }),
  errors: Type.Array(
    Type.Object({
      code: Type.String(),
      kind: literals(ERROR_KINDS),
      status: Type.Integer(),
      meaning: Type.String(),
    }),
  ),
});

export function registerModuleRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/v1/modules',
    scope: 'read',
    tag: 'modules',
    summary:
      'Every installed module: server and product settings (types, bounds, choices, loaders), product types, custom actions with their arguments, views and error codes',
    response: { 200: listOf(ModuleDescription) },
    handler: async () => ({ items: [...engine.modules.values()].map(describeModule) }),
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/modules/:id',
    scope: 'read',
    tag: 'modules',
    summary: 'One module, described as in GET /v1/modules',
    params: Type.Object({ id: Type.String({ pattern: '^[a-z][a-z0-9]{0,31}$' }) }),
    response: { 200: ModuleDescription },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const module = engine.modules.get(id);
      if (!module)
        throw fail('module.not_found', `no module "${id}" is installed: GET /v1/modules lists them`);
      return describeModule(module);
    },
  });
}
