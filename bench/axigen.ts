/**
 * `npm run bench -- axigen [accounts] [sessionsPerServer]`
 *
 * 1. N account creates, then N suspends, through the real engine over two emulated Axigen servers
 *    with 1 ms latency per command, sessions pooled (the module as shipped). Prints ops/s, the
 *    ratio to the lower bound (commands × latency ÷ concurrent sessions) and the ratio to a
 *    baseline measured in the same run: a new connection and login for every action, one action
 *    at a time (how the vendor module works), on a 100-service sample.
 * 2. Usage for 20,000 accounts on four emulated servers (same latency), one module `usage` batch
 *    per server, servers in parallel — called on the module directly with a server context, as
 *    the engine's usage sync does, without creating 20,000 services through the queue first.
 * 3. listRemote (reconcile) of one server holding 20,000 mailboxes nobody marked (one SHOW per
 *    mailbox, pages of 500 over the pooled sessions).
 */
import { Redactor } from '../src/core/redaction.js';
import { AxigenEmulator, DEFAULT_ADMIN } from '../src/emulators/axigen/index.js';
import { newAccount } from '../src/emulators/axigen/state.js';
import { axigenModule, closeAxigenSessionPools } from '../src/modules/axigen/index.js';
import type { ServerConnection, ServerContext, ServiceRef } from '../src/modules/contract.js';
import { createMemoryModuleLog } from '../src/transport/module-log.js';
import { registerEmulatorBackend } from '../test/support/backend.js';
import { createTestEngine } from '../test/support/engine.js';

const LATENCY_MS = Number(process.env.AXIGEN_BENCH_LATENCY_MS ?? 1);

interface PhaseResult {
  opsPerSecond: number;
  commands: number;
  seconds: number;
}

async function lifecycle(
  count: number,
  sessionsPerServer: number,
  pooled: boolean,
): Promise<{ create: PhaseResult; suspend: PhaseResult }> {
  const emulators = [
    await AxigenEmulator.start({ latencyMs: LATENCY_MS }),
    await AxigenEmulator.start({ latencyMs: LATENCY_MS }),
  ];
  const concurrency = pooled ? sessionsPerServer * emulators.length : 1;
  const harness = await createTestEngine({
    modules: [axigenModule],
    runner: { concurrency, operationTimeoutMs: 120_000, leaseMs: 60_000 },
  });
  try {
    const { engine } = harness;
    const backend = await registerEmulatorBackend(engine, {
      module: 'axigen',
      name: 'bench-axigen',
      ports: emulators.map((emulator) => emulator.port),
      server: {
        username: DEFAULT_ADMIN.username,
        secret: DEFAULT_ADMIN.password,
        maxConcurrency: pooled ? sessionsPerServer : 1,
        settings: { maxSessions: pooled ? sessionsPerServer : 1 },
      },
      fillType: 'round-robin',
      product: {
        name: 'bench mailbox',
        productType: 'account',
        settings: { targetDomain: 'example.com', accountClass: 'gold', storageQuotaMb: 1024 },
      },
    });
    const client = await engine.clients.create({ email: 'bench@example.net' });
    const services: number[] = [];
    for (let i = 0; i < count; i++) {
      services.push(
        (
          await engine.services.create({
            clientId: client.id,
            productId: backend.productId,
            username: `user${i}`,
            password: `pw-${i}-secret`,
          })
        ).id,
      );
    }
    const phase = async (action: string): Promise<PhaseResult> => {
      for (const emulator of emulators) emulator.clearRequests();
      const started = performance.now();
      if (pooled) {
        const results = await Promise.all(
          services.map((id) => engine.run(id, action, { timeoutMs: 600_000 })),
        );
        const failed = results.filter((op) => op.status !== 'succeeded');
        if (failed.length)
          throw new Error(`${failed.length} ${action} operations failed: ${failed[0]?.errorMessage}`);
      } else {
        for (const id of services) {
          const op = await engine.run(id, action, { timeoutMs: 60_000 });
          if (op.status !== 'succeeded') throw new Error(`${action} failed: ${op.errorMessage}`);
          await closeAxigenSessionPools();
        }
      }
      const seconds = (performance.now() - started) / 1000;
      const commands = emulators.reduce((sum, emulator) => sum + emulator.requests().length, 0);
      return { opsPerSecond: count / seconds, commands, seconds };
    };
    return { create: await phase('create'), suspend: await phase('suspend') };
  } finally {
    await harness.close();
    await closeAxigenSessionPools();
    await Promise.all(emulators.map((emulator) => emulator.close()));
  }
}

