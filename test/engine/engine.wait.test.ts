import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { createTestEngine, type TestEngine } from '../support/engine.js';
import { type RunningFixtureBackend, startFixtureBackend } from '../support/fixture-backend.js';
import { createFixtureModule } from '../support/fixture-module.js';
import { setUpFixtureService } from '../support/fixtures.js';
import { waitUntil } from '../support/wait-until.js';

describe('durable waits (virtual time)', () => {
  let backend: RunningFixtureBackend;
  let t: TestEngine;
  let clock: ManualClock;

  beforeEach(async () => {
    backend = await startFixtureBackend();
    backend.state.installMs = 10 * 60_000;
    // One worker: if a wait held it, nothing else could run.
    t = await createTestEngine({
      modules: [createFixtureModule()],
      clock: 'manual',
      runner: { concurrency: 1 },
    });
    clock = t.manualClock!;
  });
  afterEach(async () => {
    await t.close();
    await backend.close();
  });

  it('a ten-minute wait holds no worker; another service completes meanwhile', async () => {
    const { engine } = t;
    const slow = await setUpFixtureService(engine, backend, {
      settings: { waitForReady: true, waitTimeoutMinutes: 30 },
    });
    const fast = await engine.services.create({
      clientId: slow.client.id,
      productId: (
        await engine.products.create({ name: 'instant', module: 'fixture', serverGroupId: slow.group.id })
      ).id,
    });

    const { operation: waiting } = await engine.operations.enqueue({
      serviceId: slow.service.id,
      action: 'create',
    });
    await waitUntil(async () => (await engine.operations.get(waiting.id)).status === 'waiting');
    expect(engine.runner.activeCount).toBe(0);

    // The clock has not moved: the waiting create is not due, yet the worker is free for this one.
    const other = await engine.run(fast.id, 'create', { timeoutMs: 5_000 });
    expect(other.status).toBe('succeeded');
    expect((await engine.operations.get(waiting.id)).status).toBe('waiting');
    expect((await engine.operations.get(waiting.id)).progressMessage).toBe('waiting for the install');

    for (let minute = 1; minute <= 10; minute++) {
      clock.advance(60_000);
      await waitUntil(async () => {
        const op = await engine.operations.get(waiting.id);
        return op.status === 'succeeded' || (op.status === 'waiting' && op.runAt > clock.now());
      });
    }
    const done = await engine.operations.get(waiting.id);
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(1);
    expect(done.journal.waits.install?.checks).toBe(11);
    expect(backend.state.objects.get(`fx-${slow.service.id}`)).toHaveLength(1);
    expect((await engine.services.get(slow.service.id)).status).toBe('active');
  });

  it('a wait that outlives its timeout fails with a clear message', async () => {
    const { engine } = t;
    const { service } = await setUpFixtureService(engine, backend, {
      settings: { waitForReady: true, waitTimeoutMinutes: 3 },
    });
    const { operation } = await engine.operations.enqueue({ serviceId: service.id, action: 'create' });
    for (let minute = 0; minute < 4; minute++) {
      await waitUntil(async () => {
        const op = await engine.operations.get(operation.id);
        return op.status === 'failed' || (op.status === 'waiting' && op.runAt > clock.now());
      });
      clock.advance(60_000);
    }
    const failed = await engine.operations.waitFor(operation.id, { timeoutMs: 5_000 });
    expect(failed.status).toBe('failed');
    expect(failed.errorCode).toBe('operation.wait_timeout');
    expect(failed.errorMessage).toMatch(/waiting for the install: not finished after 3 minutes \(limit 3\)/);
  });

  it('a waiting operation can be cancelled and frees its service', async () => {
    const { engine } = t;
    const { service } = await setUpFixtureService(engine, backend, { settings: { waitForReady: true } });
    const { operation } = await engine.operations.enqueue({ serviceId: service.id, action: 'create' });
    await waitUntil(async () => (await engine.operations.get(operation.id)).status === 'waiting');
    expect((await engine.operations.cancel(operation.id)).status).toBe('cancelled');
    await expect(engine.operations.cancel(operation.id)).rejects.toMatchObject({
      code: 'operation.not_cancellable',
    });
    expect((await engine.operations.enqueue({ serviceId: service.id, action: 'create' })).created).toBe(true);
  });
});
