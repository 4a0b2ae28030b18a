/**
 * `npm run bench -- engine [--operations N] [--dialect sqlite|postgres] [--history N]
 *   [--latency-ops N] [--skip peer,history,latency] [--cpu-profile DIR]`
 *
 * Everything in one run, on one machine, side by side:
 * - throughput: N create operations (default 10,000) through the engine with an in-memory module
 *   — so the figure is the engine's own cost: enqueue transaction, lease claim, remote-id save,
 *   completion with its event, event delivery — on SQLite and on PostgreSQL, each next to the
 *   rate of bare single-row write transactions on the same database; their ratio says how many
 *   bare transactions one operation costs;
 * - the peer: graphile-worker on the same PostgreSQL database (its own schema), the same shape of
 *   work — 16 concurrent single-job adds, concurrency 16, the task writes one row — and the ratio
 *   provisio / graphile-worker;
 * - history: the rate again with `--history` finished operations (default 1,000,000) already in the
 *   table: claims must not slow down with it;
 * - latency: 10 operations a second enqueued by an API node (an engine that runs nothing), run by
 *   two worker nodes with the default 200 ms poll: p50/p99 from the enqueue to the module's first
 *   call, which the wake-up (NOTIFY on PostgreSQL, in-process on SQLite) keeps far below the poll.
 *
 * Each throughput row also says what one operation cost the machine's CPU (all its cores, every
 * process: the database's backends too) and this process's share of it, over the timed window. On
 * a shared machine whose speed moves between runs, rates move with it; CPU per operation moves
 * less, and says which engine does the work more cheaply.
 *
 * `--cpu-profile DIR` writes a V8 CPU profile of each provisio throughput run's timed window (not
 * the seeding) to DIR, for Chrome DevTools or speedscope.
 *
 * Benchmarks report; they never fail.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { run as runGraphileWorker } from 'graphile-worker';
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { SecretBox } from '../src/core/secret-box.js';
import { createEngine, type Engine, type EngineOptions } from '../src/engine/engine.js';
import { defineModule } from '../src/modules/contract.js';
import { type Dialect, openStore, type Store } from '../src/store/database.js';
import { insertService } from '../src/store/repositories/services.js';
import { openTestStore, TEST_DATABASE_URL, type TestStore } from '../test/support/databases.js';

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
}

/** A backend that is a Map: creates are idempotent by name, as the contract asks. */
function inMemoryModule(remote: Map<string, string>, firstCall?: (serviceId: number) => void) {
  return defineModule({
    id: 'bench',
    displayName: 'Bench',
    server: { credential: 'none', defaultPort: { plain: 1, secure: 2 } },
    settings: { fields: [] },
    testConnection: async () => ({ summary: 'in memory' }),
    async create(ctx) {
      const name = `b-${ctx.service.id}`;
      await ctx.remote.set('name', name);
      if (!remote.has(name)) remote.set(name, 'active');
    },
    // The engine's ownership look is the module's first call of a run.
    lookup: async (ctx) => {
      firstCall?.(ctx.service.id);
      return remote.has(`b-${ctx.service.id}`)
        ? { status: 'active', owner: 'ours', object: `b-${ctx.service.id}` }
        : null;
    },
  });
}

async function bareWriteRate(store: Store, count: number): Promise<number> {
  await sql`create table if not exists bench_kv (key text primary key, value text not null)`.execute(
    store.db,
  );
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    await store.write((trx) =>
      sql`insert into bench_kv (key, value) values (${`bench-${i % 100}`}, ${String(i)})
          on conflict (key) do update set value = excluded.value`.execute(trx),
    );
  }
  return count / ((performance.now() - started) / 1000);
}

const box = new SecretBox(randomBytes(32));
const silent = pino({ level: 'silent' });

function benchEngine(store: Store, modules: EngineOptions['modules'], extra: Partial<EngineOptions> = {}) {
  return createEngine({
    store,
    secretBox: box,
    modules,
    logger: silent,
    eventTriggers: false,
    ...extra,
  });
}