function serverContext(emulator: AxigenEmulator, id: number, sessions: number): ServerContext {
  const server: ServerConnection = {
    id,
    name: `usage-${id}`,
    module: 'axigen',
    hostname: '127.0.0.1',
    ip: null,
    host: '127.0.0.1',
    port: emulator.port,
    secure: false,
    username: DEFAULT_ADMIN.username,
    secret: DEFAULT_ADMIN.password,
    tls: { verify: true },
    maxAccounts: null,
    settings: { maxSessions: sessions },
  };
  const redactor = new Redactor([server.secret]);
  const silent = () => undefined;
  return {
    server,
    moduleLog: createMemoryModuleLog(redactor),
    logger: { debug: silent, info: silent, warn: silent, error: silent },
    signal: new AbortController().signal,
    addSecret: (value) => void redactor.add(value),
    now: () => Date.now(),
  };
}

async function usage(
  total: number,
  servers: number,
  sessions: number,
): Promise<{ seconds: number; reports: number; commands: number }> {
  const emulators: AxigenEmulator[] = [];
  for (let i = 0; i < servers; i++) emulators.push(await AxigenEmulator.start({ latencyMs: LATENCY_MS }));
  try {
    const batches = emulators.map((emulator, index) => {
      const domain = emulator.state.domains.get('example.com');
      if (!domain) throw new Error('fixture domain missing');
      const refs: ServiceRef[] = [];
      for (let i = 0; i < total / servers; i++) {
        const name = `mbox${i}`;
        const account = newAccount(emulator.state, name, 'x');
        account.quotas.totalMessageSize = '1048576';
        account.registry.mboxSizeKb = 100 + i;
        domain.accounts.set(name, account);
        refs.push({
          serviceId: index * 1_000_000 + i,
          domain: null,
          username: name,
          remoteIds: { domain: 'example.com', account: name },
          productType: 'account',
        });
      }
      return { ctx: serverContext(emulator, index + 1, sessions), refs };
    });
    const started = performance.now();
    const results = await Promise.all(batches.map(({ ctx, refs }) => axigenModule.usage?.(ctx, refs) ?? []));
    const seconds = (performance.now() - started) / 1000;
    return {
      seconds,
      reports: results.reduce((sum, list) => sum + list.length, 0),
      commands: emulators.reduce((sum, e) => sum + e.requests().length, 0),
    };
  } finally {
    await closeAxigenSessionPools();
    await Promise.all(emulators.map((emulator) => emulator.close()));
  }
}

async function listing(
  total: number,
  sessions: number,
): Promise<{ seconds: number; objects: number; commands: number }> {
  const emulator = await AxigenEmulator.start({ latencyMs: LATENCY_MS, fixtures: false });
  try {
    emulator.seed('domain', {
      name: 'big.test',
      accounts: Array.from({ length: total }, (_, i) => `mbox${i}`),
    });
    const started = performance.now();
    let objects = 0;
    for await (const page of axigenModule.listRemote?.(serverContext(emulator, 1, sessions)) ?? [])
      objects += page.length;
    return { seconds: (performance.now() - started) / 1000, objects, commands: emulator.requests().length };
  } finally {
    await closeAxigenSessionPools();
    await emulator.close();
  }
}

function line(label: string, result: PhaseResult, concurrentSessions: number): string {
  const bound = (result.commands * LATENCY_MS) / 1000 / concurrentSessions;
  return `${label}: ${result.opsPerSecond.toFixed(1)} ops/s, ${result.commands} commands in ${result.seconds.toFixed(2)} s; lower bound ${bound.toFixed(2)} s (×${(result.seconds / bound).toFixed(2)} of it)`;
}

export async function run(args: string[]): Promise<void> {
  const count = Number(args[0] ?? 2000);
  const sessionsPerServer = Number(args[1] ?? 8);
  const sessions = sessionsPerServer * 2;
  console.log(
    `axigen: ${count} account creates then ${count} suspends over 2 emulated servers, ${LATENCY_MS} ms per command, ${sessions} pooled sessions`,
  );
  const baseline = await lifecycle(100, 1, false);
  console.log(
    `baseline (connect + login per action, one at a time, 100 services): create ${baseline.create.opsPerSecond.toFixed(1)} ops/s, suspend ${baseline.suspend.opsPerSecond.toFixed(1)} ops/s`,
  );
  const pooled = await lifecycle(count, sessionsPerServer, true);
  console.log(line('create ', pooled.create, sessions));
  console.log(line('suspend', pooled.suspend, sessions));
  console.log(
    `ratio to baseline: create ×${(pooled.create.opsPerSecond / baseline.create.opsPerSecond).toFixed(1)}, suspend ×${(pooled.suspend.opsPerSecond / baseline.suspend.opsPerSecond).toFixed(1)}`,
  );
  const usageResult = await usage(20_000, 4, sessionsPerServer);
  console.log(
    `usage: ${usageResult.reports} accounts on 4 servers in ${usageResult.seconds.toFixed(2)} s (${usageResult.commands} commands, ${sessionsPerServer} sessions per server)`,
  );
  const listed = await listing(20_000, sessionsPerServer);
  console.log(
    `listRemote: ${listed.objects} objects (20,000 mailboxes) in ${listed.seconds.toFixed(2)} s (${listed.commands} commands, ${sessionsPerServer} sessions)`,
  );
}
