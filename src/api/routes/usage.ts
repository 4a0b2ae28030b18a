import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import { IdParams, ServerUsage, ServiceUsage, UsageSyncBody, UsageSyncResult } from '../schemas.js';
import type { ApiContext } from '../server.js';

export function registerUsageRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/v1/services/:id/usage',
    scope: 'read',
    customer: 'service',
    tag: 'usage',
    summary: "A service's last synced usage",
    params: IdParams,
    response: { 200: ServiceUsage },
    async handler(request) {
      const service = await engine.services.get((request.params as IdParams).id);
      return { serviceId: service.id, usage: service.usage, usageUpdatedAt: service.usageUpdatedAt };
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/servers/:id/usage',
    scope: 'read',
    tag: 'usage',
    summary: 'Last synced usage of every service on a server',
    params: IdParams,
    response: { 200: ServerUsage },
    async handler(request) {
      const server = await engine.servers.get((request.params as IdParams).id);
      const services = await engine.services.list({ serverId: server.id, statuses: ['active', 'suspended'] });
      return {
        serverId: server.id,
        services: services.map((s) => ({
          serviceId: s.id,
          usage: s.usage,
          usageUpdatedAt: s.usageUpdatedAt,
        })),
      };
    },
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/usage/sync',
    scope: 'operator',
    tag: 'usage',
    summary: 'Read usage now: one batch per server (or only `serverId`); answers when done',
    body: UsageSyncBody,
    response: { 200: UsageSyncResult },
    handler: async (request) => ({ servers: await engine.usage.sync(request.body as { serverId?: number }) }),
  });
}
