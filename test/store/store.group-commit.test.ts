import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestStore, type TestStore } from '../support/databases.js';

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
