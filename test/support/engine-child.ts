/**
 * An engine in its own process, for the crash test: the parent kills it with SIGKILL and starts
 * another on the same database. Configuration comes from the environment:
 *   CHILD_SQLITE_PATH or CHILD_DATABASE_URL + CHILD_PG_SCHEMA, CHILD_SECRET_KEY (hex),
 *   CHILD_LEASE_MS, CHILD_CONCURRENCY.
 */
import pino from 'pino';
import { SecretBox } from '../../src/core/secret-box.js';
import { createEngine } from '../../src/engine/engine.js';
import { openStore } from '../../src/store/database.js';
import { createFixtureModule } from './fixture-module.js';

const env = process.env;
const store = openStore({
  ...(env.CHILD_DATABASE_URL
    ? { databaseUrl: env.CHILD_DATABASE_URL, pgSchema: env.CHILD_PG_SCHEMA }
    : { sqlitePath: env.CHILD_SQLITE_PATH! }),
});
const engine = createEngine({
  store,
  secretBox: new SecretBox(Buffer.from(env.CHILD_SECRET_KEY!, 'hex')),
  modules: [createFixtureModule()],
  logger: pino({ level: 'silent' }),
  maxAttempts: 20,
  runner: {
    concurrency: Number(env.CHILD_CONCURRENCY ?? 8),
    leaseMs: Number(env.CHILD_LEASE_MS ?? 1_000),
    pollMs: 20,
    operationTimeoutMs: 10_000,
    retry: { baseMs: 20, capMs: 200 },
  },
});
engine.start();
process.stdout.write('ready\n');
// The parent holds our stdin: when it goes (a test that failed before killing us, a run stopped
// with Ctrl-C), so do we, instead of running on and claiming work in a dead test's database.
process.stdin.on('end', () => process.exit(1));
process.stdin.resume();
process.on('SIGTERM', () => {
  void engine
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0));
});
