import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Driver,
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresDialect,
  PostgresDriver,
  SqliteDialect,
  sql,
  type TransactionSettings,
} from 'kysely';
import pg from 'pg';
import { groupCommit, type TransactionRunner } from './group-commit.js';
import * as m001 from './migrations/001-initial.js';
import * as m002 from './migrations/002-audit-and-warnings.js';
import * as m003 from './migrations/003-webhooks.js';
import * as m004 from './migrations/004-ui-indexes.js';
import * as m005 from './migrations/005-reconcile.js';
import * as m006 from './migrations/006-whmcs.js';
import * as m007 from './migrations/007-claim-indexes.js';
import { type OneTripTransaction, pipelinedTransaction, transactionInOneTrip } from './pipelined-batch.js';
import { openPostgresPool } from './postgres-pool.js';
import type { Database } from './schema.js';
import { sqliteCheckpointer } from './sqlite-checkpointer.js';
import { localWakeUp, postgresWakeUp, type WakeUp } from './wake-up.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<Database>;

// COUNT(*) and bigint millisecond timestamps arrive as int8; they fit a JS number.
pg.types.setTypeParser(20, (value: string) => Number(value));

export interface StoreOptions {
  /** `postgres://…` selects PostgreSQL; otherwise SQLite at `sqlitePath`. */
  databaseUrl?: string | undefined;
  sqlitePath?: string;
  /** PostgreSQL schema to use (tests give each file its own). */
  pgSchema?: string;
  pgPoolSize?: number;
  /**
   * PostgreSQL write transactions in flight at once before writes share commits (default 3, at
   * most the pool size less 2). Few lanes make big batches, and a batch of one-statement writes
   * costs two round trips however many it holds (pipelined-batch.ts).
   */
  pgWriteLanes?: number;
}

export interface Store {
  readonly db: Db;
  readonly dialect: Dialect;
  /**
   * Runs `fn` in a write transaction. SQLite: `BEGIN IMMEDIATE`, so the write lock is taken up
   * front and a compare-and-set inside cannot be overtaken by another process. PostgreSQL: a
   * normal transaction; claims use `FOR UPDATE SKIP LOCKED`.
   *
   * Writes asked for at once may share a transaction (group-commit.ts). When one of them fails,
   * the shared transaction is rolled back and the others run again, so `fn` may run more than
   * once before it commits: it must not change anything outside the transaction (a variable of
   * the caller, a cache) that a rolled-back run would leave wrong. Its return value is what the
   * run that committed returned.
   */
  write<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in a transaction of its own, at once, outside group commit: for the runner's claim,
   * whose latency bounds how fast a runner starts work (no worker starts while its claim is on
   * the way), so it must not wait for a shared commit.
   */
  transaction<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  /**
   * PostgreSQL only: runs statements that do not need each other's answers in one transaction
   * whose BEGIN, statements and COMMIT travel in one round trip (pipelined-batch.ts). For the
   * claim: three round trips were most of its latency.
   */
  readonly transactionInOneTrip?: OneTripTransaction;
  /**
   * As write, for a body that issues exactly one statement (its own atomic unit): run alone, it
   * goes without BEGIN and COMMIT; while the store is busy it shares a commit like any write.
   */
  writeStatement<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** Tells the runners of every node on this database that work is due now (see wake-up.ts). */
  readonly wakeUp: WakeUp;
  close(): Promise<void>;
}

const MIGRATIONS: Record<string, { up: (db: Kysely<unknown>, dialect: Dialect) => Promise<void> }> = {
  '001-initial': m001,
  '002-audit-and-warnings': m002,
  '003-webhooks': m003,
  '004-ui-indexes': m004,
  '005-reconcile': m005,
  '006-whmcs': m006,
  '007-claim-indexes': m007,
};

/** Names of the migrations this version knows, oldest first (a backup from a newer version has others). */
export const MIGRATION_NAMES: readonly string[] = Object.freeze(Object.keys(MIGRATIONS));

function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, migration] of Object.entries(MIGRATIONS))
        out[name] = { up: (db) => migration.up(db, dialect) };
      return out;
    },
  };
}

export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

export function openStore(options: StoreOptions): Store {
  if (isPostgresUrl(options.databaseUrl)) return openPostgres(options.databaseUrl, options);
  return openSqlite(options.sqlitePath ?? './data/provisio.db');
}

/**
 * Kysely's SQLite driver prepares every statement anew; preparing was 18% of an operation's CPU in
 * the engine bench. The engine issues a few dozen distinct statements, so a small cache keyed by
 * SQL text removes that cost. Safe because the driver runs one statement at a time.
 */
function withStatementCache(sqlite: SqliteDatabase.Database) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      let statement = cache.get(text);
      if (!statement) {
        // Statements with inlined lists (IN (?, ?, …)) vary; bound the cache rather than grow.
        if (cache.size >= 1_000) cache.clear();
        statement = sqlite.prepare(text);
        cache.set(text, statement);
      }
      return statement;
    },
  };
}

