import type { FastifyInstance } from 'fastify';
import type { ProductRecord as StoredProduct } from '../../engine/records.js';
import { addRoute } from '../route.js';
import {
  Choices,
  Deleted,
  ExternalIdQuery,
  IdParams,
  LoadChoicesBody,
  listOf,
  NewProduct,
  ProductPatch,
  ProductRecord,
} from '../schemas.js';
import type { ApiContext } from '../server.js';

/** Secret settings (an API token of the product) are write-only, like server secrets. */
export function presentProduct(product: StoredProduct) {
  const secret = new Set(product.secretSettingNames);
  return {
    ...product,
    settings: Object.fromEntries(Object.entries(product.settings).filter(([name]) => !secret.has(name))),
  };
}

export function registerProductRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  addRoute(app, {
    method: 'POST',
    url: '/v1/products',
    scope: 'admin',
    tag: 'products',
    summary:
      "Add a product; settings are validated against the module's schema and every field error is returned",
    body: NewProduct,
    response: { 201: ProductRecord },
    async handler(request, reply) {
      reply.code(201);
      return presentProduct(await engine.products.create(request.body as NewProduct));
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/products',
    scope: 'read',
    tag: 'products',
    summary: 'List products (`externalId` finds the one billing registered under its own id)',
    querystring: ExternalIdQuery,
    response: { 200: listOf(ProductRecord) },
    handler: async (request) => {
      const { externalId } = request.query as ExternalIdQuery;
      return { items: (await engine.products.list(externalId ? { externalId } : {})).map(presentProduct) };
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/products/:id',
    scope: 'read',
    tag: 'products',
    summary: 'Show a product (secret settings left out)',
    params: IdParams,
    response: { 200: ProductRecord },
    handler: async (request) => presentProduct(await engine.products.get((request.params as IdParams).id)),
  });
  addRoute(app, {
    method: 'PATCH',
    url: '/v1/products/:id',
    scope: 'admin',
    tag: 'products',
    summary: 'Change a product; `settings` are merged into the current ones, so omitted secrets are kept',
    params: IdParams,
    body: ProductPatch,
    response: { 200: ProductRecord },
    async handler(request) {
      const { id } = request.params as IdParams;
      const patch = request.body as ProductPatch;
      const settings = patch.settings
        ? { ...(await engine.products.get(id)).settings, ...patch.settings }
        : undefined;
      return presentProduct(
        await engine.products.update(id, { ...patch, ...(settings ? { settings } : {}) }),
      );
    },
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/products/choices',
    scope: 'operator',
    tag: 'products',
    summary: "Run a settings field's dynamic loader against a server (dropdown choices)",
    body: LoadChoicesBody,
    response: { 200: Choices },
    handler: async (request) => ({
      choices: await engine.products.loadChoices(request.body as LoadChoicesBody),
    }),
  });
  addRoute(app, {
    method: 'DELETE',
    url: '/v1/products/:id',
    scope: 'admin',
    tag: 'products',
    summary: 'Delete a product that was never sold (409 product.in_use otherwise)',
    params: IdParams,
    response: { 200: Deleted },
    async handler(request) {
      const { id } = request.params as IdParams;
      await engine.products.delete(id);
      return { deleted: true as const, id };
    },
  });
}
