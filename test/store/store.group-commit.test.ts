import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestStore, TEST_DATABASE_URL, type TestStore } from '../support/databases.js';
import { waitUntil } from '../support/wait-until.js';

/**
 * store.write shares one commit between writes that arrive while the store is busy (group
 * commit). Each must still succeed or fail alone, see the earlier ones' changes, and be durable
 * when its caller hears of it.
 */
for (const dialect of DIALECTS) {
  describe(`group commit (${dialect})`, () => {
    let t: TestStore;
    beforeEach(async () => {
      t = await openTestStore(dialect);
      await sql`create table gc_kv (key text primary key, value integer not null)`.execute(t.store.db);
    });
    afterEach(async () => {
      await t.cleanup();
    });

    const rows = async () =>
      (
        await sql<{ key: string; value: number }>`select key, value from gc_kv order by key`.execute(
          t.store.db,
        )
      ).rows.map((r) => `${r.key}=${Number(r.value)}`);

    it('a write that throws is rolled back alone; the others of its batch commit', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) =>
          t.store.write(async (trx) => {
            await sql`insert into gc_kv (key, value) values (${`k${String(i).padStart(2, '0')}`}, ${i})`.execute(
              trx,
            );
            if (i % 3 === 0) throw new Error(`refused ${i}`);
            return i;
          }),
        ),
      );
      results.forEach((result, i) => {
        if (i % 3 === 0) expect(result).toEqual({ status: 'rejected', reason: new Error(`refused ${i}`) });
        else expect(result).toEqual({ status: 'fulfilled', value: i });
      });
      const expected = Array.from({ length: 40 }, (_, i) => i)
        .filter((i) => i % 3 !== 0)
        .map((i) => `k${String(i).padStart(2, '0')}=${i}`);
      expect(await rows()).toEqual(expected);
    });

    it('a failing statement does not spoil the batch, and later writes see earlier ones', async () => {
      await t.store.write((trx) => sql`insert into gc_kv (key, value) values ('n', 0)`.execute(trx));
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          t.store.write(async (trx) => {
            // Every fifth write breaks the primary key: a database error, not a thrown one.
            if (i % 5 === 4) await sql`insert into gc_kv (key, value) values ('n', 1)`.execute(trx);
            const row = await sql<{
              value: number;
            }>`update gc_kv set value = value + 1 where key = 'n' returning value`.execute(trx);
            const next = Number(row.rows[0]!.value);
            return next;
          }),
        ),
      );
      const values = results
        .filter((r) => r.status === 'fulfilled')
        .map((r) => r.value)
        .sort((a, b) => a - b);
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(6);
      // No increment lost, none counted twice: the 24 that committed saw 1..24.
      expect(values).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
      expect(await rows()).toEqual(['n=24']);
    });

    it('one-statement writes commit alone when idle and share a batch when busy, each failing alone', async () => {
      // Alone: no transaction around it, and it is durable when it resolves.
      await t.store.writeStatement((db) =>
        sql`insert into gc_kv (key, value) values ('alone', 1)`.execute(db),
      );
      expect(await rows()).toEqual(['alone=1']);
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          i % 4 === 3
            ? t.store.writeStatement((db) =>
                sql`insert into gc_kv (key, value) values ('alone', 2)`.execute(db),
              )
            : i % 2
              ? t.store.writeStatement((db) =>
                  sql`insert into gc_kv (key, value) values (${`s${String(i).padStart(2, '0')}`}, ${i})`.execute(
                    db,
                  ),
                )
              : t.store.write((trx) =>
                  sql`insert into gc_kv (key, value) values (${`w${String(i).padStart(2, '0')}`}, ${i})`.execute(
                    trx,
                  ),
                ),
        ),
      );
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(5);
      const keys = (await rows()).map((row) => row.split('=')[0] ?? '');
      expect(keys).toHaveLength(16);
      expect(keys).toContain('alone');
      expect(keys.filter((key) => key.startsWith('s'))).toHaveLength(5);
      expect(keys.filter((key) => key.startsWith('w'))).toHaveLength(10);
    });

    it('a batch of one-statement writes only: a refused statement and a body that throws each fail alone', async () => {
      await t.store.writeStatement((db) =>
        sql`insert into gc_kv (key, value) values ('taken', 0)`.execute(db),
      );
      const results = await Promise.allSettled(
        Array.from({ length: 24 }, (_, i) =>
          t.store.writeStatement(async (db) => {
            const key = i % 4 === 3 ? 'taken' : `s${String(i).padStart(2, '0')}`;
            await sql`insert into gc_kv (key, value) values (${key}, ${i})`.execute(db);
            if (i % 7 === 5) throw new Error(`refused ${i}`);
            return i;
          }),
        ),
      );
      const refused = (i: number) => i % 4 === 3 || i % 7 === 5;
      results.forEach((result, i) => {
        if (i % 7 === 5 && i % 4 !== 3)
          expect(result).toEqual({ status: 'rejected', reason: new Error(`refused ${i}`) });
        else if (refused(i)) expect(result.status).toBe('rejected');
        else expect(result).toEqual({ status: 'fulfilled', value: i });
      });
      const expected = Array.from({ length: 24 }, (_, i) => i)
        .filter((i) => !refused(i))
        .map((i) => `s${String(i).padStart(2, '0')}=${i}`);
      expect(await rows()).toEqual([...expected, 'taken=0']);
    });

    it('an idle store writes at once, and a resolved write is visible to the next reader', async () => {
      for (let i = 0; i < 5; i++) {
        await t.store.write((trx) =>
          sql`insert into gc_kv (key, value) values (${`s${i}`}, ${i})`.execute(trx),
        );
        expect((await rows()).length).toBe(i + 1);
      }
    });
  });
}

