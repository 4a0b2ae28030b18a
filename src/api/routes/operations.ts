import type { FastifyInstance } from 'fastify';
import type { OperationFilter } from '../../engine/records.js';
import { addRoute } from '../route.js';
import {
  IdParams,
  listOf,
  ModuleLogEntry,
  ModuleLogQuery,
  OperationDetail,
  OperationQuery,
  OperationRecord,
  ResolveBody,
} from '../schemas.js';
import type { ApiContext } from '../server.js';

export function registerOperationRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/v1/operations',
    scope: 'read',
    customer: 'operation-list',
    tag: 'operations',
    summary:
      'List operations, newest first, by status, service, server, action or module; `unresolved=true` is the failed-actions queue',
    querystring: OperationQuery,
    response: { 200: listOf(OperationRecord) },
    async handler(request) {
      const { unresolved, ...query } = request.query as OperationQuery;
      return {
        items: await engine.operations.list({
          ...query,
          ...(unresolved ? { unresolvedFailures: true } : {}),
        } as OperationFilter),
      };
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/operations/:id',
    scope: 'read',
    customer: 'operation',
    tag: 'operations',
    summary: 'Show an operation with its progress, journal and module log (redacted)',
    params: IdParams,
    response: { 200: OperationDetail },
    async handler(request) {
      const { id } = request.params as IdParams;
      const operation = await engine.operations.get(id);
      return { operation, moduleLog: await engine.moduleLog.forOperation(id) };
    },
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/operations/:id/retry',
    scope: 'operator',
    tag: 'operations',
    summary: 'Queue a failed operation again; finished steps are not repeated',
    params: IdParams,
    response: { 200: OperationRecord },
    handler: async (request) => engine.operations.retry((request.params as IdParams).id),
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/operations/:id/resolve',
    scope: 'operator',
    tag: 'operations',
    summary:
      'Take a failure off the failed-actions queue; markSucceeded applies its effect as if it had worked',
    params: IdParams,
    body: ResolveBody,
    response: { 200: OperationRecord },
    handler: async (request) =>
      engine.operations.resolve((request.params as IdParams).id, request.body as ResolveBody),
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/operations/:id/cancel',
    scope: 'operator',
    tag: 'operations',
    summary: 'Cancel a queued or waiting operation',
    params: IdParams,
    response: { 200: OperationRecord },
    handler: async (request) => engine.operations.cancel((request.params as IdParams).id),
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/module-log',
    scope: 'read',
    tag: 'operations',
    summary: 'Query the module log (every remote call, redacted at the sink), newest first',
    querystring: ModuleLogQuery,
    response: { 200: listOf(ModuleLogEntry) },
    handler: async (request) => ({ items: await engine.moduleLog.query(request.query as ModuleLogQuery) }),
  });
}
