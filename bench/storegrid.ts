/**
 * `npm run bench -- storegrid [--services N] [--latency MS] [--concurrency C]`
 *
 * Signs up N customers through the real engine against the emulator and compares with the same
 * N signups made directly with the protocol client (the baseline: what the wire alone costs).
 * The ratio is the engine's overhead per create (queue, journal, lookup-first, module log).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Redactor } from '../src/core/redaction.js';
import { SecretBox } from '../src/core/secret-box.js';
import { startStoreGridEmulator } from '../src/emulators/storegrid/index.js';
import { createEngine } from '../src/engine/engine.js';
import { StoreGridClient } from '../src/modules/storegrid/client.js';
import { storegridModule } from '../src/modules/storegrid/index.js';
import { migrateStore, openStore } from '../src/store/database.js';
import { closeHttpAgents } from '../src/transport/http-client.js';
import { createMemoryModuleLog } from '../src/transport/module-log.js';

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? Number(args[at + 1]) : fallback;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function run(args: string[]): Promise<void> {
  const count = option(args, 'services', 200);
  const latencyMs = option(args, 'latency', 0);
  const concurrency = option(args, 'concurrency', 8);
  const emulator = await startStoreGridEmulator({ latencyMs });
  const server = {
    host: '127.0.0.1',
    port: emulator.port,
    secure: false,
    username: emulator.credentials.username,
    secret: emulator.credentials.password,
    tls: { verify: true },
  };

  const direct = new StoreGridClient({ server, moduleLog: createMemoryModuleLog(new Redactor()) });
  const baselineStart = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await direct.getAccount('customer', `base${i}`);
        await direct.signup({
          type: 'customer',
          name: `base${i}`,
          email: 'bench@example.com',
          company: '',
          resellerName: 'demo-reseller',
          activate: true,
          autoAuthorization: false,
          storageAllottedBytes: 1024,
          storageLocation: '',
          consolidatedReportEmails: null,
          mcal: 'auto',
          throttling: { mode: 'global' },
          sendMail: false,
          notes: 'bench',
        });
      }
    }),
  );
  const baselineMs = performance.now() - baselineStart;

  const dir = mkdtempSync(join(tmpdir(), 'provisio-bench-storegrid-'));
  const store = openStore({ sqlitePath: join(dir, 'bench.db') });
  await migrateStore(store);
  const engine = createEngine({
    store,
    secretBox: new SecretBox(randomBytes(32)),
    modules: [storegridModule],
    logger: pino({ level: 'silent' }),
    runner: { concurrency, pollMs: 5 },
  });
  engine.start();
  const backend = await engine.servers.create({
    name: 'bench',
    module: 'storegrid',
    hostname: server.host,
    port: server.port,
    secure: false,
    username: server.username,
    secret: server.secret,
  });
  const group = await engine.serverGroups.create({
    name: 'bench',
    fillType: 'least-full',
    serverIds: [backend.id],
  });
  const product = await engine.products.create({
    name: 'bench',
    module: 'storegrid',
    serverGroupId: group.id,
    settings: { action: 'customer', resellerName: 'demo-reseller', storageAllottedBytes: 1024 },
  });
  const client = await engine.clients.create({ email: 'bench@example.com' });
  const services = [];
  for (let i = 0; i < count; i++)
    services.push(await engine.services.create({ clientId: client.id, productId: product.id }));

  const started = performance.now();
  const operations = await Promise.all(
    services.map((s) => engine.operations.enqueue({ serviceId: s.id, action: 'create' })),
  );
  const finished = await Promise.all(
    operations.map(({ operation }) => engine.operations.waitFor(operation.id, { timeoutMs: 600_000 })),
  );
  const engineMs = performance.now() - started;
  const durations = finished.map((op) => (op.finishedAt ?? 0) - (op.startedAt ?? 0)).sort((a, b) => a - b);
  const failed = finished.filter((op) => op.status !== 'succeeded').length;

  console.log(
    `storegrid: ${count} customer signups, concurrency ${concurrency}, emulator latency ${latencyMs} ms`,
  );
  console.log(
    `  direct client : ${(count / (baselineMs / 1000)).toFixed(1)} signups/s (${baselineMs.toFixed(0)} ms)`,
  );
  console.log(
    `  through engine: ${(count / (engineMs / 1000)).toFixed(1)} creates/s (${engineMs.toFixed(0)} ms), ${failed} failed`,
  );
  console.log(`  per create    : p50 ${percentile(durations, 50)} ms, p95 ${percentile(durations, 95)} ms`);
  console.log(`  engine / direct time ratio: ${(engineMs / baselineMs).toFixed(2)}`);

  await engine.stop();
  await store.close();
  await emulator.close();
  await closeHttpAgents();
  rmSync(dir, { recursive: true, force: true });
}
