import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { FINDING_KINDS, FINDING_STATUSES, MAX_FINDINGS_PAGE } from '../../core/findings.js';
import { REPAIR_ACTIONS, type RepairAction } from '../../engine/reconcile-classify.js';
import { actorOf, addRoute } from '../route.js';
import { IdParams, OperationRecord } from '../schemas.js';
import type { ApiContext } from '../server.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const Count = Type.Integer({ minimum: 0 });
const Timestamp = Type.Integer({ description: 'Milliseconds since the Unix epoch' });
const literals = (values: readonly string[], description?: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    description ? { description } : {},
  );

const FindingKind = literals(
  FINDING_KINDS,
  'missing: the service is active or suspended, its object is gone; state-drift: billing and backend disagree on suspended; package-drift: the limits differ from the product; orphan: our mark, the service terminated or unknown; foreign: no mark of the service, under the name it claims',
);
const FindingStatus = literals(FINDING_STATUSES);
const RepairName = literals(
  REPAIR_ACTIONS,
  'recreate (create the missing object), re-suspend (suspend on the backend what billing has suspended), unsuspend (the reverse), reapply-package (change package to the current product), adopt (write the mark on a foreign object), release (terminate what a terminated service left), ignore (keep the finding, queue nothing)',
);

export const Finding = Type.Object({
  id: Type.Integer(),
  serverId: Type.Integer(),
  kind: FindingKind,
  remoteKind: Type.String({
    description: 'What the object is within its module: domain, account, server, tenant, …',
  }),
  remoteKey: Type.String({ description: 'Its identity as a service names it' }),
  serviceId: Nullable(Type.Integer()),
  details: Type.Record(Type.String(), Type.Unknown(), {
    description: 'What differs: billing and backend states, package differences, the mark found',
  }),
  proposedAction: RepairName,
  repairs: Type.Array(RepairName, { description: 'The repairs that fit; the first is the proposed one' }),
  status: FindingStatus,
  repairAction: Nullable(Type.String()),
  repairOperationId: Nullable(Type.Integer()),
  firstSeenAt: Timestamp,
  lastSeenAt: Timestamp,
  runId: Type.Integer({ description: 'The last reconcile run that saw it' }),
  closedAt: Nullable(Timestamp),
});

const ServerRun = Type.Object({
  serverId: Type.Integer(),
  serverName: Type.String(),
  runId: Type.Integer(),
  status: literals(['succeeded', 'failed', 'running']),
  objectsSeen: Count,
  servicesSeen: Count,
  pages: Count,
  requests: Type.Integer({ minimum: 0, description: 'Remote calls the listing made' }),
  findingsOpen: Count,
  findingsNew: Count,
  findingsClosed: Count,
  error: Nullable(Type.String()),
  findings: Type.Array(Finding, { description: "The server's unclosed findings after this run" }),
});
const ReconcileResult = Type.Object({ servers: Type.Array(ServerRun) });
const ReconcileBody = Type.Object(
  { serverId: Type.Optional(Id) },
  { additionalProperties: false, description: 'Every enabled server whose module lists its objects, or one' },
);

const FindingsQuery = Type.Object({
  serverId: Type.Optional(Id),
  serviceId: Type.Optional(Id),
  kind: Type.Optional(FindingKind),
  status: Type.Optional(FindingStatus),
  includeClosed: Type.Optional(
    Type.Boolean({ default: false, description: 'Also findings a later run no longer saw' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_FINDINGS_PAGE, default: 100 })),
  afterId: Type.Optional(Type.Integer({ minimum: 0 })),
});
type FindingsQuery = Static<typeof FindingsQuery>;
const FindingsPage = Type.Object({
  items: Type.Array(Finding),
  nextAfterId: Nullable(Type.Integer({ description: 'Pass as afterId for the next page; null on the last' })),
});

