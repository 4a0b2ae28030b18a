import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';

/**
 * SQLite's WAL checkpoints on a thread of their own. By default the connection that commits past
 * 1,000 WAL pages copies them into the database file and fsyncs it, inside that commit: on the
 * engine's one thread, which then runs nothing else. In the engine bench that was several
 * milliseconds every few hundred operations. Here a worker thread with its own connection runs
 * `wal_checkpoint(PASSIVE)` — which never blocks the writer — every `everyCommits` commits, so the
 * copy and its fsync happen beside the engine, on the other core.
 *
 * The writer's own automatic checkpoint stays on as a backstop, at a higher mark: if the worker
 * falls behind, the WAL still stops growing; if the worker cannot run at all, the default comes
 * back. Durability is unchanged: a checkpoint only moves committed pages from the WAL, which is
 * synced on its own schedule (synchronous = NORMAL), into the database file.
 */
export interface Checkpointer {
  /** A transaction committed on the writer's connection. */
  committed(): void;
  close(): Promise<void>;
}

/** What SQLite does by default (pages); restored when the worker is gone. */
const DEFAULT_AUTOCHECKPOINT = 1_000;
/** The writer's backstop while the worker checkpoints. */
const BACKSTOP_AUTOCHECKPOINT = 4_000;

// The worker is plain JavaScript, evaluated, so it runs the same from the sources (tests, tsx)
// and from the build. It coalesces requests that arrive while it is checkpointing.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
let asked = false;
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  if (asked) return;
  asked = true;
  setImmediate(() => {
    asked = false;
    db.pragma('wal_checkpoint(PASSIVE)');
  });
});
`;

export function sqliteCheckpointer(
  writer: SqliteDatabase.Database,
  path: string,
  options: { everyCommits?: number } = {},
): Checkpointer {
  const everyCommits = options.everyCommits ?? 32;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  let worker: Worker | null = null;
  let failed = false;
  let closed = false;
  let commits = 0;

  const fallBack = () => {
    failed = true;
    worker = null;
    if (!closed && writer.open) writer.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
  };

  // Started at the first checkpoint it is asked for: most stores of a test run never get there.
  const start = (): Worker => {
    writer.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT}`);
    const started = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path } });
    // An idle checkpointer must not keep the process alive.
    started.unref();
    started.on('error', fallBack);
    started.on('exit', () => {
      if (!closed) fallBack();
    });
    return started;
  };

  return {
    committed() {
      if (failed || closed || ++commits < everyCommits) return;
      commits = 0;
      worker ??= start();
      worker.postMessage('checkpoint');
    },
    async close() {
      closed = true;
      const running = worker;
      worker = null;
      if (!running) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      // Held until it has closed its connection: the writer's close must come last (it is the
      // one that folds the WAL into the database file).
      running.ref();
      running.postMessage('close');
      await exited;
    },
  };
}
