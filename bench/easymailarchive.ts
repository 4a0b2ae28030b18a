/**
 * `npm run bench -- easymailarchive [--tenants N] [--creates N] [--latency MS] [--concurrency C]`
 *
 * 1. Usage sync of N tenants spread over two servers (two emulators, services written straight
 *    into the store), against the baseline of the same two paginated list passes made directly
 *    with the protocol client: the ratio is what the engine adds (service query, one write
 *    transaction per server).
 * 2. Creates per second through the engine (lookup GET + POST per tenant, journal, module log).
 *
 * The emulator pages by 15 whatever `per_page` asks (a plain Laravel paginator, spec §3.2), so a
 * pass over N tenants is N/15 requests per server.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Redactor } from '../src/core/redaction.js';
import { SecretBox } from '../src/core/secret-box.js';
import {
  type EasyMailArchiveEmulator,
  startEasyMailArchiveEmulator,
} from '../src/emulators/easymailarchive/index.js';
import { createEngine } from '../src/engine/engine.js';
import { ownershipMark } from '../src/modules/contract.js';
import { EasyMailArchiveClient } from '../src/modules/easymailarchive/client.js';
import { easymailarchiveModule } from '../src/modules/easymailarchive/index.js';
import { migrateStore, openStore } from '../src/store/database.js';
import { insertService, updateService } from '../src/store/repositories/services.js';
import { closeHttpAgents, createHttpClient } from '../src/transport/http-client.js';
import { createMemoryModuleLog } from '../src/transport/module-log.js';
import { addArchiveServers } from '../test/modules/easymailarchive.support.js';

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? Number(args[at + 1]) : fallback;
}

function directClient(emulator: EasyMailArchiveEmulator): EasyMailArchiveClient {
  const http = createHttpClient({
    baseUrl: emulator.url,
    headers: { authorization: `Bearer ${emulator.apiKey}` },
    moduleLog: createMemoryModuleLog(new Redactor([emulator.apiKey])),
  });
  return new EasyMailArchiveClient(http, 'bench emulator');
}

export async function run(args: string[]): Promise<void> {
  const tenants = option(args, 'tenants', 5_000);
  const creates = option(args, 'creates', 300);
  const latencyMs = option(args, 'latency', 0);
  const concurrency = option(args, 'concurrency', 8);
  const perServer = Math.ceil(tenants / 2);

  const emulators = [
    await startEasyMailArchiveEmulator({ fixtures: false, latencyMs }),
    await startEasyMailArchiveEmulator({ fixtures: false, latencyMs }),
  ];
  for (const [s, emulator] of emulators.entries()) emulator.seedTenants(perServer, { prefix: `s${s}-t-` });

  // One warm-up pass (connections, JIT), then the measured one.
  await Promise.all(emulators.map((emulator) => directClient(emulator).listAllTenants()));
  const baselineStart = performance.now();
  await Promise.all(emulators.map((emulator) => directClient(emulator).listAllTenants()));
  const baselineMs = performance.now() - baselineStart;
  for (const emulator of emulators) emulator.clearRequests();

  const dir = mkdtempSync(join(tmpdir(), 'provisio-bench-ema-'));
  const store = openStore({ sqlitePath: join(dir, 'bench.db') });
  await migrateStore(store);
  const engine = createEngine({
    store,
    secretBox: new SecretBox(randomBytes(32)),
    modules: [easymailarchiveModule],
    logger: pino({ level: 'silent' }),
    runner: { concurrency, pollMs: 5 },
  });
  engine.start();
  const { serverIds, productId } = await addArchiveServers(engine, emulators, 'bench');
  const client = await engine.clients.create({ email: 'bench@example.com', company: 'Bench' });
  const now = Date.now();
  await store.write(async (trx) => {
    for (let s = 0; s < 2; s++) {
      for (let i = 1; i <= perServer; i++) {
        const service = await insertService(
          trx,
          engine.deps.box,
          { clientId: client.id, productId, serverId: serverIds[s]! },
          now,
        );
        await updateService(
          trx,
          engine.deps.box,
          service.id,
          // Provisioned by this module: the service holds its claim on the tenant.
          {
            status: 'active',
            remoteIds: { slug: `s${s}-t-${i}`, claim: ownershipMark(service.id), claimState: 'confirmed' },
          },
          now,
        );
      }
    }
  });

  const syncStart = performance.now();
  const results = await engine.usage.sync();
  const syncMs = performance.now() - syncStart;
  const updated = results.reduce((sum, r) => sum + r.updated, 0);
  const listCalls = emulators.map((e) => e.requests({ method: 'GET', path: '/api/reseller/tenants' }).length);

  const services = [];
  for (let i = 0; i < creates; i++) {
    services.push(
      await engine.services.create({
        clientId: client.id,
        productId,
        domain: `bench-create-${i}.example`,
      }),
    );
  }
  const createStart = performance.now();
  const enqueued = await Promise.all(
    services.map((s) => engine.operations.enqueue({ serviceId: s.id, action: 'create' })),
  );
  const finished = await Promise.all(
    enqueued.map(({ operation }) => engine.operations.waitFor(operation.id, { timeoutMs: 600_000 })),
  );
  const createMs = performance.now() - createStart;
  const failed = finished.filter((op) => op.status !== 'succeeded').length;

  console.log(`easymailarchive: ${tenants} tenants over 2 servers, emulator latency ${latencyMs} ms`);
  console.log(`  direct list passes : ${baselineMs.toFixed(0)} ms`);
  console.log(
    `  engine usage sync  : ${syncMs.toFixed(0)} ms, ${updated} services written, list requests ${listCalls.join(' + ')}`,
  );
  console.log(`  sync / direct ratio: ${(syncMs / baselineMs).toFixed(2)}`);
  console.log(
    `  creates            : ${creates} at concurrency ${concurrency}: ${(creates / (createMs / 1000)).toFixed(1)} creates/s, ${failed} failed`,
  );

  await engine.stop();
  await store.close();
  await Promise.all(emulators.map((e) => e.close()));
  await closeHttpAgents();
  rmSync(dir, { recursive: true, force: true });
}
