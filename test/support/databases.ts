import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Dialect, migrateStore, openStore, type Store } from '../../src/store/database.js';

/** Every store test runs on both dialects: `for (const dialect of DIALECTS)`. */
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];

export const TEST_DATABASE_URL =
  process.env.PROVISIO_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestStore {
  store: Store;
  dialect: Dialect;
  /** SQLite file path, or the PostgreSQL schema name. */
  location: string;
  databaseUrl: string | undefined;
  cleanup(): Promise<void>;
}

/**
 * A fresh, migrated store. PostgreSQL tests each get their own schema in the shared `test`
 * database, so test files run in parallel without seeing each other.
 */
export async function openTestStore(
  dialect: Dialect = 'sqlite',
  options: { pgPoolSize?: number } = {},
): Promise<TestStore> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'provisio-test-'));
    const path = join(dir, 'provisio.db');
    const store = openStore({ sqlitePath: path });
    await migrateStore(store);
    return {
      store,
      dialect,
      location: path,
      databaseUrl: undefined,
      async cleanup() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const store = openStore({
    databaseUrl: TEST_DATABASE_URL,
    pgSchema: schema,
    ...(options.pgPoolSize ? { pgPoolSize: options.pgPoolSize } : {}),
  });
  await migrateStore(store);
  return {
    store,
    dialect,
    location: schema,
    databaseUrl: TEST_DATABASE_URL,
    async cleanup() {
      await store.close();
      const dropper = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await dropper.connect();
      await dropper.query(`drop schema if exists ${schema} cascade`);
      await dropper.end();
    },
  };
}