describe('group commit on PostgreSQL: pipelined batches', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore('postgres');
    await sql`create table gc_kv (key text primary key, value integer not null)`.execute(t.store.db);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('one-statement writes that wait for a busy store share a transaction, their statements in flight together', async () => {
    // Each body notes when it sent its statement and when the answer came, on one counter.
    let tick = 0;
    const writes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.store.writeStatement(async (db) => {
          const sent = tick++;
          const { rows } = await sql<{ tx: string }>`
            insert into gc_kv (key, value) values (${`k${i}`}, ${i}) returning txid_current()::text as tx`.execute(
            db,
          );
          return { tx: rows[0]!.tx, sent, answered: tick++ };
        }),
      ),
    );
    const byTransaction = new Map<string, typeof writes>();
    for (const write of writes) byTransaction.set(write.tx, [...(byTransaction.get(write.tx) ?? []), write]);
    // More writes than lanes: the ones that waited ran together, in fewer transactions than writes,
    const shared = [...byTransaction.values()].filter((group) => group.length > 1);
    expect(shared.length).toBeGreaterThan(0);
    // and within a shared transaction every statement was sent before the first answer came.
    for (const group of shared) {
      const firstAnswer = Math.min(...group.map((write) => write.answered));
      for (const write of group) expect(write.sent).toBeLessThan(firstAnswer);
    }
    const { rows } = await sql<{ n: string }>`select count(*)::text as n from gc_kv`.execute(t.store.db);
    expect(rows[0]!.n).toBe('40');
  });

  it('writes whose connections die: a caller hears of success exactly when its write committed', async () => {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      // Hold the table so the writes pile up (some alone, the rest in pipelined batches), then
      // kill every store connection that waits on it.
      await admin.query('begin');
      await admin.query(`lock table ${t.location}.gc_kv in exclusive mode`);
      const settled = Promise.allSettled(
        Array.from({ length: 30 }, (_, i) =>
          t.store.writeStatement((db) =>
            sql`insert into gc_kv (key, value) values (${`k${i}`}, ${i})`.execute(db),
          ),
        ),
      );
      const waiting = () => waitingOnGcKv(admin);
      await waitUntil(async () => (await waiting()).length >= 3, 30_000, 'writes waiting on the lock');
      const killed = await waiting();
      for (const pid of killed) await admin.query('select pg_terminate_backend($1)', [pid]);
      await admin.query('commit');
      const results = await settled;
      const { rows } = await sql<{ key: string }>`select key from gc_kv order by key`.execute(t.store.db);
      const succeeded = results.flatMap((result, i) => (result.status === 'fulfilled' ? [`k${i}`] : []));
      expect(rows.map((row) => row.key).sort()).toEqual(succeeded.sort());
      // Only the writes on the killed connections failed, with the server's word; the ones that
      // waited for them got live connections (none that had heard its server's FATAL went back
      // to the pool as idle).
      const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
      expect(failures.length).toBe(killed.length);
      for (const failure of failures) expect((failure as { code?: string }).code).toBe('57P01');
      await t.store.writeStatement((db) =>
        sql`insert into gc_kv (key, value) values ('after', 0)`.execute(db),
      );
    } finally {
      await admin.end();
    }
  });
});

