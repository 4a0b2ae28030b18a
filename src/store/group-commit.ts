import { sql } from 'kysely';
import type { Db } from './database.js';

/** Runs `body` in one transaction on one connection: commits when it resolves, rolls back when it throws. */
export type TransactionRunner = <T>(body: (conn: Db) => Promise<T>) => Promise<T>;

/**
 * Runs one-statement bodies at once in one transaction on one connection, so their statements
 * travel together (PostgreSQL's pipelining); resolves with their values in order, or rolls back
 * and rejects when any of them failed.
 */
export type ConcurrentTransactionRunner = (bodies: ((conn: Db) => Promise<unknown>)[]) => Promise<unknown[]>;

export interface GroupCommitOptions {
  /** Transactions in flight at once (SQLite: 1, it has one writer). */
  lanes: number;
  /** Most writes that share one commit. */
  maxBatch: number;
}

interface QueuedWrite {
  body: (trx: Db) => Promise<unknown>;
  /** The body issues one statement: alone, it runs without BEGIN and COMMIT (see writeStatement). */
  single: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: writes asked for while every lane is busy wait, then run together in the lane's
 * next transaction. A commit is the expensive part of a small write (an fsync and two round trips
 * on PostgreSQL, 300 µs of WAL work on SQLite against 10–50 µs per statement), so under load N
 * writes pay one commit instead of N. No caller hears of success before the commit, so durability
 * is what it was with a transaction each. An idle store runs a write at once, alone: batching never
 * adds latency.
 *
 * A batch runs optimistically, its writes one after the other with nothing between them, each
 * seeing the earlier ones' changes exactly as if the store's lock had serialised them. Writes
 * almost never fail, and a savepoint around each would cost two more statements per write (two
 * round trips on PostgreSQL, where they were a tenth of an operation's). When one does fail, the
 * transaction is rolled back whole and the batch runs again, each write now inside its own
 * savepoint: the failing one is rolled back alone and its caller gets the error; the others commit.
 * So a write's body may run twice, and must leave nothing behind from a run that did not commit
 * (see Store.write).
 */
export function groupCommit(
  transaction: TransactionRunner,
  autocommit: TransactionRunner,
  options: GroupCommitOptions,
  concurrent?: ConcurrentTransactionRunner,
) {
  const queue: QueuedWrite[] = [];
  let busy = 0;

  const pump = (): void => {
    while (busy < options.lanes && queue.length > 0) {
      const batch = queue.splice(0, options.maxBatch);
      busy++;
      void runBatch(batch).finally(() => {
        busy--;
        pump();
      });
    }
  };

  async function runBatch(batch: QueuedWrite[]): Promise<void> {
    if (batch.length === 1) {
      const [write] = batch as [QueuedWrite];
      try {
        write.resolve(await (write.single ? autocommit : transaction)(write.body));
      } catch (error) {
        write.reject(error);
      }
      return;
    }
    let values: unknown[] = [];
    try {
      if (concurrent && batch.every((write) => write.single))
        values = await concurrent(batch.map((write) => write.body));
      else
        await transaction(async (conn) => {
          for (const write of batch) values.push(await write.body(conn));
        });
    } catch {
      return runIsolated(batch);
    }
    for (const [i, write] of batch.entries()) write.resolve(values[i]);
  }

  /** The batch again, each write in its own savepoint, so each succeeds or fails alone. */
  async function runIsolated(batch: QueuedWrite[]): Promise<void> {
    const outcomes: Outcome[] = [];
    try {
      await transaction(async (conn) => {
        for (const write of batch) outcomes.push(await inSavepoint(conn, write.body));
      });
    } catch (error) {
      for (const write of batch) write.reject(error);
      return;
    }
    batch.forEach((write, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.error);
    });
  }

  const enqueue = <T>(body: (trx: Db) => Promise<T>, single: boolean) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ body, single, resolve: resolve as (value: unknown) => void, reject });
      pump();
    });

  return {
    write: <T>(body: (trx: Db) => Promise<T>): Promise<T> => enqueue(body, false),
    /**
     * A write of exactly one statement: when it runs alone it is sent as it is, a transaction of
     * its own to the database (one round trip on PostgreSQL instead of three); under load it
     * shares a batch's commit like any write.
     */
    writeStatement: <T>(body: (db: Db) => Promise<T>): Promise<T> => enqueue(body, true),
  };
}

async function inSavepoint(conn: Db, body: (trx: Db) => Promise<unknown>): Promise<Outcome> {
  await sql`savepoint provisio_write`.execute(conn);
  try {
    const value = await body(conn);
    await sql`release savepoint provisio_write`.execute(conn);
    return { ok: true, value };
  } catch (error) {
    await sql`rollback to savepoint provisio_write`.execute(conn);
    await sql`release savepoint provisio_write`.execute(conn);
    return { ok: false, error };
  }
}
