/**
 * `npm run bench -- dcimanager6 [--services N] [--install-minutes M] [--concurrency C]`
 *
 * N activations through the real engine against the emulator, each ending in an OS install of M
 * virtual minutes, on C workers. The engine and the emulator share a ManualClock: the bench moves
 * it on only when every unfinished operation is parked (no run in flight), so no lease expires.
 *
 * If a waiting install held its worker, C workers could finish at most C activations per M
 * minutes: N activations would need N / C * M virtual minutes. The figure to read is the virtual
 * time actually used, and the largest number of operations parked at once while at most C ran.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { ManualClock } from '../src/core/clock.js';
import { SecretBox } from '../src/core/secret-box.js';
import { startDci6Emulator } from '../src/emulators/dcimanager6/index.js';
import { createEngine } from '../src/engine/engine.js';
import { dcimanager6Module } from '../src/modules/dcimanager6/index.js';
import { migrateStore, openStore } from '../src/store/database.js';
import { closeHttpAgents } from '../src/transport/http-client.js';
import { registerEmulatorBackend } from '../test/support/backend.js';

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? Number(args[at + 1]) : fallback;
}

export async function run(args: string[]): Promise<void> {
  const count = option(args, 'services', 200);
  const installMinutes = option(args, 'install-minutes', 10);
  const concurrency = option(args, 'concurrency', 4);
  const clock = new ManualClock();
  const emulator = await startDci6Emulator({ now: () => clock.now(), fixtures: true });
  emulator.setDuration('os_install', installMinutes * 60_000);
  for (let i = 0; i < count; i++) emulator.state.addServer({ configuration: 'BENCH-1', location_id: 1 });

  const dir = mkdtempSync(join(tmpdir(), 'provisio-bench-dcimanager6-'));
  const store = openStore({ sqlitePath: join(dir, 'bench.db') });
  await migrateStore(store);
  const engine = createEngine({
    store,
    secretBox: new SecretBox(randomBytes(32)),
    modules: [dcimanager6Module],
    logger: pino({ level: 'silent' }),
    clock,
    runner: { concurrency, pollMs: 5, leaseMs: 60_000 },
  });
  engine.start();
  const backend = await registerEmulatorBackend(engine, {
    module: 'dcimanager6',
    name: 'bench',
    ports: [emulator.port],
    server: { username: 'admin@example.com', secret: 'secret' },
    product: {
      settings: {
        configuration: 'BENCH-1',
        osTemplate: 'Ubuntu 22.04',
        ipv4Pool: '1',
        osInstallTimeoutMinutes: installMinutes * 3,
      },
    },
  });
  const services = [];
  for (let i = 0; i < count; i++) {
    const client = await engine.clients.create({ email: `bench${i}@example.net`, emailVerified: true });
    services.push(await engine.services.create({ clientId: client.id, productId: backend.productId }));
  }

  const virtualStart = clock.now();
  const started = performance.now();
  const ids = [];
  for (const service of services)
    ids.push((await engine.operations.enqueue({ serviceId: service.id, action: 'create' })).operation.id);
  let maxWaiting = 0;
  let maxRunning = 0;
  for (;;) {
    const open = await engine.operations.list({
      status: ['queued', 'running', 'waiting'],
      limit: count + 10,
    });
    if (open.length === 0) break;
    const running = open.filter((op) => op.status === 'running').length;
    const waiting = open.filter((op) => op.status === 'waiting').length;
    maxRunning = Math.max(maxRunning, running);
    maxWaiting = Math.max(maxWaiting, waiting);
    const due = open.filter((op) => op.status !== 'waiting' && op.runAt <= clock.now()).length;
    if (due === 0 && running === 0) {
      const next = Math.min(...open.map((op) => op.runAt));
      clock.advance(Math.max(1, next - clock.now()));
    }
    await sleep(5);
  }
  const wallMs = performance.now() - started;
  const virtualMinutes = (clock.now() - virtualStart) / 60_000;
  const finished = await Promise.all(ids.map((id) => engine.operations.get(id)));
  const failed = finished.filter((op) => op.status !== 'succeeded').length;
  const holdingBound = (count / concurrency) * installMinutes;

  console.log(
    `dcimanager6: ${count} activations, ${installMinutes}-minute OS installs (virtual), ${concurrency} workers`,
  );
  console.log(`  wall time          : ${(wallMs / 1000).toFixed(1)} s, ${failed} failed`);
  console.log(`  virtual time used  : ${virtualMinutes.toFixed(1)} min`);
  console.log(
    `  if waits held a worker: at least ${holdingBound.toFixed(0)} virtual min (${count} / ${concurrency} workers x ${installMinutes} min)`,
  );
  console.log(
    `  throughput         : ${(count / virtualMinutes).toFixed(1)} activations per virtual minute vs ${(concurrency / installMinutes).toFixed(1)} bound (x${(holdingBound / virtualMinutes).toFixed(1)})`,
  );
  console.log(
    `  largest parked set : ${maxWaiting} operations waiting at once while at most ${maxRunning} ran`,
  );

  await engine.stop();
  await store.close();
  await emulator.close();
  await closeHttpAgents();
  rmSync(dir, { recursive: true, force: true });
}
