import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { type Clock, ManualClock, systemClock } from '../../src/core/clock.js';
import { SecretBox } from '../../src/core/secret-box.js';
import type { EngineObserver } from '../../src/engine/deps.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import type { RunnerOptions } from '../../src/engine/runner-options.js';
import type { AnyModule } from '../../src/modules/contract.js';
import type { Dialect } from '../../src/store/database.js';
import { closeHttpAgents } from '../../src/transport/http-client.js';
import { openTestStore, type TestStore } from './databases.js';

export interface TestEngineOptions {
  modules: AnyModule[];
  dialect?: Dialect;
  clock?: 'system' | 'manual';
  runner?: Partial<Omit<RunnerOptions, 'retry'>> & { retryBaseMs?: number; maxAttempts?: number };
  /** Collect the application log here (for secret-leak tests). */
  logLines?: string[];
  /** Reuse a store (restart tests); otherwise a fresh one. */
  testStore?: TestStore;
  secretKey?: Buffer;
  start?: boolean;
  /** Off by default here: tests that need event triggers register them themselves. */
  eventTriggers?: boolean;
  observer?: EngineObserver;
}

export interface TestEngine {
  engine: Engine;
  clock: Clock | ManualClock;
  manualClock: ManualClock | undefined;
  testStore: TestStore;
  secretKey: Buffer;
  /** Stops the engine; `keepStore` leaves the database for a restart. */
  close(options?: { keepStore?: boolean }): Promise<void>;
}

/**
 * A real engine on a fresh database with test-friendly timing: quick polling, short backoff,
 * short leases. Modules are given explicitly, as a deployment would configure them.
 */
export async function createTestEngine(options: TestEngineOptions): Promise<TestEngine> {
  const testStore = options.testStore ?? (await openTestStore(options.dialect ?? 'sqlite'));
  const manualClock = options.clock === 'manual' ? new ManualClock() : undefined;
  const clock = manualClock ?? systemClock;
  const secretKey = options.secretKey ?? randomBytes(32);
  const lines = options.logLines;
  const logger = pino(
    { level: lines ? 'debug' : 'silent' },
    lines ? { write: (line: string) => void lines.push(line) } : undefined,
  );
  const { retryBaseMs, maxAttempts, ...runner } = options.runner ?? {};
  const engine = createEngine({
    store: testStore.store,
    secretBox: new SecretBox(secretKey),
    modules: options.modules,
    clock,
    logger,
    maxAttempts: maxAttempts ?? 4,
    eventPollMs: 20,
    eventTriggers: options.eventTriggers ?? false,
    ...(options.observer ? { observer: options.observer } : {}),
    runner: {
      concurrency: 4,
      leaseMs: 5_000,
      pollMs: 10,
      operationTimeoutMs: 10_000,
      shutdownGraceMs: 2_000,
      retry: { baseMs: retryBaseMs ?? 20, capMs: 200 },
      ...runner,
    },
  });
  if (options.start !== false) engine.start();
  return {
    engine,
    clock,
    manualClock,
    testStore,
    secretKey,
    async close(closeOptions = {}) {
      await engine.stop();
      await closeHttpAgents();
      if (!closeOptions.keepStore) await testStore.cleanup();
    },
  };
}
