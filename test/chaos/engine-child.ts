/**
 * An engine with the five real modules in its own process, for the kill tests: the parent
 * SIGKILLs it and starts another on the same database. Configuration from the environment:
 *   CHILD_SQLITE_PATH or CHILD_DATABASE_URL + CHILD_PG_SCHEMA, CHILD_SECRET_KEY (hex),
 *   CHILD_LEASE_MS, CHILD_CONCURRENCY, CHILD_NODE (a name for the lease owner, for the logs).
 * It prints `ready` once its runner has started.
 */
import pino from 'pino';
import { SecretBox } from '../../src/core/secret-box.js';
import { createEngine } from '../../src/engine/engine.js';
import { BUILTIN_MODULES } from '../../src/modules/registry.js';
import { openStore } from '../../src/store/database.js';

const env = process.env;
const store = openStore({
  ...(env.CHILD_DATABASE_URL
    ? { databaseUrl: env.CHILD_DATABASE_URL, pgSchema: env.CHILD_PG_SCHEMA }
    : { sqlitePath: env.CHILD_SQLITE_PATH! }),
});
const engine = createEngine({
  store,
  secretBox: new SecretBox(Buffer.from(env.CHILD_SECRET_KEY!, 'hex')),
  modules: [...BUILTIN_MODULES],
  logger: pino({ level: env.CHILD_LOG_LEVEL ?? 'silent' }, pino.destination(2)),
  maxAttempts: Number(env.CHILD_MAX_ATTEMPTS ?? 12),
  eventTriggers: false,
  runner: {
    concurrency: Number(env.CHILD_CONCURRENCY ?? 8),
    leaseMs: Number(env.CHILD_LEASE_MS ?? 1_000),
    pollMs: 20,
    operationTimeoutMs: Number(env.CHILD_OPERATION_TIMEOUT_MS ?? 30_000),
    retry: { baseMs: 20, capMs: 300 },
  },
});
engine.start();
// The runner's timers do not hold the process open (a real `serve` has its HTTP server): an idle
// engine must stay up for the next operation the parent enqueues.
const keepAlive = setInterval(() => {}, 60_000);
process.stdout.write(`ready ${engine.runner.owner}\n`);
// The parent holds our stdin: when it goes (a test that failed before killing us, a run stopped
// with Ctrl-C), so do we, instead of running on and claiming work in a dead test's database.
process.stdin.on('end', () => process.exit(1));
process.stdin.resume();
process.on('SIGTERM', () => {
  void engine
    .stop()
    .then(() => store.close())
    .then(() => clearInterval(keepAlive))
    .then(() => process.exit(0));
});
