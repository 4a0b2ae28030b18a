import { fail } from '../core/error-catalogue.js';
import type { AnyModule, SettingChoice, SettingValue } from '../modules/contract.js';
import { settingsSchemaFor, splitSecretSettings, validateSettings } from '../modules/settings.js';
import * as productsRepo from '../store/repositories/products.js';
import * as groupsRepo from '../store/repositories/server-groups.js';
import { requireModule } from './operation-loader.js';
import type { EngineScope } from './scope.js';
import { FieldErrors } from './validation.js';
import { checkWelcomeTemplate } from './welcome-message.js';

export function createProductsApi(scope: EngineScope) {
  const {
    deps,
    db,
    box,
    clock,
    requireServer,
    requireProduct,
    nameTaken,
    refuseIfReferenced,
    withServerContext,
  } = scope;
  function validateProductSettings(
    module: AnyModule,
    productType: string | null,
    settings: Record<string, unknown>,
  ) {
    if (module.productTypes?.length && !module.productTypes.some((t) => t.id === productType)) {
      throw fail(
        'settings.invalid',
        `module ${module.id} sells product types ${module.productTypes.map((t) => t.id).join(', ')}: give productType`,
        {
          details: [
            {
              field: 'productType',
              message: `productType must be one of ${module.productTypes.map((t) => t.id).join(', ')}`,
            },
          ],
        },
      );
    }
    const schema = settingsSchemaFor(module, productType)!;
    const checked = validateSettings(schema, settings);
    if (!checked.ok) {
      throw fail(
        'settings.invalid',
        `the product settings are invalid: ${checked.errors.map((e) => e.message).join('; ')}`,
        { details: checked.errors },
      );
    }
    return splitSecretSettings(schema, checked.values);
  }

  /** The one check of a product's own fields, for create and update alike. */
  async function checkProductFields(
    candidate: {
      name: unknown;
      serverGroupId?: number | null | undefined;
      welcomeTemplate?: string | null | undefined;
    },
    ownId: number | null,
  ): Promise<FieldErrors> {
    const errors = new FieldErrors();
    errors.text('name', candidate.name, { required: true, max: 200 });
    if (await nameTaken('products', candidate.name, ownId))
      errors.add('name', `a product named "${String(candidate.name)}" exists already`);
    if (candidate.serverGroupId != null && !(await groupsRepo.getServerGroup(db, candidate.serverGroupId)))
      errors.add('serverGroupId', `server group ${candidate.serverGroupId} does not exist`);
    const problem = candidate.welcomeTemplate ? checkWelcomeTemplate(candidate.welcomeTemplate) : undefined;
    if (problem) errors.add('welcomeTemplate', problem);
    return errors;
  }

  return {
    async create(input: {
      externalId?: string | null;
      name: string;
      module: string;
      productType?: string | null;
      serverGroupId?: number | null;
      settings?: Record<string, unknown>;
      configOptions?: unknown[];
      welcomeTemplate?: string | null;
    }) {
      const module = requireModule(deps, input.module);
      (await checkProductFields(input, null)).throwIfAny('the product was not created');
      if (
        input.externalId &&
        (await productsRepo.listProducts(db, box, { externalId: input.externalId })).length
      )
        throw fail('product.exists', `a product with external id ${input.externalId} exists already`);
      const { plain, secret } = validateProductSettings(
        module,
        input.productType ?? null,
        input.settings ?? {},
      );
      return productsRepo.insertProduct(
        db,
        box,
        {
          externalId: input.externalId ?? null,
          name: input.name,
          module: input.module,
          productType: input.productType ?? null,
          serverGroupId: input.serverGroupId ?? null,
          plainSettings: plain,
          secretSettings: secret,
          configOptions: input.configOptions ?? [],
          welcomeTemplate: input.welcomeTemplate ?? null,
        },
        clock.now(),
      );
    },
    get: requireProduct,
    list: (filter: { module?: string; externalId?: string } = {}) =>
      productsRepo.listProducts(db, box, filter),
    async update(
      id: number,
      patch: {
        name?: string;
        serverGroupId?: number | null;
        settings?: Record<string, unknown>;
        welcomeTemplate?: string | null;
      },
    ) {
      const product = await requireProduct(id);
      const module = requireModule(deps, product.module);
      (await checkProductFields({ ...product, ...patch }, id)).throwIfAny('the product was not changed');
      const split = patch.settings
        ? validateProductSettings(module, product.productType, patch.settings)
        : undefined;
      await productsRepo.updateProduct(
        db,
        box,
        id,
        {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.serverGroupId !== undefined ? { serverGroupId: patch.serverGroupId } : {}),
          ...(split ? { plainSettings: split.plain, secretSettings: split.secret } : {}),
          ...(patch.welcomeTemplate !== undefined ? { welcomeTemplate: patch.welcomeTemplate } : {}),
        },
        clock.now(),
      );
      deps.cache.products.delete(id);
      return requireProduct(id);
    },
    /** Only a product that was never sold. */
    async delete(id: number) {
      await requireProduct(id);
      await refuseIfReferenced('product', id, 'product_id', ': keep it, or rename it to retire it');
      await db.deleteFrom('products').where('id', '=', id).execute();
      deps.cache.products.delete(id);
    },
    /** Runs a settings field's dynamic loader against a server (dropdown choices). */
    async loadChoices(input: {
      module: string;
      productType?: string | null;
      field: string;
      serverId: number;
      values?: Record<string, SettingValue>;
    }): Promise<SettingChoice[]> {
      const module = requireModule(deps, input.module);
      const field = settingsSchemaFor(module, input.productType ?? null)?.fields.find(
        (f) => f.name === input.field,
      );
      const loader = field?.loader ? module.loaders?.[field.loader] : undefined;
      if (!field || !loader) {
        throw fail(
          'loader.not_found',
          `${input.field} is not a field with a loader in ${module.id}${input.productType ? ` ${input.productType}` : ''} settings`,
        );
      }
      const server = await requireServer(input.serverId);
      if (server.module !== module.id)
        throw fail(
          'server.module_mismatch',
          `server ${server.id} is a ${server.module} server, not ${module.id}`,
        );
      return withServerContext(input.serverId, `loader:${input.field}`, (ctx) =>
        loader(ctx, input.values ?? {}),
      );
    },
  };
}

/** The products part of the engine facade. */
export type ProductsApi = ReturnType<typeof createProductsApi>;
