import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Claims must read their own indexes, whatever the statistics say. `operations_one_active_idx`
 * (one active operation per service) holds every queued, waiting and running operation, so a
 * claim's "running with an expired lease" and "queued or waiting and due" could be read from it
 * too, filtering every active row. PostgreSQL did exactly that once statistics had been taken on a
 * table of finished operations and a backlog then came in: it believed the active rows few, chose
 * that index, and each claim read the whole backlog (3,600 rows, 5 ms, with a million finished
 * operations in the engine bench; a third off the engine's rate). Its condition now also names
 * `service_id`, so only a query that asks for a service (the enqueue's check, a service's active
 * operation) can use it; uniqueness is the same, `service_id` being never null. Claims are left
 * with `operations_leases_idx` and `operations_due_idx`, which answer them in order.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await sql`drop index operations_one_active_idx`.execute(db);
  await sql`create unique index operations_one_active_idx on operations (service_id) where status in ('queued', 'waiting', 'running') and service_id is not null`.execute(
    db,
  );
}
