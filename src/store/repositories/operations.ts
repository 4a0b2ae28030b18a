import { randomUUID } from 'node:crypto';
import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import { ACTIVE_OPERATION_STATUSES, type OperationStatus } from '../../core/lifecycle.js';
import type { SecretBox } from '../../core/secret-box.js';
import { compiledStatement, plainPatchShape } from '../compiled.js';
import type { Db, Store } from '../database.js';
import { parseJson, toJson } from '../json.js';
import { literalLimit } from '../literal-limit.js';
import type { OneTripTransaction } from '../pipelined-batch.js';
import type { OperationsTable } from '../schema.js';
import {
  clientColumnsPrefixed,
  getServiceWithClientRows,
  SERVICE_COLUMNS,
  type ServiceWithClientRow,
} from './services.js';

/** What an operation remembers between runs: finished steps, started waits, lookup duty. */
export interface Journal {
  steps: Record<string, { result: unknown; attempt: number; at: number }>;
  waits: Record<string, { startedAt: number; checks: number }>;
  /** The last run ended without a known outcome: call the module's lookup before running again. */
  lookupFirst?: boolean;
}

export const emptyJournal = (): Journal => ({ steps: {}, waits: {} });

export interface OperationWarning {
  at: number;
  message: string;
}

export interface OperationRecord {
  id: number;
  serviceId: number;
  serverId: number | null;
  module: string;
  action: string;
  args: Record<string, unknown>;
  hasSecretArgs: boolean;
  status: OperationStatus;
  claimedFrom: OperationStatus | null;
  attempts: number;
  maxAttempts: number;
  runAt: number;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  journal: Journal;
  progressMessage: string | null;
  /** What the module told the operator during the run (kept with the operation). */
  warnings: OperationWarning[];
  progressFraction: number | null;
  errorKind: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  resolvedAt: number | null;
  resolution: string | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

type OperationRow = Selectable<OperationsTable>;

export function toOperationRecord(row: OperationRow): OperationRecord {
  return {
    id: row.id,
    serviceId: row.service_id,
    serverId: row.server_id,
    module: row.module,
    action: row.action,
    args: parseJson(row.args, {}),
    hasSecretArgs: row.args_sealed !== null,
    status: row.status as OperationStatus,
    claimedFrom: row.claimed_from as OperationStatus | null,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    journal: { ...emptyJournal(), ...parseJson<Partial<Journal>>(row.journal, {}) },
    progressMessage: row.progress_message,
    warnings: parseJson<OperationWarning[]>(row.warnings, []),
    progressFraction: row.progress_fraction,
    errorKind: row.error_kind,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    resolvedAt: row.resolved_at,
    resolution: row.resolution,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export interface NewOperation {
  serviceId: number;
  serverId: number | null;
  module: string;
  action: string;
  args: Record<string, unknown>;
  secretArgs?: Record<string, unknown> | undefined;
  maxAttempts: number;
  runAt: number;
  idempotencyKey?: string | null | undefined;
  requestHash?: string | null | undefined;
}

const insertOperationStatement = compiledStatement(
  (db, v: Record<string, unknown>, columns: readonly string[]) =>
    db
      .insertInto('operations')
      .values(Object.fromEntries(columns.map((column) => [column, v[column]])) as Insertable<OperationsTable>)
      .returningAll(),
  { shapeKey: (columns) => columns.join(',') },
);

const sealedArgs = (box: SecretBox, secretArgs: Record<string, unknown> | undefined): string | null =>
  secretArgs && Object.keys(secretArgs).length > 0 ? box.encrypt(toJson(secretArgs)) : null;

export async function insertOperation(
  db: Db,
  box: SecretBox,
  input: NewOperation,
  now: number,
): Promise<OperationRecord> {
  const values = {
    service_id: input.serviceId,
    server_id: input.serverId,
    module: input.module,
    action: input.action,
    args: toJson(input.args),
    args_sealed: sealedArgs(box, input.secretArgs),
    status: 'queued',
    claimed_from: null,
    attempts: 0,
    max_attempts: input.maxAttempts,
    run_at: input.runAt,
    lease_owner: null,
    lease_expires_at: null,
    idempotency_key: input.idempotencyKey ?? null,
    request_hash: input.requestHash ?? null,
    journal: toJson(emptyJournal()),
    progress_message: null,
    progress_fraction: null,
    error_kind: null,
    error_code: null,
    error_message: null,
    resolved_at: null,
    resolution: null,
    created_at: now,
    updated_at: now,
    started_at: null,
    finished_at: null,
  };
  const [row] = (await insertOperationStatement(db, values, Object.keys(values))).rows;
  if (!row) throw new Error('insert into operations returned no row');
  return toOperationRecord(row);
}

/** What the service must be for an operation to go on it (see insertOperationOnService). */
export interface ServiceCondition {
  /** The statuses the action may start from. */
  statuses: readonly string[];
  /** The installed modules that have the action. */
  modules: readonly string[];
}

const GUARDED_COLUMNS = [
  'service_id',
  'server_id',
  'module',
  'action',
  'args',
  'args_sealed',
  'status',
  'attempts',
  'max_attempts',
  'run_at',
  'idempotency_key',
  'request_hash',
  'journal',
  'created_at',
  'updated_at',
] as const;

const insertOnServiceStatement = compiledStatement(
  (db, v: Record<string, unknown>, shape: { statuses: number; modules: number }) => {
    const value = (name: string) => sql`${v[name]}`;
    const slots = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, i) => v[`${prefix}${i}`] as string);
    return db
      .insertInto('operations')
      .columns(GUARDED_COLUMNS)
      .expression(
        db
          .selectFrom('services')
          .innerJoin('products', 'products.id', 'services.product_id')
          .select([
            'services.id',
            'services.server_id',
            'products.module',
            ...GUARDED_COLUMNS.slice(3).map((column) => value(column).as(column)),
          ])
          .where('services.id', '=', v.service_id as number)
          .where('services.status', 'in', slots('status', shape.statuses))
          .where('services.server_id', 'is not', null)
          .where('products.module', 'in', slots('module', shape.modules)),
      )
      .returningAll();
  },
  { shapeKey: (shape) => `${shape.statuses}:${shape.modules}` },
);

/**
 * Queues an operation on a service in one statement that reads the service and its product
 * itself: only when the service's status is one of `condition.statuses`, it has a server, and its
 * product's module is one of `condition.modules`. Undefined when it is not (nothing written): the
 * caller then looks at the service to say why, or to place it. The operation takes the service's
 * server and its product's module.
 */
export async function insertOperationOnService(
  db: Db,
  box: SecretBox,
  input: Omit<NewOperation, 'serverId' | 'module'>,
  condition: ServiceCondition,
  now: number,
): Promise<OperationRecord | undefined> {
  if (condition.statuses.length === 0 || condition.modules.length === 0) return undefined;
  const values: Record<string, unknown> = {
    service_id: input.serviceId,
    action: input.action,
    args: toJson(input.args),
    args_sealed: sealedArgs(box, input.secretArgs),
    status: 'queued',
    attempts: 0,
    max_attempts: input.maxAttempts,
    run_at: input.runAt,
    idempotency_key: input.idempotencyKey ?? null,
    request_hash: input.requestHash ?? null,
    journal: toJson(emptyJournal()),
    created_at: now,
    updated_at: now,
  };
  condition.statuses.forEach((status, i) => {
    values[`status${i}`] = status;
  });
  condition.modules.forEach((module, i) => {
    values[`module${i}`] = module;
  });
  const shape = { statuses: condition.statuses.length, modules: condition.modules.length };
  const [row] = (await insertOnServiceStatement(db, values, shape)).rows;
  return row && toOperationRecord(row);
}

export async function getOperation(db: Db, id: number): Promise<OperationRecord | undefined> {
  const row = await db.selectFrom('operations').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toOperationRecord(row);
}

export async function getSecretArgs(db: Db, box: SecretBox, id: number): Promise<Record<string, unknown>> {
  const row = await db.selectFrom('operations').select('args_sealed').where('id', '=', id).executeTakeFirst();
  return parseJson(box.decryptNullable(row?.args_sealed), {});
}

export async function getOperationByIdempotencyKey(
  db: Db,
  key: string,
): Promise<OperationRecord | undefined> {
  const row = await db
    .selectFrom('operations')
    .selectAll()
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row && toOperationRecord(row);
}

export async function getActiveOperationForService(
  db: Db,
  serviceId: number,
): Promise<OperationRecord | undefined> {
  const row = await db
    .selectFrom('operations')
    .selectAll()
    .where('service_id', '=', serviceId)
    .where('status', 'in', [...ACTIVE_OPERATION_STATUSES])
    .executeTakeFirst();
  return row && toOperationRecord(row);
}

export interface OperationFilter {
  status?: OperationStatus | readonly OperationStatus[];
  serviceId?: number;
  serverId?: number;
  action?: string;
  module?: string;
  /** The failed-actions queue: failed and not yet resolved by an operator. */
  unresolvedFailures?: boolean;
  limit?: number;
  /** Newest first; page with `beforeId`. */
  beforeId?: number;
}

export async function listOperations(db: Db, filter: OperationFilter = {}): Promise<OperationRecord[]> {
  let query = db
    .selectFrom('operations')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100);
  if (typeof filter.status === 'string') query = query.where('status', '=', filter.status);
  else if (filter.status?.length) query = query.where('status', 'in', [...filter.status]);
  if (filter.serviceId !== undefined) query = query.where('service_id', '=', filter.serviceId);
  if (filter.serverId !== undefined) query = query.where('server_id', '=', filter.serverId);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.module !== undefined) query = query.where('module', '=', filter.module);
  if (filter.unresolvedFailures)
    query = query.where(sql<boolean>`status = 'failed'`).where('resolved_at', 'is', null);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  return (await query.execute()).map(toOperationRecord);
}