describe('a transaction in one round trip (PostgreSQL)', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore('postgres');
    await sql`create table gc_kv (key text primary key, value integer not null)`.execute(t.store.db);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const inOneTrip = () => {
    const run = t.store.transactionInOneTrip;
    if (!run) throw new Error('the PostgreSQL store has no one-trip transaction');
    return run;
  };
  const keys = async () =>
    (await sql<{ key: string }>`select key from gc_kv order by key`.execute(t.store.db)).rows.map(
      (row) => row.key,
    );

  it('runs its statements in order in one transaction, each seeing the ones before it', async () => {
    const db = t.store.db;
    const answers = await inOneTrip()([
      sql`insert into gc_kv (key, value) values ('a', 1) returning txid_current()::text as tx`.compile(db),
      sql`insert into gc_kv (key, value) select 'b', count(*) from gc_kv returning txid_current()::text as tx`.compile(
        db,
      ),
      sql`select key, value from gc_kv order by key`.compile(db),
    ]);
    expect(answers.map((answer) => answer.command)).toEqual(['INSERT', 'INSERT', 'SELECT']);
    expect(answers[0]!.rows[0].tx).toBe(answers[1]!.rows[0].tx);
    expect(answers[2]!.rows).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 1 },
    ]);
    expect(await keys()).toEqual(['a', 'b']);
  });

  it('a refused statement rolls back the whole transaction and is what the caller hears', async () => {
    const db = t.store.db;
    await sql`insert into gc_kv (key, value) values ('taken', 0)`.execute(db);
    const failed = inOneTrip()([
      sql`insert into gc_kv (key, value) values ('first', 1)`.compile(db),
      sql`insert into gc_kv (key, value) values ('taken', 2)`.compile(db),
      sql`insert into gc_kv (key, value) values ('after', 3)`.compile(db),
    ]);
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    expect(await keys()).toEqual(['taken']);
    // The connection went back usable: the next transactions on the pool commit.
    for (let i = 0; i < 12; i++)
      await inOneTrip()([sql`insert into gc_kv (key, value) values (${`k${i}`}, ${i})`.compile(db)]);
    expect((await keys()).length).toBe(13);
  });

  it('a connection killed mid-transaction: the caller hears the server, nothing is written, the pool goes on', async () => {
    const db = t.store.db;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query('begin');
      await admin.query(`lock table ${t.location}.gc_kv in exclusive mode`);
      const failed = inOneTrip()([
        sql`insert into gc_kv (key, value) values ('before-lock', 0)`.compile(db),
        sql`insert into gc_kv (key, value) values ('x', 1)`.compile(db),
      ]);
      const waiting = () => waitingOnGcKv(admin);
      await waitUntil(
        async () => (await waiting()).length === 1,
        30_000,
        'the transaction waiting on the lock',
      );
      await admin.query('select pg_terminate_backend($1)', [(await waiting())[0]]);
      await admin.query('commit');
      await expect(failed).rejects.toMatchObject({ code: '57P01' });
    } finally {
      await admin.end();
    }
    expect(await keys()).toEqual([]);
    for (let i = 0; i < 12; i++)
      await inOneTrip()([sql`insert into gc_kv (key, value) values (${`k${i}`}, ${i})`.compile(db)]);
    expect((await keys()).length).toBe(12);
  });
});

/** The backends waiting for a lock on gc_kv, as the lock holder `admin` sees them now. */
async function waitingOnGcKv(admin: pg.Client): Promise<number[]> {
  // Inside its transaction the lock holder would see one frozen snapshot of pg_stat_activity.
  await admin.query('select pg_stat_clear_snapshot()');
  const { rows } = await admin.query<{ pid: number }>(
    `select pid from pg_stat_activity where wait_event_type = 'Lock' and pid <> pg_backend_pid()
     and query like '%gc_kv%'`,
  );
  return rows.map((row) => row.pid);
}
