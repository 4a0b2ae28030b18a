import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../database.js';

/**
 * Billing's own ids on servers, products and services (clients have had one from the start), so a
 * billing system that meets a record provisio does not know (the WHMCS bridge: `serverid`, `pid`,
 * `serviceid`) registers it once and finds it again by its id, even after a crash between the
 * registration and the billing side saving provisio's id. Unique where set: one billing record is
 * one provisio record.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  for (const table of ['servers', 'products', 'services']) {
    await db.schema.alterTable(table).addColumn('external_id', 'text').execute();
    await sql`create unique index ${sql.raw(`${table}_external_id_idx`)} on ${sql.table(table)} (external_id) where external_id is not null`.execute(
      db,
    );
  }
}