export async function countOperationsByStatus(
  db: Db,
): Promise<{ status: string; action: string; module: string; n: number }[]> {
  const rows = await db
    .selectFrom('operations')
    .select(['status', 'action', 'module', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['status', 'action', 'module'])
    .execute();
  return rows.map((row) => ({ ...row, n: Number(row.n) }));
}

export interface ClaimRequest {
  /** The worker's name; each claim gets its own lease token `<owner>/<random>` as the fence. */
  owner: string;
  now: number;
  leaseMs: number;
  /** How many this worker can start now. */
  limit: number;
}

/**
 * Claims runnable operations: queued or waiting ones whose time has come, and running ones whose
 * lease expired (their worker died), within each server's `max_concurrency` counted over every
 * node. The update is a compare-and-set on rows nobody else can touch meanwhile, so a row changed
 * by another node is simply not claimed. The lease token is per claim and per row: a worker that
 * re-claims its own expired lease must not pass the fence with its stale run.
 */
export async function claimOperations(store: Store, request: ClaimRequest): Promise<ClaimedOperation[]> {
  if (request.limit <= 0) return [];
  const claimed = store.transactionInOneTrip
    ? await claimOnPostgres(store.db, store.transactionInOneTrip, request)
    : await store.transaction((trx) => claimOnSqlite(trx, request));
  return claimed
    .map(({ row, subject }) => ({ operation: toOperationRecord(row), subject }))
    .sort((a, b) => a.operation.runAt - b.operation.runAt || a.operation.id - b.operation.id);
}

/**
 * A claimed operation and its service's row with the client's, read by the claim itself: the run
 * needs both at once, and reading them here saves each run a round trip of its own. Undefined
 * when the service is gone (the run then says so).
 */
export interface ClaimedOperation {
  operation: OperationRecord;
  subject: ServiceWithClientRow | undefined;
}

interface ClaimedRow {
  row: OperationRow;
  subject: ServiceWithClientRow | undefined;
}

/** Look further than we can take, so one busy server does not starve the others. */
const LOOK_AHEAD = 4;

const claimSet = (request: ClaimRequest) => ({
  status: 'running',
  claimed_from: sql<string>`status`,
  // A wait check is not a new attempt; a fresh start or a takeover is.
  attempts: sql<number>`case when status = 'waiting' then attempts else attempts + 1 end`,
  lease_owner: sql<string>`${`${request.owner}/${randomUUID().slice(0, 8)}/`} || cast(id as text)`,
  lease_expires_at: request.now + request.leaseMs,
  started_at: sql<number>`coalesce(started_at, ${request.now})`,
  updated_at: request.now,
});

/**
 * PostgreSQL: two statements in one transaction that travels in one round trip whatever it takes
 * (BEGIN, both statements and COMMIT leave together: the claim's round trips bound the engine's
 * rate, a worker starts nothing while its claim is on the way; three were +4 % slower, measured). First a transaction-scoped advisory lock that every node's claims on this schema take, so
 * claims count one after the other: the statement after it reads a snapshot in which every
 * earlier claim has committed, and a server's bound holds across nodes. Then one statement picks
 * the candidates (FOR UPDATE SKIP LOCKED: a row another transaction holds is skipped, not waited
 * for), ranks them per server against the room that server has left, and claims the first
 * `limit`. Work abandoned by a dead worker goes first: it is the oldest.
 */
async function claimOnPostgres(
  db: Db,
  inOneTrip: OneTripTransaction,
  request: ClaimRequest,
): Promise<ClaimedRow[]> {
  const lock = sql`select pg_advisory_xact_lock(hashtext('provisio.claim.' || current_schema()))`.compile(db);
  const { now, limit } = request;
  const look = limit * LOOK_AHEAD;
  const set = claimSet(request);
  // Predicates written out literally: a partial index is used only when the query states its
  // condition, which a bound parameter cannot do.
  const claim = sql<Record<string, unknown>>`
    with expired as (
      select id, server_id, 0 as takeover, lease_expires_at as due_at from operations
      where status = 'running' and lease_expires_at < ${now}
      order by lease_expires_at limit ${look} for update skip locked
    ),
    due as (
      select id, server_id, 1 as takeover, run_at as due_at from operations
      where status in ('queued', 'waiting') and run_at <= ${now}
      order by run_at, id limit ${look} for update skip locked
    ),
    candidates as (select * from expired union all select * from due),
    -- Materialized: each server's room is counted once. Inlined, the planner may join it per
    -- candidate and count a server's running operations once for every one of its candidates
    -- (16 counts for a claim of 16 on one server, measured).
    room as materialized (
      select servers.id, servers.max_concurrency - (
        select count(*) from operations
        where operations.server_id = servers.id and status = 'running' and lease_expires_at >= ${now}
      ) as free
      from servers where servers.id in (select server_id from candidates)
    ),
    ranked as (
      select id, server_id, takeover, due_at,
        row_number() over (partition by server_id order by takeover, due_at, id) as place
      from candidates
    ),
    chosen as (
      select ranked.id from ranked left join room on room.id = ranked.server_id
      where ranked.server_id is null or ranked.place <= room.free
      order by takeover, due_at, ranked.id
      limit ${limit}
    ),
    claimed as (
      update operations set
        status = ${set.status}, claimed_from = ${set.claimed_from}, attempts = ${set.attempts},
        lease_owner = ${set.lease_owner}, lease_expires_at = ${set.lease_expires_at},
        started_at = ${set.started_at}, updated_at = ${set.updated_at}
      where id in (select id from chosen)
      returning *
    )
    select claimed.*, ${SUBJECT_COLUMNS} from claimed
    left join services on services.id = claimed.service_id
    left join clients on clients.id = services.client_id`.compile(db);
  const [, claimed] = await inOneTrip([lock, claim]);
  return (claimed?.rows ?? []).map(splitSubject);
}

// The service's columns under `service__` (its names clash with the operation's), the client's
// under `client__`.
const SUBJECT_COLUMNS = sql.join([
  ...SERVICE_COLUMNS.map((column) => sql.ref(`services.${column}`).as(`service__${column}`)),
  ...clientColumnsPrefixed(),
]);

function splitSubject(joined: Record<string, unknown>): ClaimedRow {
  const row: Record<string, unknown> = {};
  const subject: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(joined)) {
    if (key.startsWith('service__')) subject[key.slice('service__'.length)] = value;
    else if (key.startsWith('client__')) subject[key] = value;
    else row[key] = value;
  }
  return {
    row: row as OperationRow,
    subject: subject.id === null ? undefined : (subject as ServiceWithClientRow),
  };
}

