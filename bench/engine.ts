/**
 * `npm run bench -- engine [--operations N] [--dialect sqlite|postgres]`
 *
 * Pushes N create operations (default 10,000) through the engine with an in-memory fixture module
 * — so the figure is the engine's own cost: enqueue transaction, lease claim, remote-id save,
 * completion transaction with its event — and measures, in the same run and on the same database,
 * the rate of bare single-row write transactions. The ratio says how many bare transactions one
 * operation costs. Benchmarks report; they never fail.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { SecretBox } from '../src/core/secret-box.js';
import { createEngine } from '../src/engine/engine.js';
import { defineModule } from '../src/modules/contract.js';
import type { Dialect, Store } from '../src/store/database.js';
import { insertService } from '../src/store/repositories/services.js';
import { openTestStore } from '../test/support/databases.js';

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
}

/** A backend that is a Map: creates are idempotent by name, as the contract asks. */
function inMemoryModule(remote: Map<string, string>) {
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
    lookup: async (ctx) =>
      remote.has(`b-${ctx.service.id}`)
        ? { status: 'active', owner: 'ours', object: `b-${ctx.service.id}` }
        : null,
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

async function benchDialect(dialect: Dialect, operations: number): Promise<void> {
  const testStore = await openTestStore(dialect, { pgPoolSize: 24 });
  const { store } = testStore;
  try {
    const box = new SecretBox(randomBytes(32));
    const remote = new Map<string, string>();
    let finished = 0;
    const engine = createEngine({
      observer: { operationFinished: () => void finished++ },
      store,
      secretBox: box,
      modules: [inMemoryModule(remote)],
      logger: pino({ level: 'silent' }),
      eventTriggers: false,
      runner: { concurrency: dialect === 'sqlite' ? 8 : 16, pollMs: 5, leaseMs: 30_000 },
    });
    const client = await engine.clients.create({ email: 'bench@example.com' });
    const server = await engine.servers.create({
      name: 'mem',
      module: 'bench',
      hostname: 'localhost',
      port: 1,
    });
    const group = await engine.serverGroups.create({
      name: 'g',
      fillType: 'least-full',
      serverIds: [server.id],
    });
    const product = await engine.products.create({ name: 'p', module: 'bench', serverGroupId: group.id });
    const serviceIds = await store.write(async (trx) => {
      const ids: number[] = [];
      for (let i = 0; i < operations; i++) {
        ids.push(
          (
            await insertService(
              trx,
              box,
              { clientId: client.id, productId: product.id, serverId: server.id },
              Date.now(),
            )
          ).id,
        );
      }
      return ids;
    });
    if (dialect === 'postgres') await sql`analyze`.execute(store.db);

    const bare = await bareWriteRate(store, 2_000);

    engine.start();
    const started = performance.now();
    // Callers enqueue concurrently, as API requests do.
    let next = 0;
    const enqueuer = async () => {
      while (next < serviceIds.length)
        await engine.operations.enqueue({ serviceId: serviceIds[next++]!, action: 'create' });
    };
    await Promise.all(Array.from({ length: 16 }, enqueuer));
    const enqueued = performance.now();
    while (finished < operations) await new Promise((resolve) => setTimeout(resolve, 5));
    const seconds = (performance.now() - started) / 1000;
    await engine.stop();
    const rate = operations / seconds;
    const failed = await store.db
      .selectFrom('operations')
      .select('id')
      .where('status', '!=', 'succeeded')
      .execute();
    console.log(
      [
        `${dialect.padEnd(8)} ${operations} operations in ${seconds.toFixed(2)} s: ${rate.toFixed(0)} ops/s`,
        `(enqueue phase ${((enqueued - started) / 1000).toFixed(2)} s, ${failed.length} not succeeded, ${remote.size} remote objects)`,
        `| bare single-row write transactions: ${bare.toFixed(0)}/s`,
        `| ratio ops/bare = ${(rate / bare).toFixed(3)} (one operation costs ${(bare / rate).toFixed(1)} bare transactions)`,
      ].join(' '),
    );
  } finally {
    await testStore.cleanup();
  }
}

export async function run(args: string[]): Promise<void> {
  const operations = Number(option(args, 'operations') ?? 10_000);
  const only = option(args, 'dialect') as Dialect | undefined;
  console.log(
    `engine bench: ${operations} create operations through an in-memory module, node ${process.version}`,
  );
  for (const dialect of ['sqlite', 'postgres'] as const) {
    if (!only || only === dialect) await benchDialect(dialect, operations);
  }
}
