import { sql } from 'kysely';
import type { Db, Dialect } from '../database.js';

/**
 * Read-only aggregates for the admin dashboard. Each is one query shaped for an index, so the
 * dashboard stays quick on a shop with 100,000 services and a million operations
 * (`npm run bench -- web` measures it): predicates that must match a partial index are written
 * out literally, since a bound parameter cannot prove the index's condition.
 */

export async function countServicesByStatus(db: Db): Promise<Map<string, number>> {
  // services_status_idx (migration 004) makes this an index-only scan.
  const rows = await db
    .selectFrom('services')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return new Map(rows.map((row) => [row.status, Number(row.n)]));
}

export async function countActiveOperationsByStatus(db: Db): Promise<Map<string, number>> {
  // The same condition as operations_one_active_idx (migration 007), so only active rows are read.
  const rows = await db
    .selectFrom('operations')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where(sql<boolean>`status in ('queued', 'waiting', 'running') and service_id is not null`)
    .groupBy('status')
    .execute();
  return new Map(rows.map((row) => [row.status, Number(row.n)]));
}

export async function countUnresolvedFailures(db: Db): Promise<number> {
  const row = await db
    .selectFrom('operations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(sql<boolean>`status = 'failed'`)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export interface FinishedOperation {
  /** Whole hours since `since`. */
  hour: number;
  /** Enqueue → end. */
  durationMs: number;
  status: string;
}

/**
 * Operations that ended since `since`: hour, duration and status, read from the covering index
 * operations_finished_idx and returned as the driver gives them (30,000 rows a day at a million
 * operations a month: about 30 ms; mapping each row through objects first took four times that,
 * and counting duration buckets with a CASE in SQL was slower still).
 */
export async function finishedOperations(db: Db, since: number): Promise<FinishedOperation[]> {
  const rows = await sql<FinishedOperation>`
    select (finished_at - ${since}) / 3600000 as "hour", finished_at - created_at as "durationMs", status
    from operations where finished_at >= ${since}`.execute(db);
  return rows.rows;
}

export interface UsageTotals {
  services: number;
  withUsage: number;
  diskUsedMb: number;
  diskLimitMb: number;
  bandwidthUsedMb: number;
  bandwidthLimitMb: number;
  oldestSyncAt: number | null;
  newestSyncAt: number | null;
}

/** Usage of live (active or suspended) services, summed by the database: one pass, no JSON in JS. */
export async function sumLiveUsage(db: Db, dialect: Dialect): Promise<UsageTotals> {
  const figure = (name: string) =>
    dialect === 'postgres'
      ? sql<number>`coalesce(sum((usage::json->>${sql.lit(name)})::float8), 0)`
      : sql<number>`coalesce(sum(json_extract(usage, ${sql.lit(`$.${name}`)})), 0)`;
  const row = await db
    .selectFrom('services')
    .select((eb) => [
      eb.fn.countAll<number>().as('services'),
      eb.fn.count<number>('usage_updated_at').as('with_usage'),
      figure('diskUsedMb').as('disk_used'),
      figure('diskLimitMb').as('disk_limit'),
      figure('bandwidthUsedMb').as('bandwidth_used'),
      figure('bandwidthLimitMb').as('bandwidth_limit'),
      eb.fn.min('usage_updated_at').as('oldest'),
      eb.fn.max('usage_updated_at').as('newest'),
    ])
    .where('status', 'in', ['active', 'suspended'])
    .executeTakeFirstOrThrow();
  const orNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    services: Number(row.services),
    withUsage: Number(row.with_usage),
    diskUsedMb: Number(row.disk_used),
    diskLimitMb: Number(row.disk_limit),
    bandwidthUsedMb: Number(row.bandwidth_used),
    bandwidthLimitMb: Number(row.bandwidth_limit),
    oldestSyncAt: orNull(row.oldest),
    newestSyncAt: orNull(row.newest),
  };
}

export interface GroupMembership {
  groupId: number;
  groupName: string;
  fillType: string;
  serverId: number;
  priority: number;
}

export async function listGroupMemberships(db: Db): Promise<GroupMembership[]> {
  const rows = await db
    .selectFrom('server_groups as g')
    .leftJoin('server_group_members as m', 'm.group_id', 'g.id')
    .select(['g.id as group_id', 'g.name', 'g.fill_type', 'm.server_id', 'm.priority'])
    .orderBy('g.id')
    .orderBy('m.priority')
    .orderBy('m.server_id')
    .execute();
  return rows.map((row) => ({
    groupId: row.group_id,
    groupName: row.name,
    fillType: row.fill_type,
    serverId: row.server_id ?? 0,
    priority: row.priority ?? 0,
  }));
}
