import { CompiledQuery, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compiledStatement, plainPatchShape } from '../../src/store/compiled.js';
import { DIALECTS, openTestStore, type TestStore } from '../support/databases.js';

/**
 * Hot statements are built and compiled once per dialect and shape, then run with new values
 * (store/compiled.ts): each run must bind its own values, and a new shape must compile anew.
 */
for (const dialect of DIALECTS) {
  describe(`compiled statements (${dialect})`, () => {
    let t: TestStore;
    beforeEach(async () => {
      t = await openTestStore(dialect);
      await sql`create table cs_kv (key text primary key, a integer, b text)`.execute(t.store.db);
    });
    afterEach(async () => {
      await t.cleanup();
    });

    it('binds each run its own values, and compiles once per shape', async () => {
      let builds = 0;
      const db = t.store.db as never as import('kysely').Kysely<{
        cs_kv: { key: string; a: number | null; b: string | null };
      }>;
      const insert = compiledStatement(
        (_db, v: Record<string, unknown>, columns: readonly string[]) => {
          builds++;
          return db
            .insertInto('cs_kv')
            .values(Object.fromEntries(columns.map((c) => [c, v[c]])) as { key: string })
            .returningAll();
        },
        { shapeKey: (columns) => columns.join(',') },
      );
      const run = (row: Record<string, unknown>) =>
        t.store.write((trx) => insert(trx, row, Object.keys(row)));
      expect((await run({ key: 'x', a: 1 })).rows).toEqual([{ key: 'x', a: 1, b: null }]);
      expect((await run({ key: "y'; drop table cs_kv; --", a: 2 })).rows).toEqual([
        { key: "y'; drop table cs_kv; --", a: 2, b: null },
      ]);
      expect(builds).toBe(1);
      expect((await run({ key: 'z', b: 'text' })).rows).toEqual([{ key: 'z', a: null, b: 'text' }]);
      expect(builds).toBe(2);
      const count = await sql<{ n: number }>`select count(*) as n from cs_kv`.execute(t.store.db);
      expect(Number(count.rows[0]!.n)).toBe(3);
    });

    it('tells a patch of plain values from one with an expression', () => {
      expect(plainPatchShape({ b: 1, a: null })).toBe('a,b');
      expect(plainPatchShape({ a: sql`a + 1` })).toBeUndefined();
    });
  });
}

describe('prepared statements on PostgreSQL', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore('postgres', { pgPoolSize: 1 });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('heal after a migration changes what a prepared statement returns', async () => {
    await sql`create table ps_t (id integer primary key)`.execute(t.store.db);
    await sql`insert into ps_t (id) values (1)`.execute(t.store.db);
    // A pool of one connection: every run below reuses the statement prepared on it.
    const read = () =>
      t.store.db.executeQuery<{ id: number; extra?: string }>(
        CompiledQuery.raw('select * from ps_t where id = $1', [1]),
      );
    for (let i = 0; i < 3; i++) expect((await read()).rows).toEqual([{ id: 1 }]);
    await sql`alter table ps_t add column extra text not null default 'x'`.execute(t.store.db);
    // The connection's prepared plan no longer matches: at most one run may fail, then it heals.
    const first = await read().then(
      (result) => result.rows,
      (error: Error) => error.message,
    );
    expect([[{ id: 1, extra: 'x' }], 'cached plan must not change result type']).toContainEqual(first);
    expect((await read()).rows).toEqual([{ id: 1, extra: 'x' }]);
  });
});
