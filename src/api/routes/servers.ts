import type { FastifyInstance } from 'fastify';
import { isProvisioningError } from '../../core/errors.js';
import { addRoute } from '../route.js';
import {
  Deleted,
  ExternalIdQuery,
  GroupMember,
  IdParams,
  listOf,
  MemberParams,
  NewServer,
  NewServerGroup,
  ServerGroupPatch,
  ServerGroupRecord,
  ServerPatch,
  ServerRecord,
  TestConnectionResult,
} from '../schemas.js';
import type { ApiContext } from '../server.js';

export function registerServerRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  addRoute(app, {
    method: 'POST',
    url: '/v1/servers',
    scope: 'admin',
    tag: 'servers',
    summary: 'Add a backend server (the secret is sealed and never returned)',
    body: NewServer,
    response: { 201: ServerRecord },
    async handler(request, reply) {
      reply.code(201);
      return engine.servers.create(request.body as NewServer);
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/servers',
    scope: 'read',
    tag: 'servers',
    summary: 'List servers (`externalId` finds the one billing registered under its own id)',
    querystring: ExternalIdQuery,
    response: { 200: listOf(ServerRecord) },
    handler: async (request) => {
      const { externalId } = request.query as ExternalIdQuery;
      return { items: await engine.servers.list(externalId ? { externalId } : {}) };
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/servers/:id',
    scope: 'read',
    tag: 'servers',
    summary: 'Show a server',
    params: IdParams,
    response: { 200: ServerRecord },
    handler: async (request) => engine.servers.get((request.params as IdParams).id),
  });
  addRoute(app, {
    method: 'PATCH',
    url: '/v1/servers/:id',
    scope: 'admin',
    tag: 'servers',
    summary: 'Change a server (send `secret` to replace it)',
    params: IdParams,
    body: ServerPatch,
    response: { 200: ServerRecord },
    handler: async (request) =>
      engine.servers.update((request.params as IdParams).id, request.body as ServerPatch),
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/servers/:id/test',
    scope: 'operator',
    tag: 'servers',
    summary: "Test the connection: the backend's refusal is an answer (ok: false), not an API error",
    params: IdParams,
    response: { 200: TestConnectionResult },
    async handler(request) {
      const { id } = request.params as IdParams;
      await engine.servers.get(id);
      try {
        const result = await engine.servers.testConnection(id);
        return { ok: true, ...result };
      } catch (error) {
        if (!isProvisioningError(error) || error.code.endsWith('.not_found')) throw error;
        return {
          ok: false,
          summary: error.message,
          error: { code: error.code, kind: error.kind, message: error.message },
        };
      }
    },
  });

  addRoute(app, {
    method: 'POST',
    url: '/v1/server-groups',
    scope: 'admin',
    tag: 'servers',
    summary: 'Add a server group (placement by fill type)',
    body: NewServerGroup,
    response: { 201: ServerGroupRecord },
    async handler(request, reply) {
      reply.code(201);
      return engine.serverGroups.create(request.body as NewServerGroup);
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/server-groups',
    scope: 'read',
    tag: 'servers',
    summary: 'List server groups',
    response: { 200: listOf(ServerGroupRecord) },
    handler: async () => ({ items: await engine.serverGroups.list() }),
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/server-groups/:id',
    scope: 'read',
    tag: 'servers',
    summary: 'Show a server group',
    params: IdParams,
    response: { 200: ServerGroupRecord },
    handler: async (request) => engine.serverGroups.get((request.params as IdParams).id),
  });
  addRoute(app, {
    method: 'PATCH',
    url: '/v1/server-groups/:id',
    scope: 'admin',
    tag: 'servers',
    summary:
      'Rename a server group or change how it places new services (existing services stay where they are)',
    params: IdParams,
    body: ServerGroupPatch,
    response: { 200: ServerGroupRecord },
    handler: async (request) =>
      engine.serverGroups.update((request.params as IdParams).id, request.body as ServerGroupPatch),
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/server-groups/:id/members',
    scope: 'admin',
    tag: 'servers',
    summary: 'Add a server to a group',
    params: IdParams,
    body: GroupMember,
    response: { 200: ServerGroupRecord },
    async handler(request) {
      const { id } = request.params as IdParams;
      const member = request.body as GroupMember;
      const group = await engine.serverGroups.get(id);
      if (!group.members.some((m) => m.serverId === member.serverId))
        await engine.serverGroups.addServer(id, member.serverId, member.priority ?? 0);
      return engine.serverGroups.get(id);
    },
  });
  addRoute(app, {
    method: 'DELETE',
    url: '/v1/servers/:id',
    scope: 'admin',
    tag: 'servers',
    summary: 'Delete a server no service was placed on (409 server.in_use otherwise: disable it instead)',
    params: IdParams,
    response: { 200: Deleted },
    async handler(request) {
      const { id } = request.params as IdParams;
      await engine.servers.delete(id);
      return { deleted: true as const, id };
    },
  });
  addRoute(app, {
    method: 'DELETE',
    url: '/v1/server-groups/:id',
    scope: 'admin',
    tag: 'servers',
    summary: 'Delete a server group no product uses (409 server_group.in_use otherwise)',
    params: IdParams,
    response: { 200: Deleted },
    async handler(request) {
      const { id } = request.params as IdParams;
      await engine.serverGroups.delete(id);
      return { deleted: true as const, id };
    },
  });
  addRoute(app, {
    method: 'DELETE',
    url: '/v1/server-groups/:id/members/:serverId',
    scope: 'admin',
    tag: 'servers',
    summary: 'Remove a server from a group (services already on it stay there)',
    params: MemberParams,
    response: { 200: ServerGroupRecord },
    async handler(request) {
      const { id, serverId } = request.params as MemberParams;
      await engine.serverGroups.removeServer(id, serverId);
      return engine.serverGroups.get(id);
    },
  });
}