function openSqlite(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: durable against process crashes, may lose the last commits on power loss.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const checkpointer = path === ':memory:' ? null : sqliteCheckpointer(sqlite, path);
  // Kysely's SQLite driver has one connection behind a mutex: holding it serialises writers of
  // this process; BEGIN IMMEDIATE serialises against other processes.
  const transaction: TransactionRunner = (body) =>
    db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      let result: Awaited<ReturnType<typeof body>>;
      try {
        result = await body(conn);
        await sql`commit`.execute(conn);
      } catch (error) {
        await sql`rollback`.execute(conn);
        throw error;
      }
      checkpointer?.committed();
      return result;
    });
  const autocommit: TransactionRunner = async (body) => {
    const result = await body(db);
    checkpointer?.committed();
    return result;
  };
  const wakeUp = localWakeUp();
  return {
    db,
    dialect: 'sqlite',
    ...groupCommit(transaction, autocommit, { lanes: 1, maxBatch: 64 }),
    transaction,
    wakeUp,
    close: async () => {
      await wakeUp.close();
      await checkpointer?.close();
      await db.destroy();
    },
  };
}

function openPostgres(url: string, options: StoreOptions): Store {
  const connection = {
    connectionString: url,
    ...(options.pgSchema ? { options: `-c search_path=${options.pgSchema}` } : {}),
  };
  const poolSize = options.pgPoolSize ?? 10;
  const { pool, checkout } = openPostgresPool(connection, poolSize);
  const wakeUp = postgresWakeUp(pool, () => new pg.Client(connection), options.pgSchema);
  const db = new Kysely<Database>({ dialect: new SchemaScopedPostgresDialect({ pool: checkout }) });
  return {
    db,
    dialect: 'postgres',
    transaction: (body) => db.transaction().execute(body),
    transactionInOneTrip: transactionInOneTrip(checkout),
    ...groupCommit(
      (body) => db.transaction().execute(body),
      (body) => body(db),
      {
        // Fewer write transactions than connections: reads (and a NOTIFY) always find one free.
        // Three lanes measured best (engine bench, pipelined batches): 1.9x graphile-worker
        // against 1.3x with eight, whose batches stayed small.
        lanes: Math.max(1, Math.min(options.pgWriteLanes ?? 3, poolSize - 2)),
        maxBatch: 64,
      },
      pipelinedTransaction(checkout),
    ),
    wakeUp,
    close: async () => {
      await wakeUp.close();
      await db.destroy();
    },
  };
}

/**
 * A transaction's BEGIN is sent without waiting for its answer: on a pipelined connection the
 * first statement follows it at once, which saves a round trip per transaction — a fifth of an
 * operation's round trips on PostgreSQL, where the server's CPU bounds the engine's rate. The
 * answer is awaited before COMMIT, so a transaction whose BEGIN failed never reports success.
 * (BEGIN fails only with its connection, which then fails the statements after it too.)
 */
class PipelinedBeginDriver extends PostgresDriver {
  readonly #begun = new WeakMap<DatabaseConnection, Promise<unknown>>();

  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    if (settings.isolationLevel || settings.accessMode) return super.beginTransaction(connection, settings);
    const begun = connection.executeQuery(CompiledQuery.raw('begin'));
    begun.catch(() => undefined);
    this.#begun.set(connection, begun);
  }

  override async commitTransaction(connection: DatabaseConnection) {
    const begun = this.#begun.get(connection);
    this.#begun.delete(connection);
    await begun;
    await super.commitTransaction(connection);
  }

  override async rollbackTransaction(connection: DatabaseConnection) {
    const begun = this.#begun.get(connection);
    this.#begun.delete(connection);
    await begun?.catch(() => undefined);
    await super.rollbackTransaction(connection);
  }
}

/**
 * Kysely's PostgreSQL introspector lists the tables of every schema in the database, which the
 * migrator does to find its own tables; on a database shared with other schemas that are being
 * dropped meanwhile (other apps, parallel test schemas) that query fails with "schema … does not
 * exist" (a flake of the suite). Ours asks only about the schema we work in.
 */
class SchemaScopedPostgresDialect extends PostgresDialect {
  constructor(private readonly config: ConstructorParameters<typeof PostgresDialect>[0]) {
    super(config);
  }

  override createDriver(): Driver {
    return new PipelinedBeginDriver(this.config);
  }

  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return {
      getSchemas: async () =>
        (await sql<{ name: string }>`select current_schema() as name`.execute(db)).rows.map((r) => ({
          name: r.name,
        })),
      getTables: async () =>
        (
          await sql<{ name: string; schema: string; kind: string }>`
            select table_name as name, table_schema as schema, table_type as kind
            from information_schema.tables where table_schema = current_schema()`.execute(db)
        ).rows.map((r) => ({ name: r.name, schema: r.schema, isView: r.kind === 'VIEW', columns: [] })),
      getMetadata: async () => ({ tables: [] }),
    };
  }
}

export async function migrateStore(store: Store): Promise<string[]> {
  if (store.dialect === 'sqlite') await sql`pragma foreign_keys = ON`.execute(store.db);
  // Kysely looks for its migration tables by name in every schema; on a PostgreSQL database
  // shared with other schemas (other apps, parallel test schemas) it must be told which is ours.
  const schema =
    store.dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db: store.db,
    provider: migrationProvider(store.dialect),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
