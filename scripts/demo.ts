/**
 * `npm run demo`: provisio end to end on this machine, nothing to configure. It starts the five
 * emulators and provisio itself (API, web UI, engine) on a fresh SQLite database, registers a
 * server and a group per backend and a product per product type (both Axigen types), places an
 * order per product and runs each service's lifecycle (create, suspend, unsuspend, terminate)
 * with progress bars, prints a summary table and the URLs to look at, and keeps running until
 * Ctrl-C (SIGINT), which stops everything cleanly.
 *
 *   npm run demo                 # stays up: browse the UI and the API docs
 *   npm run demo -- --once       # exits after the summary (what the test runs)
 *   npm run demo -- --port 8080  # API and UI on this port (default: a free one)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { closeAxigenSessionPools } from '../src/modules/axigen/index.js';
import {
  MODULE_IDS,
  type ModuleId,
  PRODUCT_KEYS,
  PRODUCTS,
  serverInputs,
  startEmulators,
} from '../test/chaos/world.js';

const { values } = parseArgs({
  options: { once: { type: 'boolean', default: false }, port: { type: 'string', default: '0' } },
});

const LIFECYCLE = ['create', 'suspend', 'unsuspend', 'terminate'] as const;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'provisio-demo-'));
  const emulators = await startEmulators(1);
  const app = await startApp(
    loadConfig({
      env: {},
      overrides: {
        host: '127.0.0.1',
        port: Number(values.port),
        sqlitePath: join(dir, 'provisio.db'),
        keyFile: join(dir, 'secret.key'),
        logLevel: 'warn',
        bootstrapToken: true,
      },
    }),
  );
  const { engine } = app;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await app.close();
    await closeAxigenSessionPools();
    await Promise.all(Object.values(emulators).map((emulator) => emulator.close()));
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  };
  process.once('SIGINT', () => {
    process.stdout.write('\nstopping (Ctrl-C)…\n');
    void stop(0);
  });

  const servers = serverInputs(emulators);
  const groups = {} as Record<ModuleId, number>;
  for (const id of MODULE_IDS) {
    const server = await engine.servers.create(servers[id]);
    groups[id] = (
      await engine.serverGroups.create({ name: id, fillType: 'least-full', serverIds: [server.id] })
    ).id;
  }
  console.log(`registered ${MODULE_IDS.length} servers and groups, ${PRODUCT_KEYS.length} products`);

  const services: {
    key: string;
    id: number;
    createId: number;
    started: number;
    ended?: number;
    ops: number;
  }[] = [];
  for (const [index, key] of PRODUCT_KEYS.entries()) {
    const product = PRODUCTS[key] as {
      module: ModuleId;
      productType?: string;
      settings: Record<string, unknown>;
    };
    const created = await engine.products.create({
      name: key,
      module: product.module,
      ...(product.productType ? { productType: product.productType } : {}),
      serverGroupId: groups[product.module],
      settings: product.settings,
    });
    const fields =
      key === 'axigen-account'
        ? { username: `demo${index}` }
        : key.startsWith('storegrid')
          ? { username: `demo${index}` }
          : product.module === 'calagopus'
            ? {}
            : { domain: `demo${index}.test` };
    const order = await engine.orders.accept({
      orderId: `demo-${index + 1}`,
      client: {
        email: `customer${index + 1}@example.net`,
        firstName: 'Demo',
        lastName: `Customer ${index + 1}`,
      },
      services: [{ productId: created.id, ...fields }],
    });
    const [ordered] = order.services;
    services.push({
      key,
      id: ordered!.service.id,
      createId: ordered!.enqueued.operation.id,
      started: Date.now(),
      ops: 0,
    });
  }
  console.log(`placed ${services.length} orders, one per product\n`);

  const bars = new cliProgress.MultiBar(
    {
      format: ' {name} [{bar}] {value}/{total} {action}',
      hideCursor: true,
      clearOnComplete: false,
      noTTYOutput: true,
      notTTYSchedule: 2_000,
    },
    cliProgress.Presets.shades_classic,
  );
  await Promise.all(
    services.map(async (service) => {
      const bar = bars.create(LIFECYCLE.length, 0, { name: service.key.padEnd(20), action: 'create' });
      for (const [step, action] of LIFECYCLE.entries()) {
        bar.update(step, { action });
        // The order queued the create; every later step is queued here once the last has ended.
        const operationId =
          action === 'create'
            ? service.createId
            : (await engine.operations.enqueue({ serviceId: service.id, action })).operation.id;
        const done = await engine.operations.waitFor(operationId, { timeoutMs: 120_000 });
        service.ops++;
        if (done.status !== 'succeeded') {
          bar.update(step, { action: `${action} ${done.status}: ${done.errorMessage ?? ''}`.slice(0, 60) });
          break;
        }
        bar.update(step + 1, { action: step + 1 === LIFECYCLE.length ? 'done' : LIFECYCLE[step + 1] });
      }
      service.ended = Date.now();
    }),
  );
  bars.stop();

  const rows = await Promise.all(
    services.map(async (s) => {
      const record = await engine.services.get(s.id);
      return {
        product: s.key,
        service: s.id,
        status: record.status,
        operations: s.ops,
        seconds: ((s.ended! - s.started) / 1000).toFixed(1),
      };
    }),
  );
  console.log('\nsummary');
  console.table(rows);
  console.log(`\nAPI docs:  ${app.url}/docs`);
  console.log(`web UI:    ${app.url}/`);
  if (app.bootstrapToken) console.log(`admin token (for the UI and the API): ${app.bootstrapToken}`);
  for (const id of MODULE_IDS) console.log(`emulator ${id.padEnd(16)} ${emulators[id].url}`);
  const allTerminated = rows.every((row) => row.status === 'terminated');
  if (values.once) return stop(allTerminated ? 0 : 1);
  console.log('\nprovisio is running: press Ctrl-C to stop.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
