import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf, addRoute } from '../route.js';
import {
  ClientPatch,
  ClientRecord,
  Deleted,
  ExternalIdQuery,
  FieldParams,
  IdParams,
  listOf,
  NewClient,
  PageQuery,
  RevealedField,
} from '../schemas.js';
import type { ApiContext } from '../server.js';

export function registerClientRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  addRoute(app, {
    method: 'POST',
    url: '/v1/clients',
    scope: 'operator',
    tag: 'clients',
    summary: 'Add a client',
    body: NewClient,
    response: { 201: ClientRecord },
    async handler(request, reply) {
      reply.code(201);
      return engine.clients.create(request.body as NewClient);
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/clients',
    scope: 'read',
    tag: 'clients',
    summary: 'List clients, by id, in pages (`externalId` finds the one billing registered under its own id)',
    querystring: Type.Composite([PageQuery, ExternalIdQuery]),
    response: { 200: listOf(ClientRecord) },
    handler: async (request) => {
      const { externalId, ...page } = request.query as { limit?: number; afterId?: number } & ExternalIdQuery;
      if (externalId === undefined) return { items: await engine.clients.list(page) };
      const client = await engine.clients.findByExternalId(externalId);
      return { items: client ? [client] : [] };
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/clients/:id',
    scope: 'read',
    customer: 'client',
    tag: 'clients',
    summary: 'Show a client',
    params: IdParams,
    response: { 200: ClientRecord },
    handler: async (request) => engine.clients.get((request.params as IdParams).id),
  });
  addRoute(app, {
    method: 'PATCH',
    url: '/v1/clients/:id',
    scope: 'operator',
    tag: 'clients',
    summary: 'Change a client',
    params: IdParams,
    body: ClientPatch,
    response: { 200: ClientRecord },
    handler: async (request) =>
      engine.clients.update((request.params as IdParams).id, request.body as ClientPatch),
  });
  addRoute(app, {
    method: 'DELETE',
    url: '/v1/clients/:id',
    scope: 'admin',
    tag: 'clients',
    summary: 'Delete a client that has no services (409 client.in_use otherwise)',
    params: IdParams,
    response: { 200: Deleted },
    async handler(request) {
      const { id } = request.params as IdParams;
      await engine.clients.delete(id);
      return { deleted: true as const, id };
    },
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/clients/:id/custom-fields/:name/reveal',
    scope: 'operator',
    tag: 'clients',
    summary:
      'Show one secret custom field (a StoreGrid Pass Key) in clear; every other answer masks it; audited',
    params: FieldParams,
    response: { 200: RevealedField },
    handler: async (request) => {
      const { id, name } = request.params as FieldParams;
      return engine.clients.revealCustomField(id, name, actorOf(request));
    },
  });
}