/**
 * SQLite: inside BEGIN IMMEDIATE nobody else can write, so the candidates, the room per server
 * and the update are plain statements, each a few microseconds in process.
 */
async function claimOnSqlite(trx: Db, request: ClaimRequest): Promise<ClaimedRow[]> {
  const look = request.limit * LOOK_AHEAD;
  // Predicates written out literally, as above.
  const columns = ['id', 'server_id', 'status', 'lease_expires_at'] as const;
  const expired = await trx
    .selectFrom('operations')
    .select(columns)
    .where(sql<boolean>`status = 'running'`)
    .where('lease_expires_at', '<', request.now)
    .orderBy('lease_expires_at')
    .limit(literalLimit(look))
    .execute();
  const due = await trx
    .selectFrom('operations')
    .select(columns)
    .where(sql<boolean>`status in ('queued', 'waiting')`)
    .where('run_at', '<=', request.now)
    .orderBy('run_at')
    .orderBy('id')
    .limit(literalLimit(look))
    .execute();
  // Work abandoned by a dead worker goes first: it is the oldest.
  const rows = [...expired, ...due];
  if (rows.length === 0) return [];
  const room = await roomPerServer(trx, rows, request.now);
  const taken = new Map<number | null, number>();
  const chosen: number[] = [];
  for (const row of rows) {
    if (chosen.length >= request.limit) break;
    const used = taken.get(row.server_id) ?? 0;
    if (row.server_id !== null && used >= (room.get(row.server_id) ?? 0)) continue;
    taken.set(row.server_id, used + 1);
    chosen.push(row.id);
  }
  if (chosen.length === 0) return [];
  const claimed = await trx
    .updateTable('operations')
    .set(claimSet(request))
    .where('id', 'in', chosen)
    .returningAll()
    .execute();
  const subjects = await getServiceWithClientRows(
    trx,
    claimed.map((row) => row.service_id),
  );
  return claimed.map((row) => ({ row, subject: subjects.get(row.service_id) }));
}

