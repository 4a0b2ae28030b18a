import { type CreateTableBuilder, type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';

/** Integer identity column that both dialects generate. */
export function withId<T extends string>(
  table: CreateTableBuilder<T, never>,
  dialect: Dialect,
): CreateTableBuilder<T, 'id'> {
  return dialect === 'postgres'
    ? table.addColumn('id', 'serial', (col) => col.primaryKey())
    : table.addColumn('id', 'integer', (col) => col.primaryKey().autoIncrement());
}

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  // Millisecond timestamps overflow PostgreSQL's 32-bit integer.
  const ms = dialect === 'postgres' ? 'bigint' : 'integer';

  await withId(db.schema.createTable('clients'), dialect)
    .addColumn('external_id', 'text', (col) => col.unique())
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('first_name', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('last_name', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('company', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('email_verified', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('custom_fields', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('created_at', ms, (col) => col.notNull())
    .addColumn('updated_at', ms, (col) => col.notNull())
    .execute();

  await withId(db.schema.createTable('servers'), dialect)
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('module', 'text', (col) => col.notNull())
    .addColumn('hostname', 'text', (col) => col.notNull())
    .addColumn('ip', 'text')
    .addColumn('port', 'integer', (col) => col.notNull())
    .addColumn('secure', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('username', 'text', (col) => col.notNull().defaultTo(''))
    .addColumn('secret_sealed', 'text')
    .addColumn('max_accounts', 'integer')
    .addColumn('max_concurrency', 'integer', (col) => col.notNull().defaultTo(8))
    .addColumn('enabled', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('tls_verify', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('tls_fingerprint', 'text')
    .addColumn('settings', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('created_at', ms, (col) => col.notNull())
    .addColumn('updated_at', ms, (col) => col.notNull())
    .execute();

  await withId(db.schema.createTable('server_groups'), dialect)
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('fill_type', 'text', (col) => col.notNull())
    .addColumn('last_server_id', 'integer')
    .addColumn('created_at', ms, (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('server_group_members')
    .addColumn('group_id', 'integer', (col) =>
      col.notNull().references('server_groups.id').onDelete('cascade'),
    )
    .addColumn('server_id', 'integer', (col) => col.notNull().references('servers.id').onDelete('cascade'))
    .addColumn('priority', 'integer', (col) => col.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('server_group_members_pk', ['group_id', 'server_id'])
    .execute();

  await withId(db.schema.createTable('products'), dialect)
    .addColumn('name', 'text', (col) => col.notNull().unique())
    .addColumn('module', 'text', (col) => col.notNull())
    .addColumn('product_type', 'text')
    .addColumn('server_group_id', 'integer', (col) => col.references('server_groups.id'))
    .addColumn('settings', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('secret_settings_sealed', 'text')
    .addColumn('config_options', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('welcome_template', 'text')
    .addColumn('created_at', ms, (col) => col.notNull())
    .addColumn('updated_at', ms, (col) => col.notNull())
    .execute();

  await withId(db.schema.createTable('services'), dialect)
    .addColumn('client_id', 'integer', (col) => col.notNull().references('clients.id'))
    .addColumn('product_id', 'integer', (col) => col.notNull().references('products.id'))
    .addColumn('server_id', 'integer', (col) => col.references('servers.id'))
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('domain', 'text')
    .addColumn('username', 'text')
    .addColumn('password_sealed', 'text')
    .addColumn('config_options', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('custom_fields', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('remote_ids', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('dedicated_ip', 'text')
    .addColumn('assigned_ips', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('usage', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('usage_updated_at', ms)
    .addColumn('suspend_reason', 'text')
    .addColumn('created_at', ms, (col) => col.notNull())
    .addColumn('updated_at', ms, (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('services_server_idx')
    .on('services')
    .columns(['server_id', 'status'])
    .execute();
  await db.schema.createIndex('services_client_idx').on('services').column('client_id').execute();

  await withId(db.schema.createTable('operations'), dialect)
    .addColumn('service_id', 'integer', (col) => col.notNull().references('services.id'))
    .addColumn('server_id', 'integer')
    .addColumn('module', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('args', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('args_sealed', 'text')
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('claimed_from', 'text')
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (col) => col.notNull())
    .addColumn('run_at', ms, (col) => col.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', ms)
    .addColumn('idempotency_key', 'text', (col) => col.unique())
    .addColumn('request_hash', 'text')
    .addColumn('journal', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('progress_message', 'text')
    .addColumn('progress_fraction', 'real')
    .addColumn('error_kind', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('resolved_at', ms)
    .addColumn('resolution', 'text')
    .addColumn('created_at', ms, (col) => col.notNull())
    .addColumn('updated_at', ms, (col) => col.notNull())
    .addColumn('started_at', ms)
    .addColumn('finished_at', ms)
    .execute();
  // The claim reads due work in run order and expired leases, each from its own partial index,
  // so a claim costs the same with ten queued operations as with a hundred thousand.
  await sql`create index operations_due_idx on operations (run_at, id) where status in ('queued', 'waiting')`.execute(
    db,
  );
  await sql`create index operations_leases_idx on operations (lease_expires_at) where status = 'running'`.execute(
    db,
  );
  // At most one active operation per service, enforced by the database itself.
  await sql`create unique index operations_one_active_idx on operations (service_id) where status in ('queued', 'waiting', 'running')`.execute(
    db,
  );
  await db.schema
    .createIndex('operations_service_idx')
    .on('operations')
    .columns(['service_id', 'id'])
    .execute();
  // The failed-actions queue. No general (status, id) index: SQLite's planner would prefer it to
  // the claim's partial index and sort every queued row on each claim.
  await sql`create index operations_failed_idx on operations (id) where status = 'failed'`.execute(db);

  await withId(db.schema.createTable('module_log'), dialect)
    .addColumn('operation_id', 'integer')
    .addColumn('server_id', 'integer')
    .addColumn('module', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('request', 'text', (col) => col.notNull())
    .addColumn('response', 'text', (col) => col.notNull())
    .addColumn('duration_ms', 'real', (col) => col.notNull())
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', ms, (col) => col.notNull())
    .execute();
  await db.schema.createIndex('module_log_operation_idx').on('module_log').column('operation_id').execute();
  await db.schema.createIndex('module_log_created_idx').on('module_log').column('created_at').execute();

  await withId(db.schema.createTable('events'), dialect)
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('payload', 'text', (col) => col.notNull())
    .addColumn('created_at', ms, (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('event_deliveries')
    .addColumn('event_id', 'integer', (col) => col.notNull())
    .addColumn('subscriber', 'text', (col) => col.notNull())
    .addColumn('delivered_at', ms, (col) => col.notNull())
    .addPrimaryKeyConstraint('event_deliveries_pk', ['subscriber', 'event_id'])
    .execute();

  await withId(db.schema.createTable('api_tokens'), dialect)
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('token_hash', 'text', (col) => col.notNull().unique())
    .addColumn('token_prefix', 'text', (col) => col.notNull())
    .addColumn('scope', 'text', (col) => col.notNull())
    .addColumn('created_at', ms, (col) => col.notNull())
    .addColumn('last_used_at', ms)
    .addColumn('revoked_at', ms)
    .execute();

  await db.schema
    .createTable('settings_kv')
    .addColumn('key', 'text', (col) => col.primaryKey())
    .addColumn('value', 'text', (col) => col.notNull())
    .execute();
}
