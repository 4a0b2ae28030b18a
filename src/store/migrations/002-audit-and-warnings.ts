import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';
import { withId } from './001-initial.js';

/**
 * - `audit_log`: who did what to which record, for every write through the API and every
 *   sensitive engine action (login links, secret reveals, adoptions, placement overrides).
 * - `operations.warnings`: what a module warned about during a run (a game server deployed without
 *   a port), kept with the operation instead of only in the serve log.
 * - `api_tokens.client_id`: a customer token sees only this client's services.
 * - `services.password_revealed_at`: a generated password is shown to an operator once.
 * - `settings_kv` goes: only the engine bench used it (the bench makes its own table now).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect === 'postgres' ? 'bigint' : 'integer';
  await withId(db.schema.createTable('audit_log'), dialect)
    .addColumn('at', ms, (col) => col.notNull())
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('token_id', 'integer')
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('details', 'text', (col) => col.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('audit_log_at_idx').on('audit_log').columns(['at', 'id']).execute();
  await db.schema
    .createIndex('audit_log_target_idx')
    .on('audit_log')
    .columns(['target_type', 'target_id'])
    .execute();
  await db.schema
    .alterTable('operations')
    .addColumn('warnings', 'text', (col) => col.notNull().defaultTo('[]'))
    .execute();
  await db.schema.alterTable('api_tokens').addColumn('client_id', 'integer').execute();
  await db.schema.alterTable('services').addColumn('password_revealed_at', ms).execute();
  await sql`drop table if exists settings_kv`.execute(db);
}
