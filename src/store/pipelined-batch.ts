import {
  type CompiledQuery,
  Kysely,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
} from 'kysely';
import pg from 'pg';
import type { Db } from './database.js';
import type { ConcurrentTransactionRunner } from './group-commit.js';
import type { PostgresCheckout } from './postgres-pool.js';
import type { Database } from './schema.js';

/**
 * A batch of one-statement writes run at once in one transaction on one pipelined connection:
 * BEGIN and every statement leave without waiting for each other's answers, so the batch costs
 * two round trips (its statements, then COMMIT) instead of one per statement plus BEGIN and
 * COMMIT. Round trips, and the context switches each costs on both ends, were most of an
 * operation's cost on PostgreSQL; the statements themselves take a fraction of a millisecond.
 *
 * Each body gets a Kysely over that one connection without Kysely's transaction, which runs one
 * query at a time; the server still runs the statements one after the other, in the order they
 * were sent, inside the one transaction. Bodies of one batch are independent writes that arrived
 * together, so no order between them was promised. When any body fails, the transaction is
 * rolled back whole and the caller (group commit) runs the batch again, each write alone.
 */
export function pipelinedTransaction(pool: PostgresCheckout): ConcurrentTransactionRunner {
  const dbs = new WeakMap<pg.PoolClient, Db>();
  return async (bodies) => {
    const client = await pool.connect();
    let healthy = true;
    try {
      const begun = client.query('begin');
      // Awaited after the bodies; a failure meanwhile (a dead connection) is not unhandled.
      begun.catch(() => undefined);
      const settled = await Promise.allSettled(bodies.map((body) => body(dbOver(dbs, client))));
      const failed = settled.find((outcome) => outcome.status === 'rejected');
      try {
        await begun;
        await client.query(failed ? 'rollback' : 'commit');
      } catch (error) {
        // A server's refusal leaves the connection usable; anything else (a reset, a timeout) does not.
        healthy = error instanceof pg.DatabaseError;
        throw error;
      }
      if (failed) throw failed.reason;
      return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value);
    } finally {
      client.release(!healthy);
    }
  };
}

/** A Kysely whose every query goes to `client` at once (node-postgres pipelines them). */
function dbOver(dbs: WeakMap<pg.PoolClient, Db>, client: pg.PoolClient): Db {
  let db = dbs.get(client);
  if (!db) {
    // The client's own `query` is read at each call: the store wraps it to name statements.
    const borrowed: PostgresPoolClient = {
      query: ((...args: Parameters<pg.PoolClient['query']>) =>
        client.query(...args)) as PostgresPoolClient['query'],
      release() {},
    };
    const pool: PostgresPool = { connect: async () => borrowed, end: async () => {} };
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    dbs.set(client, db);
  }
  return db;
}

/** Runs compiled statements in one transaction in one round trip (see transactionInOneTrip). */
export type OneTripTransaction = (statements: readonly CompiledQuery[]) => Promise<pg.QueryResult[]>;

/**
 * BEGIN, the statements and COMMIT leave together and their answers come back together: one round
 * trip for the whole transaction. node-postgres ends each pipelined query with its own Sync, so a
 * statement that fails does not make the server skip what follows: the transaction is aborted,
 * the later statements are refused, and COMMIT answers ROLLBACK; the first failure is thrown.
 * The server still runs the statements one after the other, each with a snapshot taken when it
 * starts, so a statement sees what the one before it waited for (the claim's advisory lock).
 * Statements whose values depend on an earlier one's answer cannot travel this way.
 */
export function transactionInOneTrip(pool: PostgresCheckout): OneTripTransaction {
  return async (statements) => {
    const client = await pool.connect();
    let healthy = true;
    try {
      const sent = [
        client.query('begin'),
        ...statements.map((statement) => client.query(statement.sql, [...statement.parameters])),
        client.query('commit'),
      ];
      const settled = await Promise.allSettled(sent);
      const failed = settled.find((outcome) => outcome.status === 'rejected');
      if (failed) {
        healthy = failed.reason instanceof pg.DatabaseError;
        throw failed.reason;
      }
      const answers = settled.map((outcome) => (outcome as PromiseFulfilledResult<pg.QueryResult>).value);
      if (answers.at(-1)?.command !== 'COMMIT') throw new Error('the transaction was rolled back');
      return answers.slice(1, -1);
    } finally {
      client.release(!healthy);
    }
  };
}