/** One client, server, group and product; `count` pending services on the server. */
async function seed(engine: Engine, store: Store, count: number): Promise<number[]> {
  const client = await engine.clients.create({ email: 'bench@example.com' });
  const server = await engine.servers.create({
    name: 'mem',
    module: 'bench',
    hostname: 'localhost',
    port: 1,
    maxConcurrency: 64,
  });
  const group = await engine.serverGroups.create({
    name: 'g',
    fillType: 'least-full',
    serverIds: [server.id],
  });
  const product = await engine.products.create({ name: 'p', module: 'bench', serverGroupId: group.id });
  return store.write(async (trx) => {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const service = await insertService(
        trx,
        box,
        { clientId: client.id, productId: product.id, serverId: server.id },
        Date.now(),
      );
      ids.push(service.id);
    }
    return ids;
  });
}

/** `count` finished operations of an old service, written by the database itself. */
async function addHistory(store: Store, serviceId: number, count: number): Promise<void> {
  const columns = sql`(service_id, server_id, module, action, args, status, attempts, max_attempts, run_at,
    journal, created_at, updated_at, started_at, finished_at)`;
  const values = (n: unknown) =>
    sql`${serviceId}, null, 'bench', 'create', '{}', 'succeeded', 1, 5, ${n}, '{}', ${n}, ${n}, ${n}, ${n}`;
  if (store.dialect === 'postgres') {
    await sql`insert into operations ${columns} select ${values(sql`n`)} from generate_series(1, ${count}) as n`.execute(
      store.db,
    );
    await sql`analyze operations`.execute(store.db);
  } else {
    await sql`with recursive seq(n) as (select 1 union all select n + 1 from seq where n < ${count})
      insert into operations ${columns} select ${values(sql`n`)} from seq`.execute(store.db);
    await sql`analyze`.execute(store.db);
  }
}

interface Throughput {
  rate: number;
  bare: number;
  notSucceeded: number;
  seconds: number;
  cpu: CpuUse;
}

/** CPU time spent while a window was open: the whole machine's, and this process's. */
interface CpuUse {
  machineMs: number;
  processMs: number;
  /** Of the machine's cores, the share that was busy. */
  busy: number;
}

function busyAndTotalMs(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const used = times.user + times.nice + times.sys + times.irq;
    busy += used;
    total += used + times.idle;
  }
  return { busy, total };
}

/** Opens a CPU window; the function it returns closes it. */
function cpuWindow(): () => CpuUse {
  const machine = busyAndTotalMs();
  const process0 = process.cpuUsage();
  return () => {
    const after = busyAndTotalMs();
    const own = process.cpuUsage(process0);
    const machineMs = after.busy - machine.busy;
    return {
      machineMs,
      processMs: (own.user + own.system) / 1000,
      busy: machineMs / Math.max(1, after.total - machine.total),
    };
  };
}

