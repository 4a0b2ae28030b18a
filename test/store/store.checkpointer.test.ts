import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateStore, openStore, type Store } from '../../src/store/database.js';
import { sqliteCheckpointer } from '../../src/store/sqlite-checkpointer.js';
import { waitUntil } from '../support/wait-until.js';

/**
 * SQLite's WAL checkpoints run on a worker thread (sqlite-checkpointer.ts), not inside the
 * engine's commits. What shows it from outside: committed pages reach the database file itself
 * (not only the WAL) while the WAL is far below the writer's own automatic checkpoint.
 */
describe('SQLite checkpoints beside the writer', () => {
  const dirs: string[] = [];
  const tempPath = () => {
    const dir = mkdtempSync(join(tmpdir(), 'provisio-checkpoint-'));
    dirs.push(dir);
    return join(dir, 'provisio.db');
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const writeRows = async (store: Store, from: number, count: number) => {
    for (let i = from; i < from + count; i++)
      await store.write((trx) =>
        sql`insert into cp_kv (key, value) values (${i}, ${'x'.repeat(2_000)})`.execute(trx),
      );
  };

  it('moves committed pages into the database file while the writer goes on, and closes cleanly', async () => {
    const path = tempPath();
    const store = openStore({ sqlitePath: path });
    await migrateStore(store);
    await sql`create table cp_kv (key integer primary key, value text not null)`.execute(store.db);
    const sizeBefore = statSync(path).size;
    // 200 commits of one row of 2 kB: about 400 WAL pages, under half of SQLite's own 1,000-page
    // mark, so only the worker can have copied them into the file.
    await writeRows(store, 0, 200);
    await waitUntil(
      () => statSync(path).size >= sizeBefore + 200 * 2_000,
      10_000,
      'rows in the database file',
    );
    await store.close();

    const reader = new SqliteDatabase(path, { readonly: true, fileMustExist: true });
    try {
      expect(reader.prepare('select count(*) as n from cp_kv').get()).toEqual({ n: 200 });
      expect(reader.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      reader.close();
    }
  });

  it('gives the writer back its own checkpoints when the worker cannot open the database', async () => {
    const path = tempPath();
    const writer = new SqliteDatabase(path);
    writer.pragma('journal_mode = WAL');
    // A path the worker cannot open: it fails at start.
    const checkpointer = sqliteCheckpointer(writer, `${path}.gone`, { everyCommits: 1 });
    try {
      checkpointer.committed();
      expect(writer.pragma('wal_autocheckpoint', { simple: true })).toBe(4_000);
      await waitUntil(
        () => writer.pragma('wal_autocheckpoint', { simple: true }) === 1_000,
        10_000,
        'the default automatic checkpoint back',
      );
      // Asked again, it does not start another worker: the writer checkpoints as SQLite does.
      checkpointer.committed();
      expect(writer.pragma('wal_autocheckpoint', { simple: true })).toBe(1_000);
    } finally {
      await checkpointer.close();
      writer.close();
    }
  });
});
