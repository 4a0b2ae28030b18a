import { sql } from 'kysely';
import type { ModuleLogRow } from '../../core/values.js';
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

async function completeInOneStatement(trx: Db, completion: LeasedCompletion): Promise<boolean> {
  const { operationId, lease, patch, service, event, logRows } = completion;
  const fenced = sql<boolean>`exists (select 1 from fenced)`;
  let query = trx.with('fenced', (db) =>
    db
      .updateTable('operations')
      .set(patch)
      .where('id', '=', operationId)
      .where('lease_owner', '=', lease)
      .where('status', '=', 'running')
      .returning('id'),
  );
  if (logRows.length > 0) {
    // One array per column: the statement's text stays the same however many rows there are.
    const column = <K extends keyof ModuleLogRow>(key: K) => logRows.map((row) => row[key] ?? null);
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
  if (service) {
    query = query.with('serviced', (db) =>
      db
        .updateTable('services')
        .set(service.patch)
        .where('id', '=', service.id)
        .where(fenced)
        .returning('id'),
    );
  }
  if (event) {
    query = query.with('published', (db) =>
      db
        .insertInto('events')
        .columns(['type', 'payload', 'created_at'])
        .expression(sql`select ${event.type}, ${toJson(event.payload)}, ${event.at}::bigint from fenced`)
        .returning('id'),
    );
  }
  const row = await query
    .selectNoFrom((eb) =>
      eb
        .selectFrom('fenced')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .as('n'),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n) === 1;
}