/** Profiles what `body` does (this process's main thread) into `<dir>/<name>.cpuprofile`. */
async function profiled<T>(dir: string | undefined, name: string, body: () => Promise<T>): Promise<T> {
  if (!dir) return body();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await body();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

async function provisioThroughput(
  dialect: Dialect,
  operations: number,
  history = 0,
  profileDir?: string,
): Promise<Throughput> {
  const testStore = await openTestStore(dialect, { pgPoolSize: 24 });
  const { store } = testStore;
  try {
    const remote = new Map<string, string>();
    let finished = 0;
    const engine = benchEngine(store, [inMemoryModule(remote)], {
      observer: { operationFinished: () => void finished++ },
      runner: { concurrency: 16, pollMs: 5, leaseMs: 30_000 },
    });
    const serviceIds = await seed(engine, store, operations + 1);
    if (history > 0) await addHistory(store, serviceIds.pop()!, history);
    else serviceIds.pop();
    // Statistics for what was seeded, as autovacuum takes them after that many inserts; the queue's
    // tables are left unanalyzed, as on a new install. Analyzed while empty, they would make
    // PostgreSQL plan the hot statements (prepared, their plans cached) for tables of a few rows
    // until autovacuum analyzes again: 532 against 633 ops/s in alternating runs (2026-12-02).
    if (dialect === 'postgres') await sql`analyze services, clients, products, servers`.execute(store.db);
    const bare = await bareWriteRate(store, 2_000);

    let closeCpu = cpuWindow();
    let cpu = closeCpu();
    const seconds = await profiled(
      profileDir,
      `provisio-${dialect}${history ? '-history' : ''}`,
      async () => {
        engine.start();
        const started = performance.now();
        closeCpu = cpuWindow();
        // Callers enqueue concurrently, as API requests do.
        let next = 0;
        const enqueuer = async () => {
          while (next < serviceIds.length)
            await engine.operations.enqueue({ serviceId: serviceIds[next++]!, action: 'create' });
        };
        await Promise.all(Array.from({ length: 16 }, enqueuer));
        while (finished < operations) await new Promise((resolve) => setTimeout(resolve, 5));
        cpu = closeCpu();
        return (performance.now() - started) / 1000;
      },
    );
    await engine.stop();
    const notSucceeded = await store.db
      .selectFrom('operations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '!=', 'succeeded')
      .executeTakeFirstOrThrow();
    return { rate: operations / seconds, bare, notSucceeded: Number(notSucceeded.n), seconds, cpu };
  } finally {
    await testStore.cleanup();
  }
}

/** graphile-worker on the same database, in a schema of its own, with the same shape of work. */
async function graphileThroughput(jobs: number): Promise<Throughput> {
  const schema = `gw_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}_data`);
  await admin.query(`create table ${schema}_data.done (id integer primary key)`);
  await admin.query(`create table ${schema}_data.bench_kv (key text primary key, value text not null)`);
  const bareStore = openStore({ databaseUrl: TEST_DATABASE_URL, pgSchema: `${schema}_data` });
  let finished = 0;
  let allDone = () => {};
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const { Logger } = await import('graphile-worker');
  const runner = await runGraphileWorker({
    connectionString: TEST_DATABASE_URL,
    schema,
    concurrency: 16,
    maxPoolSize: 24,
    noHandleSignals: true,
    pollInterval: 200,
    logger: new Logger(() => () => {}),
    taskList: {
      write: async (payload, helpers) => {
        const { i } = payload as { i: number };
        await helpers.withPgClient((client) =>
          client.query(`insert into ${schema}_data.done (id) values ($1)`, [i]),
        );
        if (++finished === jobs) allDone();
      },
    },
  });
  try {
    const bare = await bareWriteRate(bareStore, 2_000);
    const started = performance.now();
    const closeCpu = cpuWindow();
    let next = 0;
    const adder = async () => {
      while (next < jobs) await runner.addJob('write', { i: next++ });
    };
    await Promise.all(Array.from({ length: 16 }, adder));
    await done;
    // A job is finished when its completion is committed (graphile-worker batches those), as an
    // operation is when its completion transaction is: wait until the queue table is empty.
    while (Number((await admin.query(`select count(*) as n from ${schema}._private_jobs`)).rows[0].n) > 0)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const cpu = closeCpu();
    const seconds = (performance.now() - started) / 1000;
    return { rate: jobs / seconds, bare, notSucceeded: jobs - finished, seconds, cpu };
  } finally {
    await runner.stop();
    await bareStore.close();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.query(`drop schema if exists ${schema}_data cascade`);
    await admin.end();
  }
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

/** 10 operations a second from an API node, two worker nodes with the default poll. */
async function provisioLatency(dialect: Dialect, count: number): Promise<Latency> {
  const testStore: TestStore = await openTestStore(dialect, { pgPoolSize: 8 });
  // PostgreSQL: every node has its own pool, as separate processes would. SQLite: one store per
  // process is the deployment model, so the nodes share it (and its in-process wake-up).
  const stores =
    dialect === 'postgres'
      ? [0, 1].map(() =>
          openStore({ databaseUrl: TEST_DATABASE_URL, pgSchema: testStore.location, pgPoolSize: 8 }),
        )
      : [testStore.store, testStore.store];
  const enqueuedAt = new Map<number, number>();
  const delays: number[] = [];
  const firstCall = (serviceId: number) => {
    const at = enqueuedAt.get(serviceId);
    if (at === undefined) return;
    enqueuedAt.delete(serviceId);
    delays.push(performance.now() - at);
  };
  const remote = new Map<string, string>();
  const api = benchEngine(testStore.store, [inMemoryModule(remote)]);
  const workers = stores.map((store) => benchEngine(store, [inMemoryModule(remote, firstCall)]));
  try {
    const serviceIds = await seed(api, testStore.store, count);
    for (const worker of workers) worker.start();
    // Let the workers' first claim and LISTEN settle: what is measured is an idle node waking.
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const serviceId of serviceIds) {
      const tick = new Promise((resolve) => setTimeout(resolve, 100));
      enqueuedAt.set(serviceId, performance.now());
      await api.operations.enqueue({ serviceId, action: 'create' });
      await tick;
    }
    const deadline = performance.now() + 10_000;
    while (delays.length < count && performance.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    for (const worker of workers) await worker.stop();
    if (dialect === 'postgres') for (const store of stores) await store.close();
    await testStore.cleanup();
  }
  const sorted = [...delays].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  return { p50: at(50), p99: at(99), max: sorted[sorted.length - 1] ?? NaN, count: sorted.length };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function row(name: string, t: Throughput, operations: number): string {
  const perOperation = (ms: number) => fmt(ms / operations, 2);
  return `| ${name} | ${fmt(t.rate)} ops/s | ${fmt(t.bare)} | ${fmt(t.bare / t.rate, 1)} | ${perOperation(t.cpu.machineMs)} ms (${fmt(100 * t.cpu.busy)} % busy) | ${perOperation(t.cpu.processMs)} ms | ${t.notSucceeded} |`;
}

export async function run(args: string[]): Promise<void> {
  const operations = Number(option(args, 'operations') ?? 10_000);
  const history = Number(option(args, 'history') ?? 1_000_000);
  const latencyOps = Number(option(args, 'latency-ops') ?? 100);
  const only = option(args, 'dialect') as Dialect | undefined;
  const skip = new Set((option(args, 'skip') ?? '').split(',').filter(Boolean));
  const profileDir = option(args, 'cpu-profile');
  const dialects = (['sqlite', 'postgres'] as const).filter((d) => !only || only === d);
  console.log(
    `engine bench: ${fmt(operations)} create operations through an in-memory module, node ${process.version}`,
  );
  const rows: string[] = [];
  const results = new Map<string, Throughput>();
  const report = (name: string, t: Throughput) => {
    results.set(name, t);
    rows.push(row(name, t, operations));
    console.log(`${rows[rows.length - 1]} (${t.seconds.toFixed(1)} s)`);
  };
  for (const dialect of dialects)
    report(`provisio on ${dialect}`, await provisioThroughput(dialect, operations, 0, profileDir));
  if (dialects.includes('postgres') && !skip.has('peer'))
    report('graphile-worker 0.17 on the same PostgreSQL', await graphileThroughput(operations));
  if (!skip.has('history'))
    for (const dialect of dialects)
      report(
        `provisio on ${dialect}, ${fmt(history)} finished operations in the table`,
        await provisioThroughput(dialect, operations, history, profileDir),
      );

  console.log(
    '\n| engine | rate | bare single-row write tx/s, same database | bare tx per operation | machine CPU per operation | of it in this process | not succeeded |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const line of rows) console.log(line);
  const ours = results.get('provisio on postgres');
  const peer = results.get('graphile-worker 0.17 on the same PostgreSQL');
  if (ours && peer)
    console.log(
      `\nprovisio / graphile-worker on PostgreSQL: ${(ours.rate / peer.rate).toFixed(2)}× the rate, ${(peer.cpu.machineMs / ours.cpu.machineMs).toFixed(2)}× less machine CPU per operation`,
    );
  for (const dialect of dialects) {
    const fresh = results.get(`provisio on ${dialect}`);
    const old = results.get(`provisio on ${dialect}, ${fmt(history)} finished operations in the table`);
    if (fresh && old)
      console.log(
        `${dialect}: rate with ${fmt(history)} finished operations / empty table: ${(old.rate / fresh.rate).toFixed(2)}`,
      );
  }

  if (!skip.has('latency')) {
    console.log(
      `\nlatency, enqueue → module's first call, 10 ops/s, an API node and 2 worker nodes, 200 ms poll:`,
    );
    for (const dialect of dialects) {
      const l = await provisioLatency(dialect, latencyOps);
      console.log(
        `| ${dialect} | p50 ${l.p50.toFixed(1)} ms | p99 ${l.p99.toFixed(1)} ms | max ${l.max.toFixed(1)} ms | ${l.count} operations |`,
      );
    }
  }
}
