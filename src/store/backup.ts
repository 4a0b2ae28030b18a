import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { fail } from '../core/error-catalogue.js';
import { type Db, MIGRATION_NAMES } from './database.js';
import type { Database } from './schema.js';

/**
 * Backup and restore of the SQLite database.
 *
 * The backup uses SQLite's online backup API (better-sqlite3 `db.backup`) on a connection of its
 * own, so it runs while `serve` writes. The API restarts a copy when another connection writes
 * between two steps; asking for every page in one step makes the copy a single read transaction
 * instead: a consistent snapshot, never restarted, however busy the engine is (WAL mode lets the
 * engine go on writing meanwhile). The file is written beside the target and renamed when
 * complete, so a backup that fails half-way never looks like a good one.
 */
export interface BackupInfo {
  path: string;
  bytes: number;
  pages: number;
  /** Applied migrations: the schema version of the backup. */
  migrations: string[];
}

const ALL_PAGES = 0x7fffffff;

export async function backupSqlite(sourcePath: string, outPath: string): Promise<BackupInfo> {
  if (existsSync(outPath)) throw fail('backup.file_exists', `${outPath} exists already: nothing was written`);
  if (!existsSync(sourcePath))
    throw fail('backup.invalid', `there is no database at ${sourcePath} to back up`);
  const partial = `${outPath}.partial`;
  rmSync(partial, { force: true });
  const source = new SqliteDatabase(sourcePath, { fileMustExist: true });
  source.pragma('busy_timeout = 5000');
  let pages = 0;
  try {
    const progress = await source.backup(partial, { progress: () => ALL_PAGES });
    pages = progress.totalPages;
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
  // A backup is one self-contained file: out of WAL mode (the engine sets it again on restore).
  const copy = new SqliteDatabase(partial);
  copy.pragma('journal_mode = DELETE');
  copy.close();
  // It holds sealed secrets, token hashes and client data: readable by its owner only.
  chmodSync(partial, 0o600);
  const info = inspectBackup(partial);
  renameSync(partial, outPath);
  return { ...info, path: outPath, pages, bytes: statSync(outPath).size };
}

/**
 * Checks that a file is a whole provisio SQLite database this version can run: the integrity
 * check passes and its migrations are ones this version knows. Opens it read-only.
 */
export function inspectBackup(path: string): Omit<BackupInfo, 'pages'> {
  if (!existsSync(path)) throw fail('backup.invalid', `there is no file ${path}`);
  let sqlite: SqliteDatabase.Database;
  try {
    sqlite = new SqliteDatabase(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw fail('backup.invalid', `${path} cannot be opened as SQLite: ${(error as Error).message}`);
  }
  try {
    let integrity: unknown;
    let migrations: string[];
    try {
      integrity = sqlite.pragma('integrity_check', { simple: true });
      migrations = (
        sqlite.prepare('select name from kysely_migration order by name').all() as { name: string }[]
      ).map((row) => row.name);
    } catch (error) {
      throw fail('backup.invalid', `${path} is not a provisio database: ${(error as Error).message}`);
    }
    if (integrity !== 'ok')
      throw fail('backup.invalid', `${path} fails SQLite's integrity check: ${integrity}`);
    const unknown = migrations.filter((name) => !MIGRATION_NAMES.includes(name));
    if (unknown.length)
      throw fail(
        'backup.invalid',
        `${path} was written by a newer provisio (schema ${unknown.join(', ')}): restore it with that version`,
      );
    return { path, bytes: statSync(path).size, migrations };
  } finally {
    sqlite.close();
  }
}

/** A read-only Kysely view of a database file (a backup being checked), without touching it. */
export function openReadOnly(path: string): { db: Db; close(): Promise<void> } {
  const sqlite = new SqliteDatabase(path, { readonly: true, fileMustExist: true });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, close: () => db.destroy() };
}

/**
 * Puts a checked backup in place of the database at `targetPath`: copied beside it, then renamed
 * over it, with the target's stale WAL and shared-memory files removed (they belong to the old
 * database). The engine must not be running on the target.
 */
export function installBackup(backupPath: string, targetPath: string, options: { force: boolean }): void {
  if (existsSync(targetPath) && !options.force)
    throw fail(
      'restore.target_exists',
      `a database exists at ${targetPath}: stop the engine and pass --force to replace it (nothing was changed)`,
    );
  mkdirSync(dirname(targetPath), { recursive: true });
  const partial = `${targetPath}.restoring`;
  copyFileSync(backupPath, partial);
  chmodSync(partial, 0o600);
  for (const suffix of ['-wal', '-shm']) rmSync(`${targetPath}${suffix}`, { force: true });
  renameSync(partial, targetPath);
}