/** Room left on each server among the candidates: its `max_concurrency` less what runs on it now. */
async function roomPerServer(
  trx: Db,
  candidates: readonly { server_id: number | null }[],
  now: number,
): Promise<Map<number, number>> {
  const ids = [...new Set(candidates.map((row) => row.server_id))].filter((id): id is number => id !== null);
  if (ids.length === 0) return new Map();
  const rows = await trx
    .selectFrom('servers')
    .select((eb) => [
      'servers.id',
      'servers.max_concurrency',
      eb
        .selectFrom('operations')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .whereRef('operations.server_id', '=', 'servers.id')
        .where(sql<boolean>`status = 'running'`)
        .where('operations.lease_expires_at', '>=', now)
        .as('running'),
    ])
    .where('servers.id', 'in', ids)
    .execute();
  return new Map(rows.map((row) => [row.id, row.max_concurrency - Number(row.running ?? 0)]));
}

/** Columns an update may set. */
export type OperationPatch = Updateable<Omit<OperationsTable, 'id'>>;

const updateLeasedStatement = compiledStatement(
  (db, v: Record<string, unknown>, columns: readonly string[]) =>
    db
      .updateTable('operations')
      .set(Object.fromEntries(columns.map((column) => [column, v[column]])))
      .where('id', '=', v['@id'] as number)
      .where('lease_owner', '=', v['@lease'] as string)
      .where('status', '=', 'running'),
  { shapeKey: (columns) => columns.join(',') },
);

/** Fenced update: only the lease holder may write; false means the lease was lost. */
export async function updateLeasedOperation(
  db: Db,
  id: number,
  owner: string,
  patch: OperationPatch,
): Promise<boolean> {
  const shape = plainPatchShape(patch);
  const result =
    shape === undefined
      ? await db
          .updateTable('operations')
          .set(patch)
          .where('id', '=', id)
          .where('lease_owner', '=', owner)
          .where('status', '=', 'running')
          .executeTakeFirst()
          .then((r) => ({ numAffectedRows: r.numUpdatedRows }))
      : await updateLeasedStatement(db, { ...patch, '@id': id, '@lease': owner }, shape.split(','));
  return Number(result.numAffectedRows) === 1;
}

export async function updateOperation(db: Db, id: number, patch: OperationPatch): Promise<void> {
  await db.updateTable('operations').set(patch).where('id', '=', id).execute();
}

export const journalJson = (journal: Journal): string => toJson(journal);
