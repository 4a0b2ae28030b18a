import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';
import { withId } from './001-initial.js';

/**
 * Reconcile (issue 16):
 * - `reconcile_runs`: one row per server and pass: when, what it saw, how many findings it
 *   opened and closed, or why it failed (a failed pass closes nothing);
 * - `reconcile_findings`: one row per difference between billing and a backend, kept across
 *   passes: a pass that sees it again updates it (`last_seen_at`, `run_id`, details), a pass that
 *   no longer sees it closes it (`closed_at`). `fingerprint` names the difference (kind, remote
 *   object, service); at most one unclosed finding per server and fingerprint (the partial unique
 *   index), so two passes cannot open it twice.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect === 'postgres' ? 'bigint' : 'integer';
  await withId(db.schema.createTable('reconcile_runs'), dialect)
    .addColumn('server_id', 'integer', (col) => col.notNull().references('servers.id').onDelete('cascade'))
    .addColumn('trigger', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('objects_seen', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('services_seen', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('pages', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('findings_open', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('findings_new', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('findings_closed', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('started_at', ms, (col) => col.notNull())
    .addColumn('finished_at', ms)
    .execute();
  await db.schema
    .createIndex('reconcile_runs_server_idx')
    .on('reconcile_runs')
    .columns(['server_id', 'id'])
    .execute();

  await withId(db.schema.createTable('reconcile_findings'), dialect)
    .addColumn('server_id', 'integer', (col) => col.notNull().references('servers.id').onDelete('cascade'))
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('fingerprint', 'text', (col) => col.notNull())
    .addColumn('remote_kind', 'text', (col) => col.notNull())
    .addColumn('remote_key', 'text', (col) => col.notNull())
    .addColumn('service_id', 'integer')
    .addColumn('details', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('proposed_action', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('repair_action', 'text')
    .addColumn('repair_operation_id', 'integer')
    .addColumn('first_seen_at', ms, (col) => col.notNull())
    .addColumn('last_seen_at', ms, (col) => col.notNull())
    .addColumn('run_id', 'integer', (col) => col.notNull())
    .addColumn('closed_at', ms)
    .addColumn('updated_at', ms, (col) => col.notNull())
    .execute();
  await sql`create unique index reconcile_findings_unclosed_idx on reconcile_findings (server_id, fingerprint) where closed_at is null`.execute(
    db,
  );
  await db.schema
    .createIndex('reconcile_findings_status_idx')
    .on('reconcile_findings')
    .columns(['status', 'server_id', 'id'])
    .execute();
  await db.schema
    .createIndex('reconcile_findings_service_idx')
    .on('reconcile_findings')
    .column('service_id')
    .execute();
}
