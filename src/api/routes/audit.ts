import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { addRoute } from '../route.js';
import { listOf } from '../schemas.js';
import type { ApiContext } from '../server.js';

const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.Integer({ description: 'Milliseconds since the Unix epoch' }),
  actor: Type.String({ description: 'Token name, `local` for the CLI on the database, or `engine`' }),
  tokenId: Type.Union([Type.Integer(), Type.Null()]),
  action: Type.String({ description: '`POST /v1/servers`, `service.adopt`, …' }),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});
const AuditQuery = Type.Object({
  targetType: Type.Optional(Type.String({ maxLength: 100 })),
  targetId: Type.Optional(Type.String({ maxLength: 100 })),
  actor: Type.Optional(Type.String({ maxLength: 200 })),
  action: Type.Optional(Type.String({ maxLength: 300 })),
  beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});
type AuditQuery = Static<typeof AuditQuery>;

const RetentionResult = Type.Object({
  operations: Type.Integer(),
  moduleLog: Type.Integer(),
  events: Type.Integer(),
});

export function registerAuditRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  addRoute(app, {
    method: 'GET',
    url: '/v1/audit',
    scope: 'admin',
    tag: 'audit',
    summary:
      'The audit trail, newest first: every write through the API (token, route, target, status) and sensitive engine actions; never a secret',
    querystring: AuditQuery,
    response: { 200: listOf(AuditEntry) },
    handler: async (request) => ({ items: await engine.audit.list(request.query as AuditQuery) }),
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/maintenance/prune',
    scope: 'admin',
    tag: 'audit',
    summary:
      'Prune now by the retention settings (finished operations, module log, delivered events); answers how many rows went',
    response: { 200: RetentionResult },
    handler: async () => engine.retention.prune(),
  });
}