const RepairBody = Type.Object(
  { action: Type.Optional(RepairName) },
  { additionalProperties: false, description: 'The repair to run (default: the proposed one)' },
);
const RepairResult = Type.Object({
  finding: Finding,
  action: RepairName,
  operation: Nullable(OperationRecord),
});
const BulkRepairBody = Type.Object(
  {
    ids: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: MAX_FINDINGS_PAGE, uniqueItems: true })),
    serverId: Type.Optional(Id),
    kind: Type.Optional(FindingKind),
    action: Type.Optional(Type.Union([RepairName, Type.Literal('proposed')], { default: 'proposed' })),
  },
  {
    additionalProperties: false,
    description: `These findings (ids), or every open one matching serverId and kind (at most ${MAX_FINDINGS_PAGE}); one repair for all, or each one's proposed repair`,
  },
);
const BulkRepairResult = Type.Object({
  items: Type.Array(
    Type.Object({
      findingId: Type.Integer(),
      action: Type.String(),
      operationId: Nullable(Type.Integer()),
      error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
    }),
  ),
});

export function registerReconcileRoutes(app: FastifyInstance, { engine }: ApiContext): void {
  addRoute(app, {
    method: 'POST',
    url: '/v1/servers/:id/reconcile',
    scope: 'operator',
    tag: 'reconcile',
    summary: "Compare one server's backend with billing now and store the findings; repairs nothing",
    params: IdParams,
    response: { 200: ReconcileResult },
    handler: async (request) => ({
      servers: await engine.reconcile.run({ serverId: (request.params as IdParams).id, trigger: 'api' }),
    }),
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/reconcile',
    scope: 'operator',
    tag: 'reconcile',
    summary: 'Compare every server (or `serverId`) with billing now and store the findings; repairs nothing',
    body: ReconcileBody,
    response: { 200: ReconcileResult },
    handler: async (request) => ({
      servers: await engine.reconcile.run({ ...(request.body as { serverId?: number }), trigger: 'api' }),
    }),
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/reconcile/findings',
    scope: 'read',
    tag: 'reconcile',
    summary: 'Findings, oldest first, a page at a time (default: unclosed ones)',
    querystring: FindingsQuery,
    response: { 200: FindingsPage },
    async handler(request) {
      const query = request.query as FindingsQuery;
      const limit = query.limit ?? 100;
      const items = await engine.reconcile.findings({ ...query, limit } as Parameters<
        typeof engine.reconcile.findings
      >[0]);
      return { items, nextAfterId: items.length === limit ? items[items.length - 1]!.id : null };
    },
  });
  addRoute(app, {
    method: 'GET',
    url: '/v1/reconcile/findings/:id',
    scope: 'read',
    tag: 'reconcile',
    summary: 'One finding, with the repairs that fit it',
    params: IdParams,
    response: { 200: Finding },
    handler: async (request) => engine.reconcile.finding((request.params as IdParams).id),
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/reconcile/findings/:id/repair',
    scope: 'operator',
    tag: 'reconcile',
    summary:
      'Repair one finding: queues the repair as a durable operation on its service (ignore queues nothing); audited',
    params: IdParams,
    body: RepairBody,
    response: { 200: RepairResult },
    async handler(request) {
      const id = (request.params as IdParams).id;
      const body = request.body as { action?: RepairAction };
      const action = body.action ?? ((await engine.reconcile.finding(id)).proposedAction as RepairAction);
      return engine.reconcile.repair(id, action, actorOf(request));
    },
  });
  addRoute(app, {
    method: 'POST',
    url: '/v1/reconcile/findings/repair',
    scope: 'operator',
    tag: 'reconcile',
    summary: "Repair many findings, each as its own operation; answers each one's outcome; audited",
    body: BulkRepairBody,
    response: { 200: BulkRepairResult },
    handler: async (request) => ({
      items: await engine.reconcile.repairMany(
        request.body as Parameters<typeof engine.reconcile.repairMany>[0],
        actorOf(request),
      ),
    }),
  });
}
