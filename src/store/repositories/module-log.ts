import { sql } from 'kysely';
import type { ModuleLogRow } from '../../core/values.js';
import type { Db } from '../database.js';

export interface ModuleLogRecord extends ModuleLogRow {
  id: number;
}

/** Rows arrive already redacted (transport/module-log.ts is the only writer). */
export async function insertModuleLogRows(db: Db, rows: readonly ModuleLogRow[]): Promise<void> {
  // Chunked: SQLite limits bound parameters per statement.
  for (let i = 0; i < rows.length; i += 50) {
    await db
      .insertInto('module_log')
      .values(
        rows.slice(i, i + 50).map((row) => ({
          operation_id: row.operationId,
          server_id: row.serverId,
          module: row.module,
          action: row.action,
          request: row.request,
          response: row.response,
          duration_ms: row.durationMs,
          outcome: row.outcome,
          error: row.error ?? null,
          created_at: row.createdAt,
        })),
      )
      .execute();
  }
}

export interface ModuleLogFilter {
  operationId?: number;
  /** Every call made by the operations of this service. */
  serviceId?: number;
  serverId?: number;
  module?: string;
  action?: string;
  outcome?: 'ok' | 'error';
  since?: number;
  /** Substring of request or response. */
  search?: string;
  limit?: number;
  beforeId?: number;
}

export async function queryModuleLog(db: Db, filter: ModuleLogFilter = {}): Promise<ModuleLogRecord[]> {
  let query = db
    .selectFrom('module_log')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100);
  if (filter.operationId !== undefined) query = query.where('operation_id', '=', filter.operationId);
  if (filter.serviceId !== undefined)
    query = query.where('operation_id', 'in', (eb) =>
      eb.selectFrom('operations').select('id').where('service_id', '=', filter.serviceId!),
    );
  if (filter.serverId !== undefined) query = query.where('server_id', '=', filter.serverId);
  if (filter.module !== undefined) query = query.where('module', '=', filter.module);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
  if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  if (filter.search) {
    const pattern = `%${filter.search.replace(/[%_!]/g, (c) => `!${c}`)}%`;
    // An explicit ESCAPE: SQLite has no default escape character for LIKE.
    query = query.where(
      sql<boolean>`(request like ${pattern} escape '!' or response like ${pattern} escape '!')`,
    );
  }
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    operationId: row.operation_id,
    serverId: row.server_id,
    module: row.module,
    action: row.action,
    request: row.request,
    response: row.response,
    durationMs: row.duration_ms,
    outcome: row.outcome as 'ok' | 'error',
    ...(row.error === null ? {} : { error: row.error }),
    createdAt: row.created_at,
  }));
}

/** Operations in the order they appeared, oldest first: transcripts for tests and `ops show`. */
export async function moduleLogForOperation(db: Db, operationId: number): Promise<ModuleLogRecord[]> {
  return (await queryModuleLog(db, { operationId, limit: 10_000 })).reverse();
}
