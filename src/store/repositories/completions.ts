import { sql } from 'kysely';
import type { ModuleLogRow } from '../../core/values.js';
import { compiledStatement, plainPatchShape } from '../compiled.js';
import type { Db, Dialect } from '../database.js';
import { toJson } from '../json.js';
import { insertEvent } from './events.js';
import { insertModuleLogRows } from './module-log.js';
import { type OperationPatch, updateLeasedOperation } from './operations.js';
import { type ServiceRowPatch, updateServiceRow } from './services.js';

/** How a run ends in the database: written only while the run still holds its lease. */
export interface LeasedCompletion {
  operationId: number;
  lease: string;
  /** The operation's new columns. */
  patch: OperationPatch;
  /** A success's change to its service. */
  service?: { id: number; patch: ServiceRowPatch } | undefined;
  /** The event that tells subscribers (succeeded, failed). */
  event?: { type: string; payload: Record<string, unknown>; at: number } | undefined;
  /** What the module said to its backend during the run. */
  logRows: readonly ModuleLogRow[];
}

/**
 * Writes a run's end — the operation row, its module log, its service's change and its event —
 * fenced by the lease: false, and nothing written, when another worker owns the operation now.
 *
 * PostgreSQL: one statement, its parts data-modifying CTEs that write only when the fenced
 * operation update matched. The completion is on every operation's path, and on PostgreSQL the
 * server's CPU per round trip is what bounds the engine's rate: four statements cost four round
 * trips, this one costs one. SQLite runs in process, where statements cost microseconds: the same
 * writes one after the other, the lease first.
 */
export async function completeLeasedOperation(
  trx: Db,
  dialect: Dialect,
  completion: LeasedCompletion,
): Promise<boolean> {
  if (dialect === 'postgres') return completeInOneStatement(trx, completion);
  const { operationId, lease, patch, service, event, logRows } = completion;
  if (!(await updateLeasedOperation(trx, operationId, lease, patch))) return false;
  await insertModuleLogRows(trx, logRows);
  if (service) await updateServiceRow(trx, service.id, service.patch);
  if (event) await insertEvent(trx, event.type, event.payload, event.at);
  return true;
}

/** What decides the one statement's SQL text: which columns each patch sets, which parts it has. */
interface CompletionShape {
  operationColumns: readonly string[];
  serviceColumns: readonly string[] | undefined;
  logged: boolean;
  published: boolean;
}

const LOG_COLUMNS = [
  'operationId',
  'serverId',
  'module',
  'action',
  'request',
  'response',
  'durationMs',
  'outcome',
  'error',
  'createdAt',
] as const satisfies readonly (keyof ModuleLogRow)[];

/**
 * The completion as one statement, its values read from `v` by name: `o.<column>` and
 * `s.<column>` for the two patches, `log.<field>` one array per module-log field, and `@`-names
 * for the rest. Built with stand-ins and compiled once per shape (compiledStatement), or with the
 * values themselves when a patch holds an expression.
 */
function completionStatement(db: Db, v: Record<string, unknown>, shape: CompletionShape) {
  const fenced = sql<boolean>`exists (select 1 from fenced)`;
  let query = db.with('fenced', (db) =>
    db
      .updateTable('operations')
      .set(Object.fromEntries(shape.operationColumns.map((column) => [column, v[`o.${column}`]])))
      .where('id', '=', v['@operationId'] as number)
      .where('lease_owner', '=', v['@lease'] as string)
      .where('status', '=', 'running')
      .returning('id'),
  );
  if (shape.logged) {
    // One array per column: the statement's text stays the same however many rows there are.
    const column = (field: (typeof LOG_COLUMNS)[number]) => v[`log.${field}`];
    query = query.with('logged', (db) =>
      db
        .insertInto('module_log')
        .columns([
          'operation_id',
          'server_id',
          'module',
          'action',
          'request',
          'response',
          'duration_ms',
          'outcome',
          'error',
          'created_at',
        ])
        .expression(
          sql`select * from unnest(${column('operationId')}::integer[], ${column('serverId')}::integer[],
                ${column('module')}::text[], ${column('action')}::text[], ${column('request')}::text[],
                ${column('response')}::text[], ${column('durationMs')}::real[], ${column('outcome')}::text[],
                ${column('error')}::text[], ${column('createdAt')}::bigint[])
              where ${fenced}`,
        ),
    );
  }
  const serviceColumns = shape.serviceColumns;
  if (serviceColumns) {
    query = query.with('serviced', (db) =>
      db
        .updateTable('services')
        .set(Object.fromEntries(serviceColumns.map((column) => [column, v[`s.${column}`]])))
        .where('id', '=', v['@serviceId'] as number)
        .where(fenced)
        .returning('id'),
    );
  }
  if (shape.published) {
    query = query.with('published', (db) =>
      db
        .insertInto('events')
        .columns(['type', 'payload', 'created_at'])
        .expression(
          sql`select ${v['@eventType']}, ${v['@eventPayload']}, ${v['@eventAt']}::bigint from fenced`,
        )
        .returning('id'),
    );
  }
  return query.selectNoFrom((eb) =>
    eb
      .selectFrom('fenced')
      .select((inner) => inner.fn.countAll<number>().as('n'))
      .as('n'),
  );
}

// Building this statement with Kysely on every run was most of the query builder's share of
// Node's CPU on PostgreSQL (about 8 % of the engine's thread): compiled once per shape instead.
const compiledCompletion = compiledStatement(completionStatement, {
  shapeKey: (shape) =>
    [
      shape.operationColumns.join(','),
      shape.serviceColumns?.join(',') ?? '-',
      shape.logged ? 'log' : '',
      shape.published ? 'event' : '',
    ].join('|'),
});

async function completeInOneStatement(trx: Db, completion: LeasedCompletion): Promise<boolean> {
  const { operationId, lease, patch, service, event, logRows } = completion;
  const operationShape = plainPatchShape(patch);
  const serviceShape = service ? plainPatchShape(service.patch) : '';
  const shape: CompletionShape = {
    operationColumns: Object.keys(patch).sort(),
    serviceColumns: service ? Object.keys(service.patch).sort() : undefined,
    logged: logRows.length > 0,
    published: event !== undefined,
  };
  const values: Record<string, unknown> = { '@operationId': operationId, '@lease': lease };
  for (const [column, value] of Object.entries(patch)) values[`o.${column}`] = value;
  if (service) {
    values['@serviceId'] = service.id;
    for (const [column, value] of Object.entries(service.patch)) values[`s.${column}`] = value;
  }
  for (const field of shape.logged ? LOG_COLUMNS : [])
    values[`log.${field}`] = logRows.map((row) => row[field] ?? null);
  if (event) {
    values['@eventType'] = event.type;
    values['@eventPayload'] = toJson(event.payload);
    values['@eventAt'] = event.at;
  }
  const result =
    operationShape === undefined || serviceShape === undefined
      ? await trx.executeQuery(completionStatement(trx, values, shape).compile())
      : await compiledCompletion(trx, values, shape);
  const [row] = result.rows;
  if (!row) throw new Error('the completion statement returned no row');
  return Number(row.n) === 1;
}
