import { type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import { listOf } from '../schemas.js';
import type { ApiContext } from '../server.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Count = Type.Integer({ minimum: 0 });

const DashboardSummary = Type.Object({
  generatedAt: Type.Integer(),
  servicesByStatus: Type.Record(Type.String(), Count),
  queue: Type.Object({ queued: Count, running: Count, waiting: Count }),
  failedOperations: Type.Object({
    unresolved: Count,
    latest: Type.Array(
      Type.Object({
        id: Type.Integer(),
        serviceId: Type.Integer(),
        module: Type.String(),
        action: Type.String(),
        errorCode: Nullable(Type.String()),
        errorMessage: Nullable(Type.String()),
        finishedAt: Nullable(Type.Integer()),
      }),
    ),
  }),
  operationsPerHour: Type.Array(
    Type.Object({
      hourStart: Type.Integer(),
      finished: Count,
      succeeded: Count,
      failed: Count,
      p50Ms: Nullable(Type.Number()),
      p95Ms: Nullable(Type.Number()),
      p99Ms: Nullable(Type.Number()),
    }),
  ),
  usage: Type.Object({
    services: Count,
    withUsage: Count,
    diskUsedMb: Type.Number(),
    diskLimitMb: Type.Number(),
    bandwidthUsedMb: Type.Number(),
    bandwidthLimitMb: Type.Number(),
    oldestSyncAt: Nullable(Type.Integer()),
    newestSyncAt: Nullable(Type.Integer()),
  }),
  openFindings: Type.Array(
    Type.Object({
      serverId: Type.Integer(),
      name: Type.String(),
      open: Count,
      byKind: Type.Record(Type.String(), Count),
    }),
    { description: "Reconcile's open findings per server (servers without any are left out)" },
  ),
});

const GroupFill = Type.Object({
  groupId: Nullable(Type.Integer()),
  name: Type.String(),
  fillType: Nullable(Type.String()),
  servers: Type.Array(
    Type.Object({
      serverId: Type.Integer(),
      name: Type.String(),
      module: Type.String(),
      enabled: Type.Boolean(),
      services: Count,
      maxAccounts: Nullable(Type.Integer()),
      fill: Nullable(Type.Number()),
    }),
  ),
});

/** Read-only aggregates for the admin UI's dashboard and servers page. */
export function registerDashboardRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/v1/dashboard',
    scope: 'read',
    tag: 'dashboard',
    summary:
      'Services by status, the queue, unresolved failures, operations per hour with duration percentiles (last 24 h), usage totals and sync freshness',
    response: { 200: DashboardSummary },
    handler: async () => engine.dashboard.summary(),
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/dashboard/server-fill',
    scope: 'read',
    tag: 'dashboard',
    summary: 'Every server with the services placed on it against its limit, by server group',
    response: { 200: listOf(GroupFill) },
    handler: async () => ({ items: await engine.dashboard.serverFill() }),
  });
}
