/**
 * `npm run bench -- calagopus [creates] [concurrency]`: N creates (deploy mode, each with its own
 * client, so 5 panel calls each) and N suspends (1 call each) through the real engine against the
 * emulator with 5 ms latency per request. The baseline is the same workload one operation at a
 * time (concurrency 1, 100 services) in the same process; the ratio is concurrent ops/s over it.
 */
import { FIXTURE, startCalagopusEmulator } from '../src/emulators/calagopus/index.js';
import { calagopusModule } from '../src/modules/calagopus/index.js';
import { registerEmulatorBackend } from '../test/support/backend.js';
import { createTestEngine } from '../test/support/engine.js';

const LATENCY_MS = 5;

interface Rates {
  creates: number;
  suspends: number;
}

async function measure(count: number, concurrency: number): Promise<Rates> {
  const emulator = await startCalagopusEmulator({ latencyMs: LATENCY_MS, options: { ratelimit: 'off' } });
  const harness = await createTestEngine({
    modules: [calagopusModule],
    runner: { concurrency, operationTimeoutMs: 120_000 },
  });
  try {
    const { engine } = harness;
    const backend = await registerEmulatorBackend(engine, {
      module: 'calagopus',
      name: 'bench-panel',
      ports: [emulator.port],
      server: { secret: FIXTURE.apiKey, maxConcurrency: concurrency },
      product: {
        name: 'bench game',
        settings: {
          nestUuid: FIXTURE.nestMinecraft,
          eggUuid: FIXTURE.eggPaper,
          locationUuids: FIXTURE.locationEu,
          memory: '1',
          disk: '1',
        },
      },
    });
    const services: number[] = [];
    for (let i = 0; i < count; i++) {
      const client = await engine.clients.create({
        email: `bench${i}@example.com`,
        firstName: 'Bench',
        lastName: `Player${i}`,
      });
      services.push((await engine.services.create({ clientId: client.id, productId: backend.productId })).id);
    }
    const timed = async (action: string): Promise<number> => {
      const started = performance.now();
      const results = await Promise.all(services.map((id) => engine.run(id, action, { timeoutMs: 600_000 })));
      const failed = results.filter((op) => op.status !== 'succeeded');
      if (failed.length)
        throw new Error(`${failed.length} ${action} operations failed: ${failed[0]?.errorMessage}`);
      return count / ((performance.now() - started) / 1000);
    };
    return { creates: await timed('create'), suspends: await timed('suspend') };
  } finally {
    await harness.close();
    await emulator.close();
  }
}

export async function run(args: string[]): Promise<void> {
  const count = Number(args[0] ?? 1000);
  const concurrency = Number(args[1] ?? 32);
  console.log(`calagopus: ${count} creates + ${count} suspends, ${LATENCY_MS} ms panel latency per request`);
  const baseline = await measure(100, 1);
  console.log(
    `baseline (one at a time, 100 services): create ${baseline.creates.toFixed(1)} ops/s, suspend ${baseline.suspends.toFixed(1)} ops/s`,
  );
  const concurrent = await measure(count, concurrency);
  console.log(
    `concurrency ${concurrency}: create ${concurrent.creates.toFixed(1)} ops/s, suspend ${concurrent.suspends.toFixed(1)} ops/s`,
  );
  console.log(
    `ratio to baseline: create ×${(concurrent.creates / baseline.creates).toFixed(1)}, suspend ×${(concurrent.suspends / baseline.suspends).toFixed(1)}`,
  );
}
