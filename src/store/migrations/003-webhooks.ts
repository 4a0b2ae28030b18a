import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';
import { withId } from './001-initial.js';

/**
 * - `webhooks`: subscribers over HTTP (URL, event types, sealed signing secret).
 * - `webhook_deliveries`: one row per event and webhook, the delivery log and the retry queue at
 *   once (claimed with a lease, like operations, so several nodes never send the same row at the
 *   same time). Unique per (webhook, event) for first deliveries: the fan-out may run twice after
 *   a crash and still make one row; replays are rows of their own.
 * - `notifications`: failure notifications sent, one row per operation and channel: "once per
 *   operation" is this unique index.
 * - the index retention deletes events by (`created_at`); module_log has one since 001, and
 *   finished operations are found through 004's `operations (finished_at, …)`.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect === 'postgres' ? 'bigint' : 'integer';
  await withId(db.schema.createTable('webhooks'), dialect)
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('event_types', 'text', (col) => col.notNull())
    .addColumn('secret_sealed', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('enabled', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('created_at', ms, (col) => col.notNull())
    .addColumn('updated_at', ms, (col) => col.notNull())
    .execute();

  await withId(db.schema.createTable('webhook_deliveries'), dialect)
    .addColumn('webhook_id', 'integer', (col) => col.notNull().references('webhooks.id').onDelete('cascade'))
    .addColumn('event_id', 'integer', (col) => col.notNull())
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', ms, (col) => col.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', ms)
    .addColumn('response_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('history', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('replay_of', 'integer')
    .addColumn('created_at', ms, (col) => col.notNull())
    .addColumn('updated_at', ms, (col) => col.notNull())
    .addColumn('delivered_at', ms)
    .execute();
  await sql`create unique index webhook_deliveries_first_idx on webhook_deliveries (webhook_id, event_id) where replay_of is null`.execute(
    db,
  );
  await sql`create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at, id) where status = 'pending'`.execute(
    db,
  );
  await db.schema
    .createIndex('webhook_deliveries_webhook_idx')
    .on('webhook_deliveries')
    .columns(['webhook_id', 'id'])
    .execute();
  await db.schema
    .createIndex('webhook_deliveries_event_idx')
    .on('webhook_deliveries')
    .column('event_id')
    .execute();

  await withId(db.schema.createTable('notifications'), dialect)
    .addColumn('operation_id', 'integer', (col) => col.notNull())
    .addColumn('channel', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', ms, (col) => col.notNull())
    .addColumn('sent_at', ms)
    .execute();
  await db.schema
    .createIndex('notifications_operation_idx')
    .on('notifications')
    .columns(['operation_id', 'channel'])
    .unique()
    .execute();

  await db.schema.createIndex('events_created_idx').on('events').column('created_at').execute();
}
