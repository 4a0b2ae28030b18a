import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Indexes for the admin UI's reads on a shop's scale (100,000 services, a million operations;
 * `npm run bench -- web` measures them):
 * - `services (status, id)`: the dashboard's count by status is an index-only scan, and the
 *   services list filtered by a rare status pages without reading every row;
 * - `operations (finished_at, created_at, status)`: operations per hour and their durations over
 *   the last day read only that day's index entries, never the table;
 * - `operations (id) where failed and unresolved`: the failed-actions queue and its count read only
 *   the failures still waiting for an operator, not every failure ever resolved.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.createIndex('services_status_idx').on('services').columns(['status', 'id']).execute();
  await db.schema
    .createIndex('operations_finished_idx')
    .on('operations')
    .columns(['finished_at', 'created_at', 'status'])
    .execute();
  await sql`create index operations_unresolved_idx on operations (id) where status = 'failed' and resolved_at is null`.execute(
    db,
  );
}
