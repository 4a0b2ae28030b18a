/**
 * `npm run bench -- api [--seconds N] [--dialect sqlite|postgres] [--no-runner]`
 *
 * Enqueue load over real HTTP: `POST /v1/services/{id}/create` with a bearer token, one pending
 * service per request, sent open-loop at a fixed rate (a request is due at its time whether or
 * not earlier ones have answered, so a slow server shows as latency, not as a lower rate).
 * Latency counts from the request's due time to its answer.
 *
 * Reported: p50/p99 at 200 requests/s, then a ladder of rates; the highest sustained rate is the
 * highest step that completed within 5% of its rate with p99 under 100 ms and no errors. By
 * default the runner executes the operations meanwhile (against the fixture backend), so the
 * enqueue competes with real work for the database, as in production.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Agent, request } from 'undici';
import { createMetrics } from '../src/api/metrics.js';
import { buildApi } from '../src/api/server.js';
import { SecretBox } from '../src/core/secret-box.js';
import { createEngine } from '../src/engine/engine.js';
import type { Dialect } from '../src/store/database.js';
import { createApiToken } from '../src/store/repositories/api-tokens.js';
import { insertService } from '../src/store/repositories/services.js';
import { closeHttpAgents } from '../src/transport/http-client.js';
import { openTestStore } from '../test/support/databases.js';
import { startFixtureBackend } from '../test/support/fixture-backend.js';
import { createFixtureModule } from '../test/support/fixture-module.js';

interface StepResult {
  rate: number;
  sent: number;
  achieved: number;
  p50: number;
  p99: number;
  errors: number;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;

function option(args: string[], name: string, fallback: string): string {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] ? args[at + 1]! : fallback;
}

export async function run(args: string[]): Promise<void> {
  const seconds = Number(option(args, 'seconds', '5'));
  const dialect = option(args, 'dialect', 'sqlite') as Dialect;
  const withRunner = !args.includes('--no-runner');
  const rates = [200, 400, 800, 1200, 1600, 2400];

  const testStore = await openTestStore(dialect);
  const backend = await startFixtureBackend();
  const box = new SecretBox(randomBytes(32));
  const engine = createEngine({
    store: testStore.store,
    secretBox: box,
    modules: [createFixtureModule()],
    logger: pino({ level: 'silent' }),
    runner: { concurrency: 8, pollMs: 50 },
  });
  const metrics = createMetrics();
  const api = await buildApi({ engine, metrics });
  const url = await api.listen({ host: '127.0.0.1', port: 0 });
  if (withRunner) engine.start();

  const backendUrl = new URL(backend.url);
  const client = await engine.clients.create({ email: 'bench@example.com' });
  const server = await engine.servers.create({
    name: 'bench',
    module: 'fixture',
    hostname: backendUrl.hostname,
    port: Number(backendUrl.port),
    secure: false,
    secret: 'k',
  });
  const group = await engine.serverGroups.create({
    name: 'bench',
    fillType: 'least-full',
    serverIds: [server.id],
  });
  const product = await engine.products.create({
    name: 'bench',
    module: 'fixture',
    serverGroupId: group.id,
    settings: {},
  });
  const { token } = await createApiToken(
    testStore.store.db,
    { name: 'bench', scope: 'operator' },
    Date.now(),
  );

  const needed = Math.ceil(seconds * rates.reduce((a, b) => a + b, 0) * 1.05) + 10;
  const serviceIds: number[] = [];
  await testStore.store.write(async (trx) => {
    for (let i = 0; i < needed; i++)
      serviceIds.push(
        (
          await insertService(
            trx,
            box,
            { clientId: client.id, productId: product.id, password: 'p' },
            Date.now(),
          )
        ).id,
      );
  });

  const agent = new Agent({ connections: 128, pipelining: 1 });
  let next = 0;
  const enqueueOne = async (): Promise<boolean> => {
    const id = serviceIds[next++]!;
    const answer = await request(`${url}/v1/services/${id}/create`, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': `bench-${id}`,
      },
      body: '{}',
    });
    await answer.body.dump();
    return answer.statusCode === 202 || answer.statusCode === 200;
  };

  const step = async (rate: number): Promise<StepResult> => {
    const total = Math.round(rate * seconds);
    const latencies: number[] = [];
    let errors = 0;
    const start = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      inflight.push(
        enqueueOne().then(
          (ok) => {
            if (!ok) errors++;
            latencies.push(performance.now() - due);
          },
          () => {
            errors++;
          },
        ),
      );
    }
    await Promise.all(inflight);
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      rate,
      sent: total,
      achieved: total / elapsed,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      errors,
    };
  };

  await step(50); // warm-up: JIT, connections, SQLite page cache
  console.log(
    `provisio API enqueue bench: ${dialect}, ${seconds} s per step, runner ${withRunner ? 'executing the operations' : 'off'}`,
  );
  console.log('rate/s  sent   achieved/s  p50 ms  p99 ms  errors');
  let sustained = 0;
  for (const rate of rates) {
    const result = await step(rate);
    console.log(
      `${String(rate).padStart(6)}  ${String(result.sent).padStart(5)}  ${result.achieved.toFixed(0).padStart(10)}  ${result.p50.toFixed(2).padStart(6)}  ${result.p99.toFixed(2).padStart(6)}  ${result.errors}`,
    );
    const ok = result.errors === 0 && result.achieved >= rate * 0.95 && result.p99 < 100;
    if (!ok) break;
    sustained = rate;
    if (rate === 200)
      console.log(
        `  → at 200 requests/s: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms (aim: p99 < 20 ms)`,
      );
  }
  console.log(
    `highest sustained rate: ${sustained} requests/s (within 5% of the rate, p99 < 100 ms, no errors)`,
  );

  await agent.close();
  await api.close();
  await engine.stop();
  await closeHttpAgents();
  await backend.close();
  await testStore.cleanup();
}
