/**
 * What the CLI's maintenance commands (backup, restore, key rotation) need from the store, for
 * the local CLI only: these commands work on the database file itself, below the engine. Kept in
 * the wiring layer so that entry points never import the store directly.
 */
import type { Config } from './config.js';
import { migrateStore, openStore, type Store } from './store/database.js';

export { backupSqlite, inspectBackup, installBackup, openReadOnly } from './store/backup.js';
export { describeLocation } from './store/sealed-columns.js';

/** The configured database, migrated, for a maintenance command. */
export async function openLocalStore(config: Pick<Config, 'databaseUrl' | 'sqlitePath'>): Promise<Store> {
  const store = openStore({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath });
  try {
    await migrateStore(store);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
